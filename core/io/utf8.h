// UTF-8 coding helpers for the tokenizer: code point iteration, validation, and the lossy
// decoding Hugging Face decoders use (one U+FFFD per maximal invalid subpart, as Rust does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rs::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Byte length of the sequence a valid lead byte starts (1 for ASCII and for stray bytes).
inline std::size_t sequence_length(unsigned char lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

inline std::size_t encoded_length(char32_t c) {
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

// Decodes the code point starting at s[i] (s must be valid UTF-8) and advances i past it.
char32_t next(std::string_view s, std::size_t& i);

// The code point ending just before s[i] (s valid UTF-8); moves i to its first byte.
char32_t previous(std::string_view s, std::size_t& i);

void append(std::string& out, char32_t c);
std::string encode(char32_t c);

// Byte position of the first ill-formed sequence, or npos when s is valid UTF-8.
std::size_t find_invalid(std::string_view s);

// Rust's String::from_utf8_lossy: each maximal invalid subpart becomes one U+FFFD.
std::string decode_lossy(std::string_view bytes);

std::u32string to_code_points(std::string_view s);  // s must be valid UTF-8
std::size_t count_code_points(std::string_view s);

}  // namespace rs::utf8
