// The model input of model-running commands, parsed first (--ids, --ids-file, --text or
// --text-file,
// --max-tokens, --no-bos; nothing read yet) and read later: files read, then encoded by the core
// (run_input.h) into the tokens the run reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "checkpoint.h"
#include "trace_meta.h"

namespace rs::cli {

struct InputChoice {
    enum class Source { Ids, IdsFile, Text, TextFile };
    Source source = Source::Ids;
    std::string value;              // the text or the file's path
    std::vector<std::int32_t> ids;  // Source::Ids
    int max_tokens = 0;             // 0: all
    bool bos = true;
};

// Throws UsageError unless exactly one input is given and every value parses.
InputChoice parse_input(const Args& args);

// What the commands that run the model on an input share: the checkpoint, the input, --out FILE,
// --quiet and --json, all parsed.
struct ModelRunChoice {
    CheckpointChoice checkpoint;
    InputChoice input;
    std::optional<std::string> out;
    bool quiet = false, json = false;
};
ModelRunChoice parse_model_run(const Args& args);

// Reads the files and encodes the input (text with the checkpoint's tokenizer.json).
TraceTokens read_input(const InputChoice& input, const Checkpoint& checkpoint);

}  // namespace rs::cli
