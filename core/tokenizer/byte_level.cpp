// Byte-level alphabet tables, built once: printable Latin-1 bytes map to themselves and the rest
// to U+0100 upwards in byte order, as in GPT-2's bytes_to_unicode.
#include "byte_level.h"

#include <array>
#include <vector>

#include "utf8.h"

namespace rs::byte_level {

namespace {

struct Tables {
    std::array<char32_t, 256> to_char{};
    std::string to_utf8[256];
    std::array<int, 256 + 68> from_char{};  // -1 where the code point is no byte character
    Tables() {
        from_char.fill(-1);
        char32_t next_extra = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            to_char[b] = printable ? static_cast<char32_t>(b) : next_extra++;
            to_utf8[b] = utf8::encode(to_char[b]);
            from_char[to_char[b]] = b;
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

char32_t byte_to_char(std::uint8_t b) {
    return tables().to_char[b];
}

const std::string& byte_as_utf8(std::uint8_t b) {
    return tables().to_utf8[b];
}

std::optional<std::uint8_t> char_to_byte(char32_t c) {
    const auto& from = tables().from_char;
    if (c >= from.size() || from[c] < 0) return std::nullopt;
    return static_cast<std::uint8_t>(from[c]);
}

void encode_bytes(NormalizedString& s) {
    s.map_bytes(tables().to_utf8);
}

}  // namespace rs::byte_level
