// Trace store round trip: everything the writer stores reads back equal to what the run computed
// (metadata, head layout, Q/K, lse, statistics, NLL, curves, noise sweeps, overview pyramid).
#include <gtest/gtest.h>

#include <cmath>

#include "dtype.h"
#include "error.h"
#include "noise_experiment.h"
#include "trace_curves.h"
#include "trace_reader.h"
#include "tests/trace/trace_fixture.h"

using namespace rs;

namespace {

// Equal, with NaN equal to NaN.
bool same(double a, double b) {
    return a == b || (std::isnan(a) && std::isnan(b));
}

void expect_same(const std::vector<double>& a, const std::vector<double>& b,
                 const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t i = 0; i < a.size(); ++i)
        EXPECT_TRUE(same(a[i], b[i])) << what << "[" << i << "] " << a[i] << " vs " << b[i];
}

TraceTokens text_input(int T) {
    TraceTokens in;
    in.text = "h\xc3\xa9llo, \"world\"\n";
    for (int t = 0; t < T; ++t) {
        in.ids.push_back(std::int32_t((t * 5 + 3) % 97));
        in.display.push_back(t % 2 ? "\xc2\xb7tok," + std::to_string(t) : "");
        in.offsets.emplace_back(std::size_t(t), std::size_t(t + 1));
    }
    return in;
}

TEST(TraceRoundTrip, MetadataAndLayout) {
    test::TempDir dir;
    const auto path = dir / "run.h5";
    const int T = 23;
    const TraceTokens input = text_input(T);
    auto run = test::trace_fixture("rope_pp_ec_f32", path, T, QKPrecision::F32, input);
    TraceReader r = TraceReader::open(path.string());
    const TraceMeta& m = r.meta();
    EXPECT_EQ(m.schema_version, 1);
    EXPECT_EQ(m.created_by, "RoPEScope " ROPESCOPE_VERSION);
    EXPECT_EQ(m.created_at.size(), 20u);  // 2026-01-02T03:04:05Z
    EXPECT_EQ(m.checkpoint_path,
              std::filesystem::absolute(run->ck->dir()).lexically_normal().string());
    EXPECT_EQ(m.config_json, run->ck->config().source_text);
    EXPECT_EQ(m.tokens, T);
    EXPECT_EQ(m.layers, run->ck->config().num_hidden_layers);
    EXPECT_EQ(m.qk_precision, QKPrecision::F32);
    EXPECT_EQ(m.input.ids, input.ids);
    EXPECT_EQ(m.input.display, input.display);
    EXPECT_EQ(m.input.offsets, input.offsets);
    EXPECT_EQ(m.input.text, input.text);

    const HeadLayout& want = run->ck->layout();
    EXPECT_EQ(m.layout.variant, want.variant);
    EXPECT_EQ(m.layout.head_dim, want.head_dim);
    EXPECT_EQ(m.layout.query_heads, want.query_heads);
    EXPECT_EQ(m.layout.kv_heads, want.kv_heads);
    EXPECT_EQ(m.layout.model_heads, want.model_heads);
    ASSERT_EQ(m.layout.analysis_heads(), want.analysis_heads());
    for (const auto& h : want.heads) {
        const HeadInfo& g = m.layout.heads[h.index];
        EXPECT_EQ(g.query_head, h.query_head);
        EXPECT_EQ(g.kv_head, h.kv_head);
        EXPECT_EQ(g.imag, h.imag);
        EXPECT_EQ(g.is_virtual, h.is_virtual);
        EXPECT_EQ(g.twin, h.twin);
    }
    const RopeSpectrum& rope = run->full.info().rope[0];
    EXPECT_EQ(m.rope.inv_freq_f32, rope.inv_freq_f32);
    EXPECT_EQ(m.rope.inv_freq, rope.inv_freq);
    EXPECT_EQ(m.rope.rotary_dim, rope.rotary_dim);
    EXPECT_EQ(m.rope.cos_sin_scale, rope.cos_sin_scale);
    EXPECT_EQ(m.rope_theta, run->ck->config().rope_params().theta);
    EXPECT_EQ(m.logit_scale, run->full.info().logit_scale);
}

TEST(TraceRoundTrip, IdsOnlyInputHasNoStringsOrOffsets) {
    test::TempDir dir;
    auto run = test::trace_fixture("rope_f32", dir / "run.h5", 9, QKPrecision::F16);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    EXPECT_TRUE(r.meta().input.offsets.empty());
    EXPECT_TRUE(r.meta().input.display.empty());
    EXPECT_TRUE(r.meta().input.text.empty());
}

