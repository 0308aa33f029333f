// NoPE layers (SmolLM3) in a trace: the layer is marked, its real heads are measured and tiled,
// and its imaginary heads are absent rather than drawn from an unrotated query (issue 21 item 6).
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace {

using nlohmann::json;

TEST(TraceNoPE, NoPELayerHasRealHeadsOnlyInEveryOutput) {
    rs::test::TempDir dir;
    const std::string trace = (dir / "run.h5").string();
    const std::string ck = rs::test::fixture_dir("smollm3_nope").string();
    const auto run = rs::test::run_cli(
        {"trace", ck, "--ids", "5,17,3,44,9,60,2,71,33,8,12,90", "--f32", "-o", trace, "--quiet"});
    ASSERT_EQ(run.exit_code, 0) << run.err;

    const auto shown = rs::test::run_cli({"show", trace, "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const json j = json::parse(shown.out);
    EXPECT_EQ(j["nope_layers"], json::array({1}));
    for (const auto& h : j["heads"]) {
        const bool nope_imag = h["layer"] == 1 && h["part"] == "imag";
        EXPECT_EQ(h["observed"].get<bool>(), !nope_imag) << h.dump();
    }

    // A real head of the NoPE layer tiles like any other; its imaginary twin is refused by name.
    const auto real = rs::test::run_cli(
        {"tile", trace, "--layer", "1", "--head", "0", "--rows", "0:12", "--cols", "0:12"});
    EXPECT_EQ(real.exit_code, 0) << real.err;
    const auto imag = rs::test::run_cli(
        {"tile", trace, "--layer", "1", "--head", "4", "--rows", "0:12", "--cols", "0:12"});
    EXPECT_EQ(imag.exit_code, 2);
    EXPECT_NE(
        imag.err.find("layer 1 has no RoPE (a NoPE layer): there is no imaginary part, so head 4"),
        std::string::npos)
        << imag.err;
    const auto imag0 = rs::test::run_cli(
        {"tile", trace, "--layer", "0", "--head", "4", "--rows", "0:12", "--cols", "0:12"});
    EXPECT_EQ(imag0.exit_code, 0) << imag0.err;  // layer 0 rotates: its virtual heads exist

    // The attention view (rendered headless by the GUI's own widgets) shows the NoPE layer's real
    // head alone, with the imaginary panel saying why, instead of failing on the missing twin.
    const std::string png = (dir / "nope.png").string();
    const auto drawn = rs::test::run_cli(
        {"render", trace, "--view", "attention", "--layer", "1", "--head", "4", "-o", png});
    EXPECT_EQ(drawn.exit_code, 0) << drawn.err;
    EXPECT_TRUE(std::filesystem::file_size(png) > 1000);

    const auto info = rs::test::run_cli({"info", ck, "--json"});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    bool saw = false;
    const json described = json::parse(info.out);
    for (const auto& s : described["rope_sources"])
        if (s["parameter"] == "NoPE layers") {
            EXPECT_EQ(s["value"], "1");
            saw = true;
        }
    EXPECT_TRUE(saw);
}

}  // namespace
