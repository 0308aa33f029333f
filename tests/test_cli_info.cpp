// `ropescope-cli info`: variant, head layout and KV cache, as a script would read them (--json).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace {

nlohmann::json info(const std::string& fixture) {
    const auto r = rs::test::run_cli({"info", rs::test::fixture_dir(fixture).string(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
}

TEST(CliInfo, EqualHeadsVariantHalvesTheKvCache) {
    const auto rope = info("rope_f32"), eh = info("rope_pp_eh_f32"), ec = info("rope_pp_ec_f32");
    EXPECT_EQ(rope["variant"], "rope");
    EXPECT_EQ(eh["variant"], "rope_pp_eh");
    EXPECT_EQ(ec["variant"], "rope_pp_ec");
    EXPECT_EQ(eh["kv_cache_bytes_per_token"].get<long>() * 2, rope["kv_cache_bytes_per_token"].get<long>());
    EXPECT_EQ(ec["kv_cache_bytes_per_token"], rope["kv_cache_bytes_per_token"]);  // equal cache
    EXPECT_EQ(ec["attention_heads"].get<int>(), 2 * rope["attention_heads"].get<int>());
    EXPECT_EQ(eh["attention_heads"], rope["attention_heads"]);                 // equal heads
}

TEST(CliInfo, HeadLayoutInterleavesRealAndImaginaryTwins) {
    const auto ec = info("rope_pp_ec_f32");
    ASSERT_EQ(ec["heads"].size(), 8u);
    for (int a = 0; a < 8; ++a) {
        const auto& h = ec["heads"][a];
        EXPECT_EQ(h["part"], a % 2 ? "imag" : "real");
        EXPECT_EQ(h["query_head"], a / 2);
        EXPECT_EQ(h["kv_head"], a / 4);  // 4 query heads over 2 KV heads, doubled
        EXPECT_EQ(h["twin"], a ^ 1);
        EXPECT_FALSE(h["virtual"].get<bool>());
    }
    const auto rope = info("rope_f32");
    ASSERT_EQ(rope["heads"].size(), 8u);  // 4 model heads + 4 virtual imaginary heads
    EXPECT_TRUE(rope["heads"][5]["virtual"].get<bool>());
    EXPECT_EQ(rope["heads"][5]["twin"], 1);
    EXPECT_EQ(info("rope_pp_eh_noconfig")["variant_source"], "tensor shapes");
}

}  // namespace