// Q/K as stored: f32 bit for bit, f16 exactly the round-to-nearest-even halves of the run's values.
class TraceQK : public ::testing::TestWithParam<QKPrecision> {};

TEST_P(TraceQK, StoredQueriesKeysAndLse) {
    test::TempDir dir;
    const int T = 19;
    auto run = test::trace_fixture("rope_pp_eh_f32", dir / "run.h5", T, GetParam());
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    const auto& L = run->ck->layout();
    const int d = L.head_dim;
    auto stored = [&](float v) {
        return GetParam() == QKPrecision::F32 ? v : f16_to_f32(f32_to_f16_rne(v));
    };
    for (int l = 0; l < r.meta().layers; ++l) {
        const auto& [q, k] = run->full.qk(l);
        for (int h = 0; h < L.query_heads; ++h) {
            const auto got = r.queries(l, h);
            for (int t = 0; t < T; ++t)
                for (int i = 0; i < d; ++i)
                    ASSERT_EQ(got[std::size_t(t) * d + i], stored(q(t, h * d + i)))
                        << l << " " << h;
        }
        for (int h = 0; h < L.kv_heads; ++h) {
            const auto got = r.keys(l, h);
            for (int t = 0; t < T; ++t)
                for (int i = 0; i < d; ++i)
                    ASSERT_EQ(got[std::size_t(t) * d + i], stored(k(t, h * d + i)))
                        << l << " " << h;
        }
        for (int a = 0; a < L.analysis_heads(); ++a)
            EXPECT_EQ(r.lse(l, a), run->full.map(l, a).lse) << l << " " << a;
    }
}

INSTANTIATE_TEST_SUITE_P(Precision, TraceQK, ::testing::Values(QKPrecision::F16, QKPrecision::F32));

void expect_same_bucket(const BucketStats& a, const BucketStats& b, const std::string& at) {
    expect_same(a.long_range_mass, b.long_range_mass, at + " lrm");
    EXPECT_TRUE(same(a.mean_distance, b.mean_distance)) << at;
    EXPECT_TRUE(same(a.entropy, b.entropy)) << at;
    expect_same(a.sink_mass, b.sink_mass, at + " sink_mass");
    expect_same(a.long_range_mass_ex, b.long_range_mass_ex, at + " lrm_ex");
    EXPECT_TRUE(same(a.mean_distance_ex, b.mean_distance_ex)) << at;
    expect_same(a.bin_mass, b.bin_mass, at + " bin_mass");
    expect_same(a.bin_mass_ex, b.bin_mass_ex, at + " bin_mass_ex");
}

