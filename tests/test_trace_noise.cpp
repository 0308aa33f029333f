// The trace's noise group: sweeps of several seeds with their ΔNLL buckets round-trip exactly
// (written by a trace run and by the GUI's save path), older sweeps without buckets still read,
// and damaged noise data is refused naming the file and the dataset (docs/trace-format.md).
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>

#include "error.h"
#include "noise_experiment.h"
#include "trace_reader.h"
#include "trace_writer.h"
#include "tests/test_util.h"
#include "tests/trace/trace_fixture.h"

using namespace rs;

namespace {

namespace fs = std::filesystem;

constexpr int kTokens = 40;

void expect_same(const std::vector<double>& a, const std::vector<double>& b, const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(b[i])) {
            EXPECT_TRUE(std::isnan(a[i])) << what << " " << i;
        } else {
            EXPECT_EQ(a[i], b[i]) << what << " " << i;
        }
    }
}

void expect_same_sweeps(const std::vector<NoiseSweep>& got, const std::vector<NoiseSweep>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t s = 0; s < want.size(); ++s) {
        EXPECT_EQ(got[s].seed, want[s].seed);
        EXPECT_EQ(got[s].position_edges, want[s].position_edges);
        EXPECT_EQ(got[s].position_tokens, want[s].position_tokens);
        EXPECT_EQ(got[s].distance_edges, want[s].distance_edges);
        EXPECT_EQ(got[s].distance_tokens, want[s].distance_tokens);
        expect_same(got[s].baseline_nll_by_position, want[s].baseline_nll_by_position, "baseline by position");
        expect_same(got[s].baseline_nll_by_distance, want[s].baseline_nll_by_distance, "baseline by distance");
        ASSERT_EQ(got[s].points.size(), want[s].points.size());
        for (std::size_t p = 0; p < want[s].points.size(); ++p) {
            EXPECT_EQ(got[s].points[p].mean_nll, want[s].points[p].mean_nll);
            expect_same(got[s].points[p].delta_nll_by_position, want[s].points[p].delta_nll_by_position, "by position");
            expect_same(got[s].points[p].delta_nll_by_distance, want[s].points[p].delta_nll_by_distance, "by distance");
        }
    }
}

class TraceNoise : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir("rope_pp_ec_f32").string()));
        Model model(ck);
        ids_ = new std::vector<std::int32_t>(test::test_ids(kTokens, ck->config().vocab_size));
        NoiseOptions opt;
        opt.sigmas = {0.4, 1.5};
        const std::vector<std::uint64_t> seeds{5, 6};
        sweeps_ = new std::vector<NoiseSweep>(run_noise_experiments(model, *ids_, opt, seeds));
        TraceTokens in;
        in.ids = *ids_;
        test::trace_fixture("rope_pp_ec_f32", *dir_ / "good.h5", kTokens, QKPrecision::F16, in, *sweeps_);
    }
    static void TearDownTestSuite() {
        delete dir_;
        delete sweeps_;
        delete ids_;
    }
    static fs::path copy(const std::string& name) {
        const fs::path p = *dir_ / name;
        fs::copy_file(*dir_ / "good.h5", p, fs::copy_options::overwrite_existing);
        return p;
    }
    static test::TempDir* dir_;
    static std::vector<NoiseSweep>* sweeps_;
    static std::vector<std::int32_t>* ids_;
};
test::TempDir* TraceNoise::dir_ = nullptr;
std::vector<NoiseSweep>* TraceNoise::sweeps_ = nullptr;
std::vector<std::int32_t>* TraceNoise::ids_ = nullptr;

TEST_F(TraceNoise, SeedsAndBucketsRoundTrip) {
    TraceReader r = TraceReader::open((*dir_ / "good.h5").string());
    expect_same_sweeps(r.noise(), *sweeps_);
}

TEST_F(TraceNoise, TheGuiSavePathKeepsSweepsRunAfterTheTrace) {
    const fs::path src = copy("before_save.h5");
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir("rope_pp_ec_f32").string()));
    Model model(ck);
    NoiseOptions opt;
    opt.sigmas = paper_sigmas();
    opt.targets = {NoiseTarget::Imag};
    std::vector<NoiseSweep> all = *sweeps_;
    const std::uint64_t seeds[] = {11, 12, 13};
    for (auto& s : run_noise_experiments(model, *ids_, opt, seeds)) all.push_back(std::move(s));
    const fs::path dest = *dir_ / "saved.h5";
    save_trace_with_noise(src.string(), dest.string(), all);
    TraceReader r = TraceReader::open(dest.string());
    expect_same_sweeps(r.noise(), all);
}

// Writes `value` at `at` of dataset `path` (converted from double).
void poke(const fs::path& file, const std::string& path, std::vector<hsize_t> at, double value) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const hid_t d = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
    ASSERT_GE(d, 0) << path;
    const hid_t fs = H5Dget_space(d);
    std::vector<hsize_t> one(at.size(), 1);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, at.data(), nullptr, one.data(), nullptr);
    const hid_t ms = H5Screate_simple(1, one.data(), nullptr);
    EXPECT_GE(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &value), 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    EXPECT_GE(H5Fclose(f), 0);
}

void remove(const fs::path& file, const std::string& path) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    EXPECT_GE(H5Ldelete(f, path.c_str(), H5P_DEFAULT), 0) << path;
    EXPECT_GE(H5Fclose(f), 0);
}

std::string noise_error(const fs::path& p) {
    TraceReader r = TraceReader::open(p.string());
    try {
        r.noise();
    } catch (const FileError& e) {
        EXPECT_EQ(e.path(), p.string());
        return e.what();
    }
    return "";
}

