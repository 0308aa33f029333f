// A run's input tokens, encoded once for the CLI and the GUI: token ids given directly, or text
// through the checkpoint's own tokenizer, cut to at most max_tokens. The result is the TraceTokens
// a trace stores, so what a trace says the model read is what it read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer.h"
#include "trace_meta.h"

namespace rs {

// Token ids shown as "#id", without text. max_tokens <= 0: all. Throws UsageError for fewer than
// 2 tokens.
TraceTokens encode_ids(std::vector<std::int32_t> ids, int max_tokens);

// `text` tokenized (with the tokenizer's BOS unless !bos), each token's display string and byte
// offsets kept. max_tokens <= 0: all. Throws UsageError for fewer than 2 tokens.
TraceTokens encode_text(const Tokenizer& tokenizer, std::string text, bool bos, int max_tokens);

// The tokenizer of the checkpoint in `dir`; FileError naming tokenizer.json when it is missing.
Tokenizer input_tokenizer(const std::string& dir);

}  // namespace rs