TEST(TraceRoundTrip, StatisticsNllAndCurves) {
    test::TempDir dir;
    const int T = 80;  // past the first M(D) threshold (16) and several distance bins
    auto run = test::trace_fixture("rope_f32", dir / "run.h5", T, QKPrecision::F16);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    const RunStats& a = r.stats();
    const RunStats& b = run->stats;
    ASSERT_FALSE(b.thresholds.empty());
    EXPECT_EQ(a.tokens, b.tokens);
    EXPECT_EQ(a.layers, b.layers);
    EXPECT_EQ(a.heads, b.heads);
    EXPECT_EQ(a.logit_scale, b.logit_scale);
    EXPECT_EQ(a.thresholds, b.thresholds);
    EXPECT_EQ(a.bin_edges, b.bin_edges);
    EXPECT_EQ(a.observed, b.observed);
    for (std::size_t n = 0; n < b.head.size(); ++n) {
        const std::string at = "head record " + std::to_string(n);
        expect_same(a.head[n].long_range_mass, b.head[n].long_range_mass, at + " lrm");
        EXPECT_TRUE(same(a.head[n].mean_distance, b.head[n].mean_distance)) << at;
        EXPECT_TRUE(same(a.head[n].entropy, b.head[n].entropy)) << at;
        expect_same(a.head[n].bin_mass, b.head[n].bin_mass, at + " bin_mass");
        expect_same(a.head[n].bin_logit, b.head[n].bin_logit, at + " bin_logit");
        expect_same(a.head[n].bin_pairs, b.head[n].bin_pairs, at + " bin_pairs");
        expect_same(a.head[n].freq_re, b.head[n].freq_re, at + " freq_re");
        expect_same(a.head[n].freq_im, b.head[n].freq_im, at + " freq_im");
        EXPECT_TRUE(same(a.head[n].passthrough, b.head[n].passthrough)) << at;
        ASSERT_EQ(a.head[n].buckets.size(), b.head[n].buckets.size()) << at;
        for (std::size_t q = 0; q < b.head[n].buckets.size(); ++q)
            expect_same_bucket(a.head[n].buckets[q], b.head[n].buckets[q],
                               at + " bucket " + std::to_string(q));
    }
    // Sink-aware, query-bucketed statistics and their uniform reference.
    ASSERT_TRUE(b.has_buckets());
    EXPECT_GT(b.train_length, 0);
    EXPECT_EQ(b.train_length_source, "max_position_embeddings");
    EXPECT_EQ(a.sink_counts, b.sink_counts);
    EXPECT_EQ(a.sink_exclude, b.sink_exclude);
    EXPECT_EQ(a.train_length, b.train_length);
    EXPECT_EQ(a.train_length_source, b.train_length_source);
    ASSERT_EQ(a.buckets.size(), b.buckets.size());
    for (std::size_t q = 0; q < b.buckets.size(); ++q) {
        EXPECT_EQ(a.buckets[q].name, b.buckets[q].name);
        EXPECT_EQ(a.buckets[q].lo, b.buckets[q].lo);
        EXPECT_EQ(a.buckets[q].hi, b.buckets[q].hi);
        expect_same_bucket(a.uniform.at(q), b.uniform.at(q), "uniform " + std::to_string(q));
    }
    EXPECT_EQ(r.token_nll(), run->result.nll);
    EXPECT_DOUBLE_EQ(r.mean_nll(), run->result.mean_nll());

    const TraceCurves want =
        make_trace_curves(run->ck->config().rope_params(), run->full.info(), b);
    const TraceCurves& got = r.curves();
    expect_same(got.uniform.distance, want.uniform.distance, "distance");
    expect_same(got.uniform.real_sum, want.uniform.real_sum, "real_sum");
    expect_same(got.uniform.imag_sum, want.uniform.imag_sum, "imag_sum");
    expect_same(got.uniform.real_closed, want.uniform.real_closed, "real_closed");
    expect_same(got.uniform.imag_closed, want.uniform.imag_closed, "imag_closed");
    expect_same(got.expected_logit, want.expected_logit, "expected_logit");
    EXPECT_EQ(got.uniform.has_closed_form, want.uniform.has_closed_form);
    EXPECT_EQ(got.uniform.real_gap.max_abs, want.uniform.real_gap.max_abs);
    // The per-head curve is each head's own expected logit from its frequency weights.
    EXPECT_DOUBLE_EQ(got.expected(1, 5, 10), b.expected_logit(1, 5, run->full.info().rope->inv_freq,
                                                              got.uniform.distance[10]));
    EXPECT_TRUE(r.noise().empty());
}

TEST(TraceRoundTrip, NoiseSweeps) {
    test::TempDir dir;
    auto ck = std::make_shared<const Checkpoint>(
        Checkpoint::open(test::fixture_dir("rope_pp_ec_f32").string()));
    Model model(ck);
    const auto ids = test::test_ids(40, ck->config().vocab_size);
    NoiseOptions opt;
    opt.sigmas = {0.5, 2.0};
    opt.targets = {NoiseTarget::Real, NoiseTarget::Both};
    opt.seed = 0xfedcba9876543210ull;  // above INT64_MAX: stored unsigned
    std::vector<NoiseSweep> sweeps{run_noise_experiment(model, ids, opt)};
    opt.thresholds = {4, 8};
    opt.targets = {NoiseTarget::Imag};
    sweeps.push_back(run_noise_experiment(model, ids, opt));
    TraceTokens in;
    in.ids = ids;
    test::trace_fixture("rope_pp_ec_f32", dir / "run.h5", 40, QKPrecision::F16, in, sweeps);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    const auto& got = r.noise();
    ASSERT_EQ(got.size(), sweeps.size());
    for (std::size_t s = 0; s < sweeps.size(); ++s) {
        EXPECT_EQ(got[s].seed, sweeps[s].seed);
        EXPECT_EQ(got[s].tokens, sweeps[s].tokens);
        EXPECT_EQ(got[s].thresholds, sweeps[s].thresholds);
        EXPECT_EQ(got[s].baseline_nll, sweeps[s].baseline_nll);
        expect_same(got[s].baseline_mass_real, sweeps[s].baseline_mass_real, "baseline real");
        expect_same(got[s].baseline_mass_imag, sweeps[s].baseline_mass_imag, "baseline imag");
        ASSERT_EQ(got[s].points.size(), sweeps[s].points.size());
        for (std::size_t p = 0; p < got[s].points.size(); ++p) {
            EXPECT_EQ(got[s].points[p].sigma, sweeps[s].points[p].sigma);
            EXPECT_EQ(got[s].points[p].target, sweeps[s].points[p].target);
            EXPECT_EQ(got[s].points[p].mean_nll, sweeps[s].points[p].mean_nll);
            EXPECT_EQ(got[s].points[p].delta_nll, sweeps[s].points[p].delta_nll);
            expect_same(got[s].points[p].long_range_mass_real,
                        sweeps[s].points[p].long_range_mass_real, "real");
            expect_same(got[s].points[p].long_range_mass_imag,
                        sweeps[s].points[p].long_range_mass_imag, "imag");
        }
    }
}

