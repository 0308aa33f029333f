// Exactness of the BF16/F16 conversions against values computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "dtype.h"

using namespace rs;

TEST(DType, Bf16IsTopHalfOfFloat) {
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(bf16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(bf16_to_f32(0x0000), 0.0f);
    EXPECT_TRUE(std::isinf(bf16_to_f32(0x7f80)));
    EXPECT_TRUE(std::isnan(bf16_to_f32(0x7fc0)));
}

TEST(DType, F16CoversNormalsSubnormalsAndSpecials) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    EXPECT_EQ(f16_to_f32(0x03ff), 1023.0f * std::ldexp(1.0f, -24));
    EXPECT_EQ(f16_to_f32(0x0400), std::ldexp(1.0f, -14));  // smallest normal
    EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
    EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
    EXPECT_TRUE(std::signbit(f16_to_f32(0x8000)));
}

TEST(DType, RoundTripsEveryHalfBitPattern) {
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_f32(std::uint16_t(h));
        if (std::isnan(f)) continue;
        EXPECT_EQ(f32_to_f16_rne(f), h) << h;
        const float b = bf16_to_f32(std::uint16_t(h));
        if (!std::isnan(b)) {
            EXPECT_EQ(f32_to_bf16_rne(b), h) << h;
        }
    }
}

TEST(DType, RoundsToNearestEven) {
    // 1 + 2^-8 lies exactly between two bf16 values (1 and 1+2^-7): ties go to the even one (1).
    EXPECT_EQ(f32_to_bf16_rne(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
    EXPECT_EQ(f32_to_bf16_rne(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
    EXPECT_EQ(f32_to_f16_rne(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
    EXPECT_EQ(f32_to_f16_rne(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
    EXPECT_EQ(f32_to_f16_rne(1e6f), 0x7c00);
}

TEST(DType, ConvertsUnalignedBuffers) {
    std::uint8_t raw[9] = {0};
    const std::uint16_t vals[4] = {0x3f80, 0x4000, 0xbf80, 0x0000};
    std::memcpy(raw + 1, vals, 8);
    float out[4];
    convert_to_f32(DType::BF16, std::span<const std::uint8_t>(raw + 1, 8), out);
    EXPECT_EQ(out[0], 1.0f);
    EXPECT_EQ(out[1], 2.0f);
    EXPECT_EQ(out[2], -1.0f);
    EXPECT_EQ(out[3], 0.0f);
}
