// Hugging Face tokenizer.json (+ tokenizer_config.json) loading and the text <-> ids facade the
// rest of RoPEScope uses. Ids match the official tokenizers library for BPE tokenizers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rs {

struct TokenizerImpl;  // the loaded pipeline, private to tokenizer.cpp

struct Encoding {
    std::vector<std::int32_t> ids;
    std::vector<std::pair<std::size_t, std::size_t>>
        offsets;  // [begin, end) byte offsets into the input text
};

class Tokenizer {
  public:
    // Loads DIR/tokenizer.json (+ DIR/tokenizer_config.json if present), or a tokenizer.json path
    // directly (then a tokenizer_config.json beside it is used if present).
    // Throws rs::FileError naming the file and the problem: missing file, malformed JSON,
    // unsupported model type (WordPiece, Unigram, WordLevel) or component, bad fields.
    static Tokenizer load(const std::string& dir_or_file);
    // The same from tokenizer.json text alone (no tokenizer_config.json); errors name `path`.
    // Lets the fuzz target and tests parse without touching the file system.
    static Tokenizer from_json(std::string_view json_text, const std::string& path);

    // `text` must be valid UTF-8 (throws rs::Error otherwise). Special tokens added by the
    // post-processor (e.g. BOS) get offsets (0, 0).
    Encoding encode(std::string_view text, bool add_special_tokens) const;
    // Unknown ids are skipped, as the reference does.
    std::string decode(std::span<const std::int32_t> ids, bool skip_special_tokens) const;
    // Decoded text of one token as it reads mid-sequence (leading spaces kept); partial UTF-8
    // shows as U+FFFD. Throws rs::UsageError for an id outside the vocabulary.
    std::string token_text(std::int32_t id) const;
    // Visible form for labels: space -> '·', \n -> '⏎', \t -> '→', \r -> '␍', other controls
    // and invisible characters as control pictures or [U+XXXX].
    std::string token_display(std::int32_t id) const;
    // One past the largest id (model vocabulary and added tokens).
    std::size_t vocab_size() const;
    std::optional<std::int32_t> bos_id() const;
    std::optional<std::int32_t> eos_id() const;

    std::optional<std::int32_t> token_to_id(std::string_view token) const;
    // The raw vocabulary string of an id (e.g. "Ġthe", "▁the", "<s>"), if the id exists.
    std::optional<std::string> id_to_token(std::int32_t id) const;
    bool is_special(std::int32_t id) const;
    const std::string& path() const;  // the tokenizer.json that was loaded
    std::string summary() const;      // one line: model, pipeline components, vocabulary size

  private:
    explicit Tokenizer(std::shared_ptr<const TokenizerImpl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const TokenizerImpl> impl_;
};

// Visible label for arbitrary text, with the same substitutions as token_display.
std::string display_text(std::string_view text);

}  // namespace rs
