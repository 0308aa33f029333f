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

// Issue 21: info names where each RoPE value came from; a refused key stops every command with
// exit 1 and the key named; --ignore-config-key proceeds, and says so on stderr, in info and in traces.
TEST(CliInfo, ProvenanceRefusalAndIgnoredKeys) {
    const auto llama3 = info("rope_llama3");
    EXPECT_EQ(llama3["family"], "llama");
    EXPECT_EQ(llama3["rope_keys"], "transformers 4 (rope_theta / rope_scaling)");
    bool saw_factor = false;
    for (const auto& s : llama3["rope_sources"])
        if (s["parameter"] == "factor") {
            EXPECT_EQ(s["from"], "rope_scaling.factor");
            EXPECT_EQ(s["value"], "8.0");
            saw_factor = true;
        }
    EXPECT_TRUE(saw_factor);

    rs::test::TempDir dir;
    rs::test::copy_fixture("rope_f32", dir.path());
    auto config = nlohmann::json::parse(rs::test::read_file(dir / "config.json"));
    config["rotary_emb_base"] = 20000;  // a GPT-NeoX-style key RoPEScope does not read
    rs::test::write_file(dir / "config.json", config.dump(2));
    const auto refused = rs::test::run_cli({"info", dir.path().string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("config key \"rotary_emb_base\" = 20000 is not one RoPEScope reads"),
              std::string::npos)
        << refused.err;

    const auto ignored = rs::test::run_cli({"info", dir.path().string(), "--ignore-config-key", "rotary_emb_base"});
    EXPECT_EQ(ignored.exit_code, 0) << ignored.err;
    EXPECT_NE(ignored.err.find("warning: " + (dir / "config.json").string() +
                               ": config key rotary_emb_base is NOT applied"),
              std::string::npos)
        << ignored.err;
    EXPECT_NE(ignored.out.find("rotary_emb_base IGNORED at the user's request"), std::string::npos) << ignored.out;

    const auto trace = rs::test::run_cli({"trace", dir.path().string(), "--ids", "1,2,3,4,5",
                                          "--ignore-config-key", "rotary_emb_base", "-o",
                                          (dir / "run.h5").string(), "--quiet"});
    ASSERT_EQ(trace.exit_code, 0) << trace.err;
    const auto shown = rs::test::run_cli({"show", (dir / "run.h5").string(), "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto j = nlohmann::json::parse(shown.out);
    EXPECT_EQ(j["ignored_config_keys"], nlohmann::json::array({"rotary_emb_base"}));

    const auto typo = rs::test::run_cli(
        {"info", dir.path().string(), "--ignore-config-key", "rotary_emb_base,rotary_emb_bas"});
    EXPECT_EQ(typo.exit_code, 2);
}

}  // namespace
