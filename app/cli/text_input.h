// Input tokens for model-running commands: --ids, --ids-file, --text or --text-file (tokenized with
// the checkpoint's own tokenizer.json), truncated by --max-tokens.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "app/cli/command.h"
#include "checkpoint.h"

namespace rs::cli {

struct TextInput {
    std::string text;                 // empty for --ids
    std::vector<std::int32_t> ids;    // [T]
    std::vector<std::string> tokens;  // [T] display strings ("#id" without a tokenizer)
    std::vector<std::pair<std::size_t, std::size_t>> offsets;  // [T] byte offsets into text
};

// Options this reads: ids, ids-file, text, text-file, max-tokens, no-bos.
TextInput read_text_input(const Args& args, const Checkpoint& ck);
extern const std::vector<std::string> kTextInputOptions;

}  // namespace rs::cli