// The pyramid: every level's cell equals the mean of the full map over that cell (full maps of
// the same run), to the 12 significant bits the trace keeps (relative rounding <= 2^-12).
TEST(TraceRoundTrip, OverviewPyramidMatchesFullMaps) {
    test::TempDir dir;
    const int T = 1030;  // levels 128 and 64 with ragged cells (8 or 9, 16 or 17 positions)
    auto run = test::trace_fixture("rope_f32", dir / "run.h5", T, QKPrecision::F16);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    ASSERT_EQ(r.meta().overview_cells, (std::vector<int>{128, 64}));
    for (int l = 0; l < r.meta().layers; ++l)
        for (int h : {0, 3, 6}) {  // real heads and a virtual imaginary one
            const auto& probs = run->full.map(l, h).probs;  // [T, T]
            for (int cells : r.meta().overview_cells) {
                const OverviewMap map = r.overview(l, h, cells);
                ASSERT_EQ(map.edges, overview_edges(T, cells));
                double mass = 0;
                for (int i = 0; i < cells; ++i)
                    for (int j = 0; j < cells; ++j) {
                        double sum = 0;
                        for (int t = map.edges[i]; t < map.edges[i + 1]; ++t)
                            for (int s = map.edges[j]; s < map.edges[j + 1]; ++s)
                                sum += probs[std::size_t(t) * T + s];
                        const double area = double(map.edges[i + 1] - map.edges[i]) *
                                            (map.edges[j + 1] - map.edges[j]);
                        const double want = sum / area, got = map.mean[std::size_t(i) * cells + j];
                        ASSERT_NEAR(got, want, 2.5e-4 * want + 1e-9)
                            << l << " " << h << " " << cells << " " << i << "," << j;
                        mass += got * area;
                    }
                EXPECT_NEAR(mass, T, 1e-3 * T);  // every row's probabilities sum to one
            }
        }
}

TEST(TraceRoundTrip, OverviewLevels) {
    EXPECT_EQ(overview_levels(32768), (std::vector<int>{512, 256, 128, 64}));
    EXPECT_EQ(overview_levels(4096), (std::vector<int>{512, 256, 128, 64}));
    EXPECT_EQ(overview_levels(2400), (std::vector<int>{300, 150, 75}));
    EXPECT_EQ(overview_levels(1024), (std::vector<int>{128, 64}));
    EXPECT_EQ(overview_levels(97), (std::vector<int>{12}));
    EXPECT_EQ(overview_levels(7), (std::vector<int>{1}));
    EXPECT_EQ(overview_edges(10, 4), (std::vector<int>{0, 2, 5, 7, 10}));
}

TEST(TraceRoundTrip, WriterRejectsInconsistentInput) {
    test::TempDir dir;
    auto ck = std::make_shared<const Checkpoint>(
        Checkpoint::open(test::fixture_dir("rope_f32").string()));
    TraceTokens in;
    in.ids = {1, 2, 3};
    in.display = {"a"};
    EXPECT_THROW(TraceWriter((dir / "a.h5").string(), *ck, in), UsageError);
    // finish() without an overview probe: the writer refuses to publish an incomplete trace.
    in.display.clear();
    {
        TraceWriter writer((dir / "b.h5").string(), *ck, in);
        HeadStatsProbe stats;
        Model model(ck);
        ForwardOptions opt;
        opt.probes = {&writer, &stats};
        const auto out = model.forward(in.ids, opt);
        EXPECT_THROW(writer.finish(out.nll, stats.stats()), UsageError);
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
