// Post-processors of tokenizer.json ("post_processor"): add BOS/EOS-style special tokens around
// the encoded text (TemplateProcessing, BertProcessing, RobertaProcessing) and trim offsets
// (ByteLevel), or a Sequence of them.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer_json.h"

namespace rs {

// An encoding under construction: parallel arrays, one entry per token.
struct TokenStream {
    std::vector<std::int32_t> ids;
    std::vector<std::pair<std::size_t, std::size_t>> offsets;  // byte ranges of the input
    std::vector<std::string> tokens;                           // token strings (for trimming)
    std::string_view source;  // the encoded text, for character-wise offset trimming

    void push(std::int32_t id, std::pair<std::size_t, std::size_t> offset, std::string token);
    void prepend_stream(const TokenStream& other);
    void append_stream(const TokenStream& other);
};

class PostProcessor {
  public:
    virtual ~PostProcessor() = default;
    virtual void process(TokenStream& encoding, bool add_special_tokens) const = 0;
    // Whether process() reads TokenStream::tokens (offset trimming); encode skips filling them
    // otherwise.
    virtual bool needs_token_strings() const { return false; }
    // The special token the processor puts first / last around a single sequence, if any.
    virtual std::optional<std::int32_t> leading_special() const { return std::nullopt; }
    virtual std::optional<std::int32_t> trailing_special() const { return std::nullopt; }
};

// Throws rs::Error naming the component for unknown/unsupported types or bad fields.
std::unique_ptr<PostProcessor> make_post_processor(const JsonView& spec);

// Byte-level offset trimming (shared by ByteLevel and RobertaProcessing): leading/trailing
// spaces ('Ġ' or whitespace) of a token are excluded from its offsets. Counted in characters of
// `source`, as the reference does in its character offsets, so a range never splits a character.
void trim_byte_level_offsets(TokenStream& encoding, bool add_prefix_space);

}  // namespace rs
