// The trace commands end to end: trace -> show / tile / export, with --json, CSV output, the
// f32 switch, text input, and clear errors with the right exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "trace_reader.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

std::string ids(int count) {
    std::string s;
    for (int t = 0; t < count; ++t) s += (t ? "," : "") + std::to_string((t * 13 + 5) % 97);
    return s;
}

class TraceCli : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        const auto r =
            test::run_cli({"trace", test::fixture_dir("rope_f32").string(), "--ids", ids(40),
                           "--f32", "-o", (*dir_ / "run.h5").string(), "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        summary_ = new nlohmann::json(nlohmann::json::parse(r.out));
    }
    static void TearDownTestSuite() {
        delete dir_;
        delete summary_;
    }
    static std::string trace() { return (*dir_ / "run.h5").string(); }
    static test::TempDir* dir_;
    static nlohmann::json* summary_;
};
test::TempDir* TraceCli::dir_ = nullptr;
nlohmann::json* TraceCli::summary_ = nullptr;

TEST_F(TraceCli, TraceJsonSummary) {
    EXPECT_EQ((*summary_)["tokens"], 40);
    EXPECT_EQ((*summary_)["layers"], 2);
    EXPECT_EQ((*summary_)["analysis_heads"], 8);
    EXPECT_EQ((*summary_)["qk_dtype"], "f32");
    EXPECT_EQ((*summary_)["bytes"], std::filesystem::file_size(trace()));
}

TEST_F(TraceCli, ShowTableAndJson) {
    auto r = test::run_cli({"show", trace()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("RoPE"), std::string::npos);
    EXPECT_NE(r.out.find("q3 imag (virtual)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("M(16)"), std::string::npos) << r.out;
    r = test::run_cli({"show", trace(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    TraceReader reader = TraceReader::open(trace());
    EXPECT_EQ(j["tokens"], 40);
    EXPECT_EQ(j["variant"], "rope");
    EXPECT_EQ(j["qk_dtype"], "f32");
    ASSERT_EQ(j["heads"].size(), 16u);
    const auto& h = j["heads"][13];  // layer 1, head 5
    EXPECT_EQ(h["layer"], 1);
    EXPECT_EQ(h["head"], 5);
    EXPECT_DOUBLE_EQ(h["entropy"].get<double>(), reader.stats().at(1, 5).entropy);
    EXPECT_DOUBLE_EQ(h["long_range_mass"][0].get<double>(),
                     reader.stats().at(1, 5).long_range_mass[0]);
}

TEST_F(TraceCli, TileJsonMatchesTheReader) {
    const auto r = test::run_cli({"tile", trace(), "--layer", "1", "--head", "6", "--rows", "10:40",
                                  "--cols", "0:40", "--stride", "3", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    TraceReader reader = TraceReader::open(trace());
    const Tile t = reader.tile({1, 6, 10, 40, 0, 40, 3, TileValues::Probability});
    ASSERT_EQ(j["rows"].size(), std::size_t(t.rows));
    ASSERT_EQ(j["cols"].size(), std::size_t(t.cols));
    EXPECT_EQ(j["rows"][1], 13);
    EXPECT_EQ(j["label"], "q2 imag (virtual)");
    EXPECT_EQ(j["pooling"], "subsample");
    for (int i = 0; i < t.rows; ++i)
        for (int k = 0; k < t.cols; ++k) EXPECT_EQ(j["values"][i][k].get<float>(), t.at(i, k));
    EXPECT_LT(j["prob_rel_error_bound"].get<double>(), 1e-4);
}

TEST_F(TraceCli, TileCsvAndLogitsAndPooling) {
    const auto csv = *dir_ / "tile.csv";
    auto r = test::run_cli({"tile", trace(), "--layer", "0", "--head", "2", "--rows", "0:4",
                            "--cols", "0:4", "--logits", "-o", csv.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = test::read_file(csv);
    EXPECT_EQ(text.substr(0, text.find('\n')), "row,0,1,2,3");
    EXPECT_NE(text.find("-inf"), std::string::npos);  // masked logits above the diagonal
    r = test::run_cli({"tile", trace(), "--layer", "0", "--head", "2", "--rows", "0:40", "--cols",
                       "0:40", "--stride", "8", "--pool", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["pooling"], "mean");
    double mass = 0;  // each pooled 8 x 8 cell times its area; all rows sum to one
    for (const auto& row : j["values"])
        for (const auto& v : row) mass += v.get<double>() * 64;
    EXPECT_NEAR(mass, 40.0, 1e-4);
}

TEST_F(TraceCli, ExportEveryTable) {
    auto r = test::run_cli({"export", trace(), "--what", "nll", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["rows"].size(), 39u);
    TraceReader reader = TraceReader::open(trace());
    EXPECT_FLOAT_EQ(j["rows"][7]["nll"].get<float>(), reader.token_nll()[7]);
    EXPECT_EQ(j["rows"][7]["next_token_id"], reader.meta().input.ids[8]);

    const auto csv = *dir_ / "stats.csv";
    r = test::run_cli({"export", trace(), "--what", "stats", "-o", csv.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string stats = test::read_file(csv);
    EXPECT_EQ(std::count(stats.begin(), stats.end(), '\n'), 17);  // header + 2 layers x 8 heads
    // The half-octave default grid of 40 tokens ends 16, 23, 32.
    EXPECT_NE(stats.find("M_16,M_23,M_32,mean_distance,entropy"), std::string::npos) << stats.substr(0, 200);

    r = test::run_cli({"export", trace(), "--what", "curves"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "curve,layer,head,label,distance,value");
    // 4 uniform curves + one expected-logit curve per layer and head, 256 distances each.
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1 + (4 + 16) * 256);
}

TEST_F(TraceCli, NoiseSweepIsStored) {
    const auto path = (*dir_ / "noise.h5").string();
    auto r = test::run_cli({"trace", test::fixture_dir("rope_pp_eh_f32").string(), "--ids", ids(24),
                            "--noise", "0.5,2", "--seed", "7", "-o", path, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["noise_sweeps"], 1);
    TraceReader reader = TraceReader::open(path);
    ASSERT_EQ(reader.noise().size(), 1u);
    EXPECT_EQ(reader.noise()[0].seed, 7u);
    EXPECT_EQ(reader.noise()[0].points.size(), 4u);  // real and imag targets x 2 sigmas
    EXPECT_EQ(reader.noise()[0].points[1].sigma, 2.0);
}

TEST_F(TraceCli, Errors) {
    auto r = test::run_cli(
        {"tile", trace(), "--layer", "0", "--head", "8", "--rows", "0:4", "--cols", "0:4"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("head 8 is outside 0..7"), std::string::npos) << r.err;
    r = test::run_cli(
        {"tile", trace(), "--layer", "0", "--head", "0", "--rows", "4", "--cols", "0:4"});
    EXPECT_EQ(r.exit_code, 2);
    r = test::run_cli({"export", trace(), "--what", "maps"});
    EXPECT_EQ(r.exit_code, 2);
    const auto bad = *dir_ / "bad.h5";
    test::write_file(bad, "not a trace");
    r = test::run_cli({"show", bad.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(bad.string() + ": not an HDF5 file"), std::string::npos) << r.err;
    r = test::run_cli({"trace", test::fixture_dir("rope_f32").string(), "--ids", "1,2,3", "--f16",
                       "--f32", "-o", (*dir_ / "x.h5").string()});
    EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
