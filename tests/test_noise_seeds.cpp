// The noise experiment as the paper runs it: several seeds sharing one baseline, the paper's
// sigma grid, ΔNLL by query-position and recurrence-distance bucket (against the definition and
// the per-token NLL of direct forward passes), and the 95% seed interval against numpy/scipy.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "noise_experiment.h"
#include "noise_summary.h"
#include "seed_interval.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

std::shared_ptr<const Checkpoint> open(const std::string& name) {
    return test::open_fixture(name);
}

std::vector<std::int32_t> repeating_ids(int n) {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * i * 7 + 3) % 23);  // tokens recur at many distances
    return ids;
}

TEST(NoiseSeeds, EachSeedEqualsItsOwnSingleSweepAndTheBaselineIsShared) {
    Model model(open("rope_pp_ec_f32"));
    const auto ids = repeating_ids(40);
    NoiseOptions opt;
    opt.sigmas = {0.5, 1.5};
    long runs = 0;
    opt.progress = [&](long done, long total) {
        runs = done;
        EXPECT_EQ(total, 1 + 3 * 2 * 2);
        return true;
    };
    const std::vector<std::uint64_t> seeds{3, 4, 9};
    const auto sweeps = run_noise_experiments(model, ids, opt, seeds);
    EXPECT_EQ(runs, 1 + 3 * 2 * 2) << "one baseline for every seed";
    ASSERT_EQ(sweeps.size(), 3u);
    opt.progress = {};
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        opt.seed = seeds[i];
        const NoiseSweep one = run_noise_experiment(model, ids, opt);
        EXPECT_EQ(sweeps[i].seed, seeds[i]);
        EXPECT_EQ(sweeps[i].baseline_nll, one.baseline_nll);
        ASSERT_EQ(sweeps[i].points.size(), one.points.size());
        for (std::size_t p = 0; p < one.points.size(); ++p) {
            EXPECT_EQ(sweeps[i].points[p].mean_nll, one.points[p].mean_nll);
            EXPECT_EQ(sweeps[i].points[p].delta_nll_by_position, one.points[p].delta_nll_by_position);
        }
    }
    EXPECT_NE(sweeps[0].points[1].mean_nll, sweeps[1].points[1].mean_nll);
}

TEST(NoiseSeeds, PaperGrid) {
    const std::vector<double> want{0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5};
    EXPECT_EQ(paper_sigmas(), want);
}

TEST(NoiseBuckets, FollowTheDefinition) {
    const auto ids = repeating_ids(70);
    const NoiseBuckets b = noise_buckets(ids);
    EXPECT_EQ(b.position_edges, (std::vector<int>{0, 16, 32, 64, 69}));
    EXPECT_EQ(b.distance_edges, (std::vector<int>{1, 2, 4, 8, 16, 32, 64, 70}));
    ASSERT_EQ(b.position_of.size(), 69u);
    std::vector<long> pos(4, 0), dist(8, 0);
    for (int t = 0; t + 1 < 70; ++t) {
        int p = 0;
        while (!(b.position_edges[p] <= t && t < b.position_edges[p + 1])) ++p;
        EXPECT_EQ(b.position_of[t], p) << t;
        int prev = -1;  // brute force: scan back for the predicted token's last occurrence
        for (int s = t; s >= 0 && prev < 0; --s)
            if (ids[s] == ids[t + 1]) prev = s;
        int r = 7;
        if (prev >= 0) {
            const int d = t + 1 - prev;
            r = 0;
            while (!(b.distance_edges[r] <= d && d < b.distance_edges[r + 1])) ++r;
        }
        EXPECT_EQ(b.distance_of[t], r) << t;
        ++pos[p];
        ++dist[r];
    }
    EXPECT_EQ(b.position_tokens, pos);
    EXPECT_EQ(b.distance_tokens, dist);
}

TEST(NoiseBuckets, DeltasAverageToTheWholeDeltaAndBaselinesAreTheDirectNll) {
    Model model(open("rope_pp_eh_f32"));
    const auto ids = repeating_ids(60);
    NoiseOptions opt;
    opt.sigmas = {0.0, 1.0};
    const NoiseSweep s = run_noise_experiment(model, ids, opt);
    const auto direct = model.forward(ids);
    const NoiseBuckets b = noise_buckets(ids);
    std::vector<double> nll(direct.nll.begin(), direct.nll.end());
    const auto want_pos = bucket_means(nll, b.position_of, b.position_tokens.size());
    const auto want_dist = bucket_means(nll, b.distance_of, b.distance_tokens.size());
    ASSERT_EQ(s.baseline_nll_by_position.size(), want_pos.size());
    for (std::size_t k = 0; k < want_pos.size(); ++k) EXPECT_EQ(s.baseline_nll_by_position[k], want_pos[k]) << k;
    for (std::size_t k = 0; k < want_dist.size(); ++k) {
        if (std::isnan(want_dist[k])) {
            EXPECT_TRUE(std::isnan(s.baseline_nll_by_distance[k])) << k;
        } else {
            EXPECT_EQ(s.baseline_nll_by_distance[k], want_dist[k]) << k;
        }
    }
    for (const NoisePoint& p : s.points) {
        double by_pos = 0, by_dist = 0;
        for (std::size_t k = 0; k < b.position_tokens.size(); ++k)
            by_pos += p.delta_nll_by_position[k] * double(b.position_tokens[k]);
        for (std::size_t k = 0; k < b.distance_tokens.size(); ++k)
            if (b.distance_tokens[k] > 0) by_dist += p.delta_nll_by_distance[k] * double(b.distance_tokens[k]);
        EXPECT_NEAR(by_pos / 59.0, p.delta_nll, 1e-6) << p.sigma;
        EXPECT_NEAR(by_dist / 59.0, p.delta_nll, 1e-6) << p.sigma;
        if (p.sigma == 0) {
            for (double v : p.delta_nll_by_position) EXPECT_EQ(v, 0.0);
        }
    }
}

