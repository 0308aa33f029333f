// Sink-aware and query-bucketed head statistics, and their uniform-attention reference, against a
// brute-force computation from the full attention maps of the same run (FullMapProbe) on every
// golden fixture: GQA, RoPE++ EC/EH and vanilla RoPE's virtual imaginary heads.
#include <gtest/gtest.h>

#include <cmath>

#include "distance_bins.h"
#include "freq_bands.h"
#include "error.h"
#include "head_stats.h"
#include "model.h"
#include "query_buckets.h"
#include "tests/full_map_probe.h"
#include "tests/test_util.h"
#include "uniform_reference.h"

using namespace rs;

namespace {

constexpr double kNaN = BucketStats::kNaN;

// One bucket's statistics straight from a full [T, T] probability map, each a plain loop over the
// definition in core/analysis/head_stats.h.
BucketStats brute_bucket(const std::vector<double>& P, int T, const QueryBucket& b,
                         const RunStats& g) {
    const int K = g.sink_exclude;
    const auto& D = g.thresholds;
    const auto& k = g.sink_counts;
    const auto& e = g.bin_edges;
    const std::size_t bins = e.size() - 1;
    std::vector<double> lrm(D.size()), lrm_ex(D.size()), sink(k.size()), bin(bins), bin_ex(bins);
    std::vector<int> nl(D.size()), nlx(D.size()), nk(k.size());
    double ent = 0, dist = 0, dist_ex = 0;
    int rows = 0, rows_ex = 0;
    auto p = [&](int t, int s) { return P[std::size_t(t) * T + s]; };
    for (int t = b.lo; t < b.hi; ++t) {
        ++rows;
        for (int s = 0; s <= t; ++s) {
            if (p(t, s) > 0) ent -= p(t, s) * std::log(p(t, s));
            dist += p(t, s) * (t - s);
            bin[distance_bin(e, t - s)] += p(t, s);
        }
        for (std::size_t i = 0; i < D.size(); ++i)
            if (t >= D[i]) {
                ++nl[i];
                for (int s = 0; s <= t - D[i]; ++s) lrm[i] += p(t, s);
            }
        for (std::size_t i = 0; i < k.size(); ++i)
            if (t >= k[i]) {
                ++nk[i];
                for (int s = 0; s < k[i]; ++s) sink[i] += p(t, s);
            }
        if (t < K) continue;
        double Z = 0;
        for (int s = K; s <= t; ++s) Z += p(t, s);
        ++rows_ex;
        for (int s = K; s <= t; ++s) {
            dist_ex += p(t, s) / Z * (t - s);
            bin_ex[distance_bin(e, t - s)] += p(t, s) / Z;
        }
        for (std::size_t i = 0; i < D.size(); ++i)
            if (t - D[i] >= K) {
                ++nlx[i];
                for (int s = K; s <= t - D[i]; ++s) lrm_ex[i] += p(t, s) / Z;
            }
    }
    auto mean = [](double sum, int n) { return n ? sum / n : kNaN; };
    BucketStats out;
    for (std::size_t i = 0; i < D.size(); ++i) {
        out.long_range_mass.push_back(mean(lrm[i], nl[i]));
        out.long_range_mass_ex.push_back(mean(lrm_ex[i], nlx[i]));
    }
    for (std::size_t i = 0; i < k.size(); ++i) out.sink_mass.push_back(mean(sink[i], nk[i]));
    for (std::size_t i = 0; i < bins; ++i) {
        out.bin_mass.push_back(mean(bin[i], rows));
        out.bin_mass_ex.push_back(mean(bin_ex[i], rows_ex));
    }
    out.mean_distance = mean(dist, rows);
    out.entropy = mean(ent, rows);
    out.mean_distance_ex = mean(dist_ex, rows_ex);
    return out;
}

void expect_same(double got, double want, double tol, const std::string& what) {
    if (std::isnan(want))
        EXPECT_TRUE(std::isnan(got)) << what << ": got " << got << ", want NaN";
    else
        EXPECT_NEAR(got, want, tol * (1 + std::fabs(want))) << what;
}

void expect_same(const std::vector<double>& got, const std::vector<double>& want, double tol,
                 const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (std::size_t i = 0; i < want.size(); ++i)
        expect_same(got[i], want[i], tol, what + "[" + std::to_string(i) + "]");
}

void expect_bucket(const BucketStats& got, const BucketStats& want, double tol) {
    expect_same(got.long_range_mass, want.long_range_mass, tol, "M(D)");
    expect_same(got.mean_distance, want.mean_distance, tol, "mean_distance");
    // The probe's entropy is sum p (lse - logit) with the run's float lse, not -sum p log p.
    expect_same(got.entropy, want.entropy, std::max(tol, 1e-6), "entropy");
    expect_same(got.sink_mass, want.sink_mass, tol, "sink_mass");
    expect_same(got.long_range_mass_ex, want.long_range_mass_ex, tol, "M_ex(D)");
    expect_same(got.mean_distance_ex, want.mean_distance_ex, tol, "mean_distance_ex");
    expect_same(got.bin_mass, want.bin_mass, tol, "bin_mass");
    expect_same(got.bin_mass_ex, want.bin_mass_ex, tol, "bin_mass_ex");
}

// Uniform causal attention p(t,s) = 1/(t+1), as a full map.
// Uniform over the keys query t sees: s <= t, and s > t - W in a sliding window W (0: none).
std::vector<double> uniform_map(int T, int W = 0) {
    std::vector<double> P(std::size_t(T) * T, 0.0);
    for (int t = 0; t < T; ++t) {
        const int lo = W > 0 ? std::max(0, t - W + 1) : 0;
        for (int s = lo; s <= t; ++s) P[std::size_t(t) * T + s] = 1.0 / (t - lo + 1);
    }
    return P;
}

struct Setting {
    std::string name;
    HeadStatsOptions (*options)(int T);
};

// T just above L, k larger than early t, a log bucket with k > every t in it.
HeadStatsOptions just_above(int T) {
    HeadStatsOptions o;
    o.thresholds = {1, 2, 5, 8, 13, T - 1};
    o.sink_counts = {1, 4, 6};
    o.sink_exclude = 4;
    o.train_length = T - 1;
    o.train_length_source = "test";
    o.bucket_edges = {3, 8, 16};
    return o;
}
// T < L: "beyond" is empty (NaN); K larger than the first bucket's queries; no sink excluded.
HeadStatsOptions below(int T) {
    HeadStatsOptions o;
    o.sink_counts = {2, T + 5};
    o.sink_exclude = 9;
    o.train_length = T + 100;
    o.train_length_source = "test";
    o.bucket_edges = {4, 9};
    return o;
}
HeadStatsOptions none_excluded(int T) {
    HeadStatsOptions o;
    o.sink_exclude = 0;
    o.train_length = T / 2;
    o.train_length_source = "test";
    return o;
}

class BucketsVsBruteForce
    : public ::testing::TestWithParam<std::tuple<std::string, Setting>> {};

TEST_P(BucketsVsBruteForce, EveryHeadEveryBucketEveryStatistic) {
    const auto& [fixture, setting] = GetParam();
    const auto fx = test::load_golden_fixture(fixture);
    const int T = int(fx.ids.size());
    Model model(fx.checkpoint);
    HeadStatsProbe probe(true, setting.options(T));
    test::FullMapProbe maps(true);
    ForwardOptions opt;
    opt.block_rows = 5;
    opt.probes = {&probe, &maps};
    model.forward(fx.ids, opt);
    const RunStats& st = probe.stats();
    ASSERT_TRUE(st.has_buckets());
    EXPECT_EQ(st.buckets[0].name, "all");
    const auto& L = fx.checkpoint->layout();
    int compared = 0;
    for (int l = 0; l < st.layers; ++l)
        for (int h = 0; h < st.heads; ++h) {
            if (!maps.has(l, h)) {
                EXPECT_FALSE(st.observed[std::size_t(l) * st.heads + h]);
                continue;
            }
            const auto& m = maps.map(l, h);
            const std::vector<double> P(m.probs.begin(), m.probs.end());
            const HeadStats& got = st.at(l, h);
            ASSERT_EQ(got.buckets.size(), st.buckets.size());
            for (std::size_t b = 0; b < st.buckets.size(); ++b) {
                SCOPED_TRACE(fixture + " layer " + std::to_string(l) + " head " +
                             L.label(h) + " bucket " + st.buckets[b].name);
                expect_bucket(got.buckets[b], brute_bucket(P, T, st.buckets[b], st), 1e-9);
            }
            // The whole-run statistics are bucket "all".
            EXPECT_EQ(got.long_range_mass, got.buckets[0].long_range_mass);
            EXPECT_EQ(got.entropy, got.buckets[0].entropy);
            ++compared;
        }
    EXPECT_GT(compared, 0);
    // The uniform reference, exact sums against the same brute force on a uniform map.
    const auto U = uniform_map(T);
    ASSERT_EQ(st.uniform.size(), st.buckets.size());
    for (std::size_t b = 0; b < st.buckets.size(); ++b) {
        SCOPED_TRACE("uniform, bucket " + st.buckets[b].name);
        expect_bucket(st.uniform[b], brute_bucket(U, T, st.buckets[b], st), 1e-12);
    }
    // A sliding-window layer compares with uniform attention over the keys its window shows.
    ASSERT_EQ(st.layer_window, fx.checkpoint->config().layer_window);
    for (int l = 0; l < st.layers; ++l) {
        const int W = st.window(l);
        const auto UW = uniform_map(T, W);
        ASSERT_EQ(st.uniform_for(l).size(), st.buckets.size());
        for (std::size_t b = 0; b < st.buckets.size(); ++b) {
            SCOPED_TRACE("uniform, layer " + std::to_string(l) + " window " + std::to_string(W) +
                         ", bucket " + st.buckets[b].name);
            expect_bucket(st.uniform_for(l)[b], brute_bucket(UW, T, st.buckets[b], st), 1e-12);
        }
    }
}

const Setting kSettings[] = {{"JustAboveL", just_above}, {"BelowL", below},
                             {"NoneExcluded", none_excluded}};

INSTANTIATE_TEST_SUITE_P(Fixtures, BucketsVsBruteForce,
                         ::testing::Combine(::testing::ValuesIn(test::golden_fixture_names()),
                                            ::testing::ValuesIn(kSettings)),
                         [](const auto& info) {
                             return std::get<0>(info.param) + "_" + std::get<1>(info.param).name;
                         });

TEST(QueryBuckets, RangesForEveryTrainingLength) {
    auto b = make_query_buckets(300, 128, {64, 128, 256});
    ASSERT_EQ(b.size(), 7u);
    EXPECT_EQ(b[0].name, "all");
    EXPECT_EQ(b[1].name, "inside");
    EXPECT_EQ(b[1].hi, 128);
    EXPECT_EQ(b[2].name, "beyond");
    EXPECT_EQ(b[2].lo, 128);
    EXPECT_EQ(b[2].hi, 300);
    EXPECT_EQ(b[3].name, "q0_64");
    EXPECT_EQ(b[6].name, "q256_300");
    // Shorter than L: "beyond" is empty; no L: no inside/beyond.
    b = make_query_buckets(100, 4096, default_query_bucket_edges(100));
    EXPECT_EQ(b[2].lo, 100);
    EXPECT_EQ(b[2].hi, 100);
    EXPECT_EQ(b.size(), 5u);  // all, inside, beyond, q0_64, q64_100
    b = make_query_buckets(100, 0, {});
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[1].name, "q0_100");
    EXPECT_EQ(default_query_bucket_edges(300), (std::vector<int>{64, 128, 256}));
    EXPECT_THROW(make_query_buckets(10, 0, {4, 4}), UsageError);
    EXPECT_THROW(HeadStatsProbe(true, HeadStatsOptions{{}, {0}, 4, 0, {}, {}}), UsageError);
}

