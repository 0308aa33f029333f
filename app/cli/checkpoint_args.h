// Options shared by commands that open a checkpoint (--variant) and read token ids (--ids).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/command.h"
#include "checkpoint.h"

namespace rs::cli {

// The checkpoint a command opens: positional 0, with --variant rope|eh|ec and --ignore-config-key
// A,B.
struct CheckpointChoice {
    std::string dir;
    CheckpointOptions options;
};

// Throws UsageError on a bad --variant or --ignore-config-key, or when no folder is given.
CheckpointChoice parse_checkpoint(const Args& args);

// Opens the checkpoint; each ignored config key is reported on stderr.
std::shared_ptr<const Checkpoint> open_checkpoint(const CheckpointChoice& choice);
std::shared_ptr<const Checkpoint> open_checkpoint(const Args& args);  // parse, then open

// Parses "--ids 1,2,3" (throws UsageError on anything that is not a comma-separated integer list).
std::vector<std::int32_t> parse_ids(const std::string& text);

}  // namespace rs::cli