// Runs python with numpy/scipy on `values` (one list per line) and returns its lines:
// "mean sd lo hi" per list.
std::vector<std::array<double, 4>> numpy_intervals(const std::vector<std::vector<double>>& lists) {
    test::TempDir tmp;
    std::ostringstream in;
    in.precision(17);
    for (const auto& l : lists) {
        for (std::size_t i = 0; i < l.size(); ++i) in << (i ? " " : "") << l[i];
        in << "\n";
    }
    test::write_file(tmp / "values.txt", in.str());
    test::write_file(tmp / "ci.py",
                     "import sys, numpy as np\n"
                     "from scipy import stats\n"
                     "for line in open(sys.argv[1]):\n"
                     "    x = np.array([float(v) for v in line.split()])\n"
                     "    m, s = x.mean(), x.std(ddof=1)\n"
                     "    h = stats.t.ppf(0.975, len(x) - 1) * s / np.sqrt(len(x))\n"
                     "    print(repr(m), repr(s), repr(m - h), repr(m + h))\n");
    const std::string cmd = "/usr/bin/python3 " + (tmp / "ci.py").string() + " " + (tmp / "values.txt").string();
    FILE* p = popen(cmd.c_str(), "r");
    EXPECT_NE(p, nullptr);
    std::vector<std::array<double, 4>> out;
    std::array<double, 4> row{};
    while (p && std::fscanf(p, "%lf %lf %lf %lf", &row[0], &row[1], &row[2], &row[3]) == 4) out.push_back(row);
    if (p) {
        EXPECT_EQ(pclose(p), 0);
    }
    return out;
}

TEST(SeedInterval, EqualsNumpyAndScipy) {
    const std::vector<std::vector<double>> lists{
        {0.31, 0.29},
        {1.0, 2.0, 4.0},
        {0.012, -0.004, 0.020, 0.007, 0.015},
        {3.25, 3.5, 2.75, 3.0, 3.125, 3.375, 2.875, 3.0625, 3.1875, 3.3125},
        {5, 6, 5, 7, 4, 6, 5, 6, 5, 7, 6, 5, 4, 6, 5, 6, 7, 5, 6, 4, 5, 6, 5, 7, 6, 5, 6, 4, 5, 6, 5},
    };
    const auto want = numpy_intervals(lists);
    ASSERT_EQ(want.size(), lists.size());
    for (std::size_t i = 0; i < lists.size(); ++i) {
        const SeedInterval got = seed_interval_95(lists[i]);
        EXPECT_EQ(got.n, int(lists[i].size()));
        EXPECT_NEAR(got.mean, want[i][0], 1e-12 * (1 + std::abs(want[i][0]))) << i;
        EXPECT_NEAR(got.sd, want[i][1], 1e-12 * (1 + want[i][1])) << i;
        EXPECT_NEAR(got.lo, want[i][2], 1e-10 * (1 + std::abs(want[i][2]))) << i;
        EXPECT_NEAR(got.hi, want[i][3], 1e-10 * (1 + std::abs(want[i][3]))) << i;
    }
}

TEST(SeedInterval, OneSeedHasNoIntervalAndNaNsAreLeftOut) {
    const std::vector<double> one{0.5};
    const SeedInterval a = seed_interval_95(one);
    EXPECT_EQ(a.n, 1);
    EXPECT_EQ(a.mean, 0.5);
    EXPECT_TRUE(std::isnan(a.lo) && std::isnan(a.hi) && std::isnan(a.sd));
    const std::vector<double> with_nan{1.0, NAN, 3.0};
    const SeedInterval b = seed_interval_95(with_nan);
    EXPECT_EQ(b.n, 2);
    EXPECT_EQ(b.mean, 2.0);
}

TEST(NoiseSummary, GroupsSweepsOfOneDesignAcrossSeeds) {
    Model model(open("rope_f32"));
    const auto ids = repeating_ids(30);
    NoiseOptions opt;
    opt.sigmas = {1.0};
    const std::vector<std::uint64_t> seeds{1, 2, 3};
    auto sweeps = run_noise_experiments(model, ids, opt, seeds);
    opt.sigmas = {2.0};
    sweeps.push_back(run_noise_experiment(model, ids, opt));  // another design
    const auto summary = summarize_noise(sweeps);
    ASSERT_EQ(summary.size(), 2u);
    EXPECT_EQ(summary[0].seeds, seeds);
    EXPECT_EQ(summary[0].sweeps, (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(summary[1].sweeps, (std::vector<std::size_t>{3}));
    const std::vector<double> d{sweeps[0].points[0].delta_nll, sweeps[1].points[0].delta_nll,
                                sweeps[2].points[0].delta_nll};
    const SeedInterval want = seed_interval_95(d);
    EXPECT_EQ(summary[0].points[0].delta_nll.lo, want.lo);
    EXPECT_EQ(summary[0].points[0].delta_nll.hi, want.hi);
    EXPECT_EQ(summary[1].points[0].delta_nll.n, 1);
}

}  // namespace