TEST(QueryBuckets, UniformReferenceOnALongRunMatchesBruteForce) {
    RunStats g;
    g.tokens = 300;
    g.thresholds = default_mass_thresholds(300);
    g.sink_counts = {1, 4, 64};
    g.sink_exclude = 4;
    g.bin_edges = log_distance_edges(300);
    g.buckets = make_query_buckets(300, 200, default_query_bucket_edges(300));
    const auto U = uniform_map(300);
    const auto ref = uniform_reference(g);
    for (std::size_t b = 0; b < g.buckets.size(); ++b) {
        SCOPED_TRACE(g.buckets[b].name);
        expect_bucket(ref[b], brute_bucket(U, 300, g.buckets[b], g), 1e-12);
    }
    // Known values: the mean distance of uniform attention over queries [0, 300) is mean(t)/2.
    EXPECT_NEAR(ref[0].mean_distance, 299.0 / 4, 1e-12);
    EXPECT_NEAR(ref[0].sink_mass[0], [] {
        double s = 0;
        for (int t = 1; t < 300; ++t) s += 1.0 / (t + 1);
        return s / 299;
    }(), 1e-15);
}

}  // namespace

namespace {

// Rows whose non-sink probabilities all underflow in float: the sink-excluded statistics come from
// the logits (head_stats.h), checked against the renormalised softmax computed in double.
TEST(HeadStatsSinks, UnderflowedNonSinkKeysAreRenormalisedFromTheLogits) {
    const auto fx = test::load_golden_fixture("rope_f32");
    Model model(fx.checkpoint);
    test::FullMapProbe maps(false);
    ForwardOptions opt;
    opt.probes = {&maps};
    model.forward(fx.ids, opt);  // a real RunInfo (layout, spectrum) for the probe
    const RunInfo& info = maps.info();
    const int T = info.tokens, K = 4;
    HeadStatsOptions o;
    o.thresholds = {1, 3, 8};
    o.sink_exclude = K;
    HeadStatsProbe probe(true, o);
    probe.begin_run(info);
    // Sinks at logit 0; the other keys 150 + (t-s)/2 below: exp(-150) is 0 in float.
    std::vector<float> logits(std::size_t(T) * T, -INFINITY), probs(std::size_t(T) * T, 0.0f),
        lse(T);
    auto logit = [](int t, int s) { return s < 4 ? 0.0 : -150.0 - 0.5 * (t - s); };
    for (int t = 0; t < T; ++t) {
        double z = 0;
        for (int s = 0; s <= t; ++s) z += std::exp(logit(t, s));
        lse[t] = float(std::log(z));
        for (int s = 0; s <= t; ++s) {
            logits[std::size_t(t) * T + s] = float(logit(t, s));
            probs[std::size_t(t) * T + s] = float(std::exp(logit(t, s) - std::log(z)));
        }
    }
    AttentionBlock b;
    b.layer = 0;
    b.head = 0;
    b.row_begin = 0;
    b.row_end = T;
    b.logits = logits.data();
    b.probs = probs.data();
    b.lse = lse.data();
    b.ld = T;
    probe.on_block(b);
    probe.end_run();
    const BucketStats& got = probe.stats().at(0, 0).buckets.at(0);
    // Expected: p_ex(t,s) proportional to exp(-(t-s)/2) over s in [K, t].
    double dist = 0;
    std::vector<double> far(o.thresholds.size(), 0.0);
    std::vector<int> n(o.thresholds.size(), 0);
    for (int t = K; t < T; ++t) {
        double z = 0, d = 0;
        for (int s = K; s <= t; ++s) z += std::exp(-0.5 * (t - s));
        for (int s = K; s <= t; ++s) d += std::exp(-0.5 * (t - s)) / z * (t - s);
        dist += d;
        for (std::size_t i = 0; i < o.thresholds.size(); ++i)
            if (t - o.thresholds[i] >= K) {
                ++n[i];
                for (int s = K; s <= t - o.thresholds[i]; ++s) far[i] += std::exp(-0.5 * (t - s)) / z;
            }
    }
    EXPECT_NEAR(got.mean_distance_ex, dist / (T - K), 1e-5);
    for (std::size_t i = 0; i < o.thresholds.size(); ++i)
        EXPECT_NEAR(got.long_range_mass_ex[i], far[i] / n[i], 1e-5) << o.thresholds[i];
    EXPECT_NEAR(got.sink_mass[1], 1.0, 1e-6);  // k = 4: every query t >= 4 attends to the sinks
    double total = 0;
    for (double v : got.bin_mass_ex) total += v;
    EXPECT_NEAR(total, 1.0, 1e-9);
}

}  // namespace

