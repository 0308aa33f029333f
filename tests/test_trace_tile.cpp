// Exact tiles: recomputed from the trace's Q/K and lse, every head's tiles (real, imaginary and
// virtual imaginary) equal the full maps the run computed — to ~1e-6 with f32 storage, and within
// the tile's own reported bound with f16 storage.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "attention_tile.h"
#include "error.h"
#include "trace_reader.h"
#include "tests/trace/trace_fixture.h"

using namespace rs;

namespace {

struct Case {
    std::string fixture;
    QKPrecision precision;
};

std::string case_name(const ::testing::TestParamInfo<Case>& p) {
    return p.param.fixture + (p.param.precision == QKPrecision::F16 ? "_f16" : "_f32");
}

class TraceTile : public ::testing::TestWithParam<Case> {};

// Whole-map tiles of every head against the run's own maps.
TEST_P(TraceTile, FullTilesEqualRunMaps) {
    test::TempDir dir;
    const int T = 45;
    auto run = test::trace_fixture(GetParam().fixture, dir / "run.h5", T, GetParam().precision);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    const bool f32 = GetParam().precision == QKPrecision::F32;
    double worst_prob = 0, worst_logit = 0, worst_rel = 0, worst_bound = 0;
    for (int l = 0; l < r.meta().layers; ++l)
        for (int h = 0; h < r.meta().layout.analysis_heads(); ++h) {
            const auto& want = run->full.map(l, h);
            TileRequest req{l, h, 0, T, 0, T, 1, TileValues::Probability};
            const Tile p = r.tile(req);
            req.values = TileValues::Logit;
            const Tile g = r.tile(req);
            ASSERT_EQ(p.rows, T);
            ASSERT_EQ(p.cols, T);
            // The bound is useful, not vacuous: the scales docs/trace-format.md documents.
            // (The f16 bound is large here because these tiny random fixtures have logits up to
            // ~25.)
            EXPECT_LT(p.prob_rel_error_bound, f32 ? 1e-4 : 5e-2) << l << " " << h;
            worst_bound = std::max(worst_bound, p.prob_rel_error_bound);
            for (int t = 0; t < T; ++t)
                for (int s = 0; s < T; ++s) {
                    const std::size_t at = std::size_t(t) * T + s;
                    if (s > t) {
                        ASSERT_EQ(p.at(t, s), 0.0f);
                        ASSERT_TRUE(std::isinf(g.at(t, s)) && g.at(t, s) < 0);
                        continue;
                    }
                    const double dp = std::fabs(double(p.at(t, s)) - want.probs[at]);
                    const double dl = std::fabs(double(g.at(t, s)) - want.logits[at]);
                    worst_prob = std::max(worst_prob, dp);
                    if (want.probs[at] > 1e-6) worst_rel = std::max(worst_rel, dp / want.probs[at]);
                    worst_logit = std::max(worst_logit, dl);
                    ASSERT_LE(dl, g.logit_error_bound)
                        << l << " " << h << " (" << t << "," << s << ")";
                    ASSERT_LE(dp, p.prob_rel_error_bound * want.probs[at] + 1e-7)
                        << l << " " << h << " (" << t << "," << s << ")";
                    if (f32) {
                        ASSERT_LE(dp, 4e-6) << l << " " << h << " (" << t << "," << s << ")";
                    }
                }
        }
    // Measured errors, quoted in docs/trace-format.md.
    std::printf(
        "[ measured ] %s: max |dp| %.3g, max |dp|/p (p > 1e-6) %.3g, max |dlogit| %.3g, bound "
        "%.3g\n",
        case_name({GetParam(), 0}).c_str(), worst_prob, worst_rel, worst_logit, worst_bound);
}

// Offsets and strides pick exactly the right entries.
TEST_P(TraceTile, StridedSubTilesPickTheRightEntries) {
    test::TempDir dir;
    const int T = 50;
    auto run = test::trace_fixture(GetParam().fixture, dir / "run.h5", T, GetParam().precision);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    const int last = r.meta().layout.analysis_heads() - 1;
    const TileRequest req{1, last, 7, 48, 3, 31, 4, TileValues::Probability};
    const Tile tile = r.tile(req);
    EXPECT_EQ(tile.rows, 11);                         // 7, 11, ..., 47
    EXPECT_EQ(tile.cols, 7);                          // 3, 7, ..., 27
    const auto& want = run->full.map(1, last).probs;  // [T, T]
    for (int i = 0; i < tile.rows; ++i)
        for (int j = 0; j < tile.cols; ++j) {
            const double p = want[std::size_t(tile.row(i)) * T + tile.col(j)];
            EXPECT_NEAR(tile.at(i, j), p, tile.prob_rel_error_bound * p + 1e-7) << i << "," << j;
            if (tile.col(j) > tile.row(i)) {
                EXPECT_EQ(tile.at(i, j), 0.0f);
            }
        }
    EXPECT_EQ(tile.row(10), 47);
    EXPECT_EQ(tile.col(6), 27);
}

// Mean pooling: each cell is the average of the run's map over the cell (ragged last cells too).
TEST_P(TraceTile, MeanPooledTilesAverageTheRunMaps) {
    test::TempDir dir;
    const int T = 50, S = 3;
    auto run = test::trace_fixture(GetParam().fixture, dir / "run.h5", T, GetParam().precision);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    const int head = r.meta().layout.analysis_heads() - 1;
    TileRequest req{1, head, 4, 50, 2, 47, S, TileValues::Probability, TilePooling::Mean};
    const Tile p = r.tile(req);
    req.values = TileValues::Logit;
    const Tile g = r.tile(req);
    ASSERT_EQ(p.rows, 16);
    ASSERT_EQ(p.cols, 15);
    const auto& want = run->full.map(1, head);
    for (int i = 0; i < p.rows; ++i)
        for (int j = 0; j < p.cols; ++j) {
            double prob = 0, logit = 0;
            int area = 0, causal = 0;
            for (int t = p.row(i); t < std::min(p.row(i) + S, T); ++t)
                for (int s = p.col(j); s < std::min(p.col(j) + S, 47); ++s) {
                    ++area;
                    prob += want.probs[std::size_t(t) * T + s];
                    if (s <= t) {
                        ++causal;
                        logit += want.logits[std::size_t(t) * T + s];
                    }
                }
            prob /= area;
            EXPECT_NEAR(p.at(i, j), prob, p.prob_rel_error_bound * prob + 1e-7) << i << "," << j;
            if (causal) {
                EXPECT_NEAR(g.at(i, j), logit / causal, g.logit_error_bound + 1e-6)
                    << i << "," << j;
            } else {
                EXPECT_TRUE(std::isinf(g.at(i, j)) && g.at(i, j) < 0) << i << "," << j;
            }
        }
}

INSTANTIATE_TEST_SUITE_P(Variants, TraceTile,
                         ::testing::Values(Case{"rope_f32", QKPrecision::F32},
                                           Case{"rope_f32", QKPrecision::F16},
                                           Case{"rope_pp_ec_f32", QKPrecision::F32},
                                           Case{"rope_pp_ec_f32", QKPrecision::F16},
                                           Case{"rope_pp_eh_f32", QKPrecision::F32},
                                           Case{"rope_partial", QKPrecision::F32},
                                           Case{"rope_pp_ec_yarn", QKPrecision::F32}),
                         case_name);

// The tile kernel on its own, fed straight from the run's post-RoPE Q/K (no file involved).
TEST(AttentionTile, ComputeTileFromRunQueries) {
    auto ck = std::make_shared<const Checkpoint>(
        Checkpoint::open(test::fixture_dir("rope_pp_eh_f32").string()));
    Model model(ck);
    test::FullMapProbe full;
    ForwardOptions opt;
    opt.probes = {&full};
    const int T = 30;
    model.forward(test::test_ids(T, ck->config().vocab_size), opt);
    const auto& L = ck->layout();
    const int d = L.head_dim;
    for (const auto& h : L.heads) {
        const auto& [q, k] = full.qk(0);
        std::vector<float> qh(std::size_t(T) * d), kh(std::size_t(T) * d);  // [T, d] each
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < d; ++i) {
                qh[std::size_t(t) * d + i] = q(t, h.query_head * d + i);
                kh[std::size_t(t) * d + i] = k(t, h.kv_head * d + i);
            }
        const auto& map = full.map(0, h.index);
        TileSource src{qh.data(), kh.data(),     map.lse.data(),          T,
                       h.imag,    &model.rope(), full.info().logit_scale, 0.0};
        const Tile tile = compute_tile({0, h.index, 5, 30, 0, 30, 1, TileValues::Probability}, src);
        for (int i = 0; i < tile.rows; ++i)
            for (int j = 0; j < tile.cols; ++j)
                EXPECT_NEAR(tile.at(i, j), map.probs[std::size_t(tile.row(i)) * T + tile.col(j)],
                            1e-6)
                    << h.index;
    }
}

