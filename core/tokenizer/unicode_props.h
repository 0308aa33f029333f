// Unicode character properties and normalization for the tokenizer, from utf8proc, with the
// definitions Hugging Face tokenizers uses (Rust's char methods and Oniguruma's classes).
#pragma once

#include <string>
#include <string_view>

namespace rs::unicode {

bool is_white_space(char32_t c);  // the White_Space property (Rust char::is_whitespace, \s)
bool is_numeric(char32_t c);      // general category N* (Rust char::is_numeric)
bool is_punctuation(char32_t c);  // general category P* or ASCII punctuation
bool is_mark(char32_t c);         // general category M*
bool is_word_char(char32_t c);    // Unicode \w: letters, marks, Nd, Pc, join controls
bool is_control(char32_t c);      // general category Cc
bool is_format(char32_t c);       // general category Cf (zero-width and bidi controls)

// Full lowercase mapping (may be longer than one code point, e.g. U+0130).
std::u32string to_lower(char32_t c);

enum class NormalForm { NFC, NFD, NFKC, NFKD };
// Normalizes valid UTF-8 text; throws rs::Error if utf8proc rejects it.
std::string normalize(std::string_view text, NormalForm form);
// Canonical combining class; 0 for starters.
int combining_class(char32_t c);

}  // namespace rs::unicode
