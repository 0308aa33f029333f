// Bit-exact float conversions: BF16 is the top half of an F32; F16 handles subnormals, inf and NaN.
#include "dtype.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace rs {

namespace {
const std::pair<const char*, DType> kTags[] = {
    {"F32", DType::F32},   {"F16", DType::F16},   {"BF16", DType::BF16},       {"F64", DType::F64},
    {"I64", DType::I64},   {"I32", DType::I32},   {"I16", DType::I16},         {"I8", DType::I8},
    {"U8", DType::U8},     {"BOOL", DType::Bool}, {"F8_E4M3", DType::F8E4M3}, {"F8_E5M2", DType::F8E5M2},
};

float bits_to_float(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
std::uint32_t float_to_bits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}
}  // namespace

std::optional<DType> parse_dtype(const std::string& tag) {
    for (const auto& [name, t] : kTags)
        if (tag == name) return t;
    return std::nullopt;
}

std::string dtype_name(DType t) {
    for (const auto& [name, tt] : kTags)
        if (tt == t) return name;
    return "?";
}

std::size_t dtype_size(DType t) {
    switch (t) {
        case DType::F64:
        case DType::I64: return 8;
        case DType::F32:
        case DType::I32: return 4;
        case DType::F16:
        case DType::BF16:
        case DType::I16: return 2;
        default: return 1;
    }
}

bool is_float_weight_dtype(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

float bf16_to_f32(std::uint16_t bits) { return bits_to_float(std::uint32_t(bits) << 16); }

float f16_to_f32(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    const std::uint32_t man = h & 0x3ffu;
    if (exp == 0x1f) return bits_to_float(sign | 0x7f800000u | (man << 13));  // inf / NaN
    if (exp != 0) return bits_to_float(sign | ((exp + 112) << 23) | (man << 13));
    // Zero or subnormal: value = man * 2^-24, exact in float.
    const float mag = std::ldexp(static_cast<float>(man), -24);
    return sign ? -mag : mag;
}

std::uint16_t f32_to_bf16_rne(float v) {
    std::uint32_t u = float_to_bits(v);
    if ((u & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((u >> 16) | 0x40);  // quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return std::uint16_t(u >> 16);
}

std::uint16_t f32_to_f16_rne(float v) {
    // Goes through double so rounding happens once, at the final mantissa width.
    const std::uint32_t u = float_to_bits(v);
    const std::uint16_t sign = std::uint16_t((u >> 16) & 0x8000u);
    const float a = std::fabs(v);
    if (std::isnan(v)) return sign | 0x7e00;
    if (a >= 65520.0f) return sign | 0x7c00;  // rounds to inf
    if (a < std::ldexp(1.0f, -14)) {          // subnormal range: multiples of 2^-24
        const double q = std::nearbyint(double(a) * 16777216.0);  // default mode: ties to even
        return sign | std::uint16_t(q);
    }
    int e;
    const double m = std::frexp(double(a), &e);  // a = m * 2^e, m in [0.5,1)
    double q = std::nearbyint(m * 2048.0);       // 11 significant bits
    if (q == 2048.0) {
        q = 1024.0;
        ++e;
    }
    const int biased = e - 1 + 15;
    return sign | std::uint16_t((biased << 10) | (std::uint16_t(q) & 0x3ff));
}

void convert_to_f32(DType t, std::span<const std::uint8_t> src, std::span<float> dst) {
    assert(is_float_weight_dtype(t));
    assert(src.size() == dst.size() * dtype_size(t));
    const std::size_t n = dst.size();
    if (t == DType::F32) {
        std::memcpy(dst.data(), src.data(), n * 4);
        return;
    }
    const bool bf = (t == DType::BF16);
#pragma omp parallel for schedule(static) if (n > (1u << 16))
    for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t h;
        std::memcpy(&h, src.data() + 2 * i, 2);
        dst[i] = bf ? bf16_to_f32(h) : f16_to_f32(h);
    }
}

}  // namespace rs
