// What Split, Replace and the whitespace pre-tokenizers search for: a literal string, an
// Oniguruma-style regex or a character predicate, cut into matched and unmatched pieces.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "onig_regex.h"
#include "tokenizer_json.h"

namespace rs {

// One contiguous piece of a searched string; the pieces of one search cover it in order.
struct PatternPiece {
    std::size_t begin = 0, end = 0;  // byte range in the searched string
    bool is_match = false;
};

class TextPattern {
  public:
    static TextPattern literal(const std::string& text);   // throws rs::Error when empty
    static TextPattern regex(const std::string& pattern);  // throws rs::Error when invalid
    static TextPattern predicate(std::function<bool(char32_t)> is_delimiter);

    // Pieces covering `text` (valid UTF-8); an empty text gives one empty unmatched piece.
    std::vector<PatternPiece> find(std::string_view text) const;
    // Only the matched ranges, in order.
    std::vector<std::pair<std::size_t, std::size_t>> matches(std::string_view text) const;

  private:
    std::string literal_;
    std::shared_ptr<const OnigRegex> regex_;
    std::function<bool(char32_t)> predicate_;
};

// A Replace/Split "pattern" member: {"String": "..."} or {"Regex": "..."}; errors name `spec`.
TextPattern make_text_pattern(const JsonView& spec);

// Flips every piece's is_match (Split's `invert`).
void invert(std::vector<PatternPiece>& pieces);

}  // namespace rs
