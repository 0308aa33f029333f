// Options shared by commands that open a checkpoint (--variant) and read token ids (--ids).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/command.h"
#include "checkpoint.h"

namespace rs::cli {

// Opens positional 0 as a checkpoint folder, honouring --variant rope|eh|ec and
// --ignore-config-key A,B (each ignored key is reported on stderr).
std::shared_ptr<const Checkpoint> open_checkpoint(const Args& args);

// Parses "--ids 1,2,3" (throws UsageError on anything that is not a comma-separated integer list).
std::vector<std::int32_t> parse_ids(const std::string& text);

}  // namespace rs::cli