std::string damaged(const fs::path& p, const std::string& why) {
    return p.string() + ": damaged or incomplete trace: " + why;
}

TEST_F(TraceNoise, DamagedNoiseValuesAreRefusedNamingTheDataset) {
    const std::string g = "experiments/noise/1";
    const fs::path a = copy("nan_delta.h5");
    poke(a, g + "/delta_nll_by_position", {1, 0}, NAN);
    EXPECT_EQ(noise_error(a), damaged(a, "dataset '" + g + "/delta_nll_by_position' holds NaN at [3]; the bucket has predictions, so its mean is finite"));

    const fs::path b = copy("inf_sigma.h5");
    poke(b, g + "/sigma", {0}, INFINITY);
    EXPECT_EQ(noise_error(b), damaged(b, "dataset '" + g + "/sigma' holds +Inf at [0]; a noise standard deviation is finite and >= 0"));

    const fs::path c = copy("counts.h5");
    poke(c, g + "/position_tokens", {0}, 3);
    EXPECT_NE(noise_error(c).find("dataset '" + g + "/position_tokens' counts"), std::string::npos) << noise_error(c);

    const fs::path d = copy("edges.h5");
    poke(d, g + "/distance_edges", {1}, 1);
    EXPECT_EQ(noise_error(d), damaged(d, "dataset '" + g + "/distance_edges' must rise strictly from 1 to 40 (the trace's tokens fix both ends)"));

    const fs::path o = copy("thresholds_order.h5");  // they label M(D): out of order is damage
    ASSERT_GE((*sweeps_)[1].thresholds.size(), 3u);
    ASSERT_GT((*sweeps_)[1].thresholds[1], 1);
    poke(o, g + "/thresholds", {2}, 1);
    EXPECT_EQ(
        noise_error(o),
        damaged(
            o,
            "dataset '" + g +
                "/thresholds' holds 1 at [2]; distance thresholds are >= 1, in increasing order"));

    const fs::path e = copy("mass.h5");
    poke(e, "experiments/noise/0/long_range_mass_imag", {0, 0}, 7.5);
    EXPECT_NE(noise_error(e).find("'experiments/noise/0/long_range_mass_imag' holds 7.5"), std::string::npos) << noise_error(e);

    const fs::path f = copy("missing.h5");
    remove(f, g + "/delta_nll_by_distance");
    EXPECT_EQ(noise_error(f), damaged(f, "dataset '" + g + "/delta_nll_by_distance' is missing"));

    const fs::path t = copy("tokens_wrapped.h5");
    {  // 2^32 + 40 narrows to the trace's 40 tokens: compared as stored, it is refused
        const hid_t file = H5Fopen(t.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        const hid_t grp = H5Gopen2(file, g.c_str(), H5P_DEFAULT);
        const std::int64_t wrapped = (std::int64_t(1) << 32) + 40;
        const hid_t a = H5Aopen(grp, "tokens", H5P_DEFAULT);
        EXPECT_GE(H5Awrite(a, H5T_NATIVE_INT64, &wrapped), 0);
        H5Aclose(a);
        H5Gclose(grp);
        EXPECT_GE(H5Fclose(file), 0);
    }
    EXPECT_EQ(noise_error(t), damaged(t, "'" + g + "' attribute 'tokens' = 4294967336, but the trace has 40 tokens"));

    const fs::path h = copy("empty_bucket.h5");
    // A bucket with predictions holding NaN is refused; so is an empty one holding a number.
    const NoiseSweep& s = (*sweeps_)[1];
    std::size_t empty = 0;
    while (empty < s.distance_tokens.size() && s.distance_tokens[empty] != 0) ++empty;
    if (empty < s.distance_tokens.size()) {
        poke(h, g + "/baseline_nll_by_distance", {empty}, 1.0);
        EXPECT_NE(noise_error(h).find("the bucket is empty, so its mean is NaN"), std::string::npos) << noise_error(h);
    }
}

TEST_F(TraceNoise, TheShowAndExportCommandsReadTheNoiseGroup) {
    const auto path = (*dir_ / "good.h5").string();
    auto r = test::run_cli({"export", path, "--what", "noise"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ci95_lo"), std::string::npos) << r.out.substr(0, 400);
    EXPECT_NE(r.out.find("delta_nll_by_position"), std::string::npos);
    r = test::run_cli({"show", path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("2 seeds"), std::string::npos) << r.out;
    const fs::path bad = copy("show_bad.h5");
    poke(bad, "experiments/noise/0/mean_nll", {1}, NAN);
    r = test::run_cli({"export", bad.string(), "--what", "noise"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("experiments/noise/0/mean_nll"), std::string::npos) << r.err;
}

TEST(TraceNoiseCli, SeedsWithoutANoiseSweepAreRefusedByName) {
    test::TempDir tmp;
    const auto dir = test::fixture_dir("rope_f32").string();
    for (const char* option : {"--seed", "--seeds"}) {
        const auto r = test::run_cli({"trace", dir, "--ids", "1,2,3,4,5", option, "3", "-o", (tmp / "t.h5").string()});
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_NE(r.err.find(std::string(option) + " applies to a noise sweep"), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(tmp / "t.h5"));
    }
    const auto both = test::run_cli({"noise", dir, "--ids", "1,2,3,4,5", "--sigma", "1", "--sigmas", "paper"});
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_NE(both.err.find("--sigma or --sigmas"), std::string::npos) << both.err;
}

}  // namespace