TEST(AttentionTile, RequestsOutsideTheTraceAreUsageErrors) {
    EXPECT_NO_THROW(check_tile_request({1, 7, 0, 10, 0, 10, 1, TileValues::Probability}, 2, 8, 10));
    EXPECT_THROW(check_tile_request({2, 0, 0, 10, 0, 10, 1, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    EXPECT_THROW(check_tile_request({0, 8, 0, 10, 0, 10, 1, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    EXPECT_THROW(check_tile_request({0, -1, 0, 10, 0, 10, 1, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    EXPECT_THROW(check_tile_request({0, 0, 0, 11, 0, 10, 1, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    EXPECT_THROW(check_tile_request({0, 0, 5, 5, 0, 10, 1, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    EXPECT_THROW(check_tile_request({0, 0, 0, 10, -1, 10, 1, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    EXPECT_THROW(check_tile_request({0, 0, 0, 10, 0, 10, 0, TileValues::Probability}, 2, 8, 10),
                 UsageError);
    const int big = 1 << 13;  // 8192 x 8192 = 2^26 entries > kMaxTileEntries
    EXPECT_THROW(check_tile_request({0, 0, 0, big, 0, big, 1, TileValues::Probability}, 1, 1, big),
                 UsageError);
    EXPECT_NO_THROW(
        check_tile_request({0, 0, 0, big, 0, big, 2, TileValues::Probability}, 1, 1, big));
    // Pooling computes every entry of the range: bounded separately.
    const int huge = 1 << 15;
    EXPECT_NO_THROW(
        check_tile_request({0, 0, 0, huge, 0, huge, 64, TileValues::Probability}, 1, 1, huge));
    EXPECT_THROW(
        check_tile_request({0, 0, 0, huge, 0, huge, 64, TileValues::Probability, TilePooling::Mean},
                           1, 1, huge),
        UsageError);
    EXPECT_NO_THROW(check_tile_request(
        {0, 0, 0, big, 0, big, 16, TileValues::Probability, TilePooling::Mean}, 1, 1, big));
}

}  // namespace