namespace {

// The bands partition the pairs, and their contributions plus the passthrough term add up to the
// head's expected logit (RunStats::expected_logit) at every distance.
TEST(FreqBands, PartitionThePairsAndSumToTheExpectedLogit) {
    const auto bands = frequency_bands(10, 4);
    ASSERT_EQ(bands.size(), 4u);
    EXPECT_EQ(bands[0].first, 0);
    EXPECT_EQ(bands[0].end, 3);  // 10 = 3 + 3 + 2 + 2
    EXPECT_EQ(bands[1].end, 6);
    EXPECT_EQ(bands[3].end, 10);
    EXPECT_EQ(frequency_bands(3, 8).size(), 3u);  // at most one band per pair
    RunStats st;
    st.layers = 1;
    st.heads = 1;
    st.logit_scale = 0.25f;
    st.head.resize(1);
    HeadStats& h = st.head[0];
    std::vector<double> inv_freq;
    for (int i = 0; i < 10; ++i) {
        h.freq_re.push_back(std::cos(1.7 * i) + 0.3);
        h.freq_im.push_back(std::sin(0.9 * i) - 0.2);
        inv_freq.push_back(std::pow(10000.0, -i / 10.0));
    }
    h.passthrough = 0.125;
    for (double dist : {0.0, 1.0, 7.0, 100.0, 4095.0}) {
        double sum = h.passthrough;
        for (const auto& b : bands) sum += band_contribution(h, inv_freq, st.logit_scale, b, dist);
        EXPECT_NEAR(sum, st.expected_logit(0, 0, inv_freq, dist), 1e-12) << dist;
    }
    // One band alone, by hand: pair 9 at distance 7.
    EXPECT_NEAR(band_contribution(h, inv_freq, 0.25, {9, 10}, 7.0),
                0.25 * (h.freq_re[9] * std::cos(inv_freq[9] * 7) - h.freq_im[9] * std::sin(inv_freq[9] * 7)),
                1e-15);
}

}  // namespace
