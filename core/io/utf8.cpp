// UTF-8 helpers; the validation follows the Unicode well-formedness table (no overlongs,
// no surrogates, nothing above U+10FFFF) so lossy decoding matches Rust byte for byte.
#include "utf8.h"

namespace rs::utf8 {

namespace {

bool is_continuation(unsigned char b) {
    return (b & 0xC0) == 0x80;
}

// Length of the well-formed sequence at s[i], or the length of its maximal invalid subpart
// negated (at least 1) when it is ill-formed.
long classify(std::string_view s, std::size_t i) {
    auto at = [&](std::size_t k) -> int {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1;
    };
    const int b0 = at(0);
    if (b0 < 0x80) return 1;
    int lo = 0x80, hi = 0xBF, len = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return -1;
    }
    const int b1 = at(1);
    if (b1 < lo || b1 > hi) return -1;
    for (int k = 2; k < len; ++k) {
        const int b = at(static_cast<std::size_t>(k));
        if (b < 0 || !is_continuation(static_cast<unsigned char>(b))) return -k;
    }
    return len;
}

}  // namespace

char32_t next(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const std::size_t n = sequence_length(b0);
    char32_t c = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (std::size_t k = 1; k < n; ++k)
        c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    return c;
}

char32_t previous(std::string_view s, std::size_t& i) {
    std::size_t start = i - 1;
    while (start > 0 && is_continuation(static_cast<unsigned char>(s[start]))) --start;
    std::size_t k = start;
    const char32_t c = next(s, k);
    i = start;
    return c;
}

void append(std::string& out, char32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encode(char32_t c) {
    std::string s;
    append(s, c);
    return s;
}

std::size_t find_invalid(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const long n = classify(s, i);
        if (n < 0) return i;
        i += static_cast<std::size_t>(n);
    }
    return std::string_view::npos;
}

std::string decode_lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const long n = classify(bytes, i);
        if (n > 0) {
            out.append(bytes.substr(i, static_cast<std::size_t>(n)));
            i += static_cast<std::size_t>(n);
        } else {
            append(out, kReplacement);
            i += static_cast<std::size_t>(-n);
        }
    }
    return out;
}

std::u32string to_code_points(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) out.push_back(next(s, i));
    return out;
}

std::size_t count_code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char b : s) n += !is_continuation(b);
    return n;
}

}  // namespace rs::utf8
