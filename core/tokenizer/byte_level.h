// GPT-2's byte-level alphabet: each byte 0..255 is shown as a printable code point so byte-level
// BPE vocabularies are plain strings (space -> U+0120 'Ġ', newline -> U+010A 'Ċ').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "normalized_string.h"

namespace rs::byte_level {

char32_t byte_to_char(std::uint8_t b);
std::optional<std::uint8_t> char_to_byte(char32_t c);
// UTF-8 of byte_to_char(b), precomputed for the hot path.
const std::string& byte_as_utf8(std::uint8_t b);

// Maps every byte of `s` to its byte-level character (the ByteLevel pre-tokenizer/normalizer
// step), keeping each original character's alignment on all of its byte characters.
void encode_bytes(NormalizedString& s);

}  // namespace rs::byte_level
