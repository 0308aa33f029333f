// Sliding-window layers in a trace (and Gemma 3's per-layer RoPE spectra): each layer's window is stored and read back (validated, absent
// = full attention), and exact tiles recomputed from the stored Q/K apply the same mask as the run:
// masked cells are probability 0 / logit -inf and flagged, visible ones equal the run's map.
#include <gtest/gtest.h>

#include <hdf5.h>

#include <cmath>
#include <complex>
#include <utility>

#include <nlohmann/json.hpp>

#include "attention_tile.h"
#include "error.h"
#include "model_config.h"
#include "trace_reader.h"
#include "trace_schema.h"
#include "tests/trace/trace_fixture.h"

using namespace rs;

namespace {

// The probability and logit tiles of a head's whole map.
std::pair<Tile, Tile> whole_map(TraceReader& r, int layer, int head, int stride, TilePooling pooling) {
    const int T = r.meta().tokens;
    TileRequest req{layer, head, 0, T, 0, T, stride, TileValues::Probability, pooling};
    Tile p = r.tile(req);
    req.values = TileValues::Logit;
    return {std::move(p), r.tile(req)};
}

// Every head's whole-map tile, probabilities and logits, against the run's own maps.
void expect_tiles_match_run(const std::string& fixture, const std::vector<int>& windows) {
    test::TempDir dir;
    const int T = 40;
    auto run = test::trace_fixture(fixture, dir / "run.h5", T, QKPrecision::F32);
    TraceReader r = TraceReader::open((dir / "run.h5").string());
    ASSERT_EQ(r.meta().layer_window, windows);
    for (int l = 0; l < r.meta().layers; ++l) {
        const int W = windows[std::size_t(l)];
        for (int h = 0; h < r.meta().layout.analysis_heads(); ++h) {
            SCOPED_TRACE(fixture + " layer " + std::to_string(l) + " head " + std::to_string(h));
            const auto [p, g] = whole_map(r, l, h, 1, TilePooling::Subsample);
            EXPECT_EQ(p.window, W);
            const auto& want = run->full.map(l, h);
            int masked = 0;
            for (int t = 0; t < T; ++t)
                for (int s = 0; s < T; ++s) {
                    const std::size_t at = std::size_t(t) * T + s;
                    const bool visible = s <= t && (W == 0 || s > t - W);
                    ASSERT_EQ(p.has_visible_entry(t, s), visible) << t << "," << s;
                    if (!visible) {
                        ASSERT_EQ(p.at(t, s), 0.0f) << t << "," << s;
                        ASSERT_TRUE(std::isinf(g.at(t, s)) && g.at(t, s) < 0) << t << "," << s;
                        ASSERT_EQ(want.probs[at], 0.0f) << t << "," << s;  // the run masked it too
                        masked += s <= t;
                        continue;
                    }
                    ASSERT_LE(std::fabs(double(g.at(t, s)) - want.logits[at]), g.logit_error_bound);
                    ASSERT_LE(std::fabs(double(p.at(t, s)) - want.probs[at]), 4e-6) << t << "," << s;
                }
            // Every query past the window lost keys: (T - W)(T - W + 1) / 2 masked causal cells.
            EXPECT_EQ(masked, W ? (T - W) * (T - W + 1) / 2 : 0);
            // Pooled cells: one wholly beyond the window holds no visible entry, is 0 and -inf.
            const auto [pp, pg] = whole_map(r, l, h, 4, TilePooling::Mean);
            for (int i = 0; i < pp.rows; ++i)
                for (int j = 0; j < pp.cols; ++j) {
                    bool any = false;
                    for (int t = pp.row(i); t < std::min(T, pp.row(i) + 4); ++t)
                        for (int s = pp.col(j); s < std::min(T, pp.col(j) + 4); ++s)
                            any = any || (s <= t && (W == 0 || s > t - W));
                    ASSERT_EQ(pp.has_visible_entry(i, j), any) << i << "," << j;
                    if (!any) {
                        ASSERT_EQ(pp.at(i, j), 0.0f);
                        ASSERT_TRUE(std::isinf(pg.at(i, j)));
                    }
                }
        }
    }
}

TEST(TraceWindow, MistralTilesApplyTheWindowOfEveryLayer) {
    expect_tiles_match_run("mistral_window", {8, 8});
}

TEST(TraceWindow, Qwen2TilesApplyTheWindowOfTheWindowedLayersOnly) {
    expect_tiles_match_run("qwen2_window", {0, 8, 8});
}

// Gemma 2: alternating windows, and soft-capped logits the tiles recompute as the run capped them.
TEST(TraceWindow, Gemma2TilesApplyItsAlternatingWindowsAndSoftCap) {
    expect_tiles_match_run("gemma2_f32", {8, 0, 8, 0});
    test::TempDir dir;
    test::trace_fixture("gemma2_f32", dir / "run.h5", 40, QKPrecision::F32);
    const TraceReader r = TraceReader::open((dir / "run.h5").string());
    const ModelConfig c = load_model_config(test::fixture_dir("gemma2_f32/config.json").string());
    EXPECT_EQ(r.meta().logit_softcap, float(c.attn_logit_softcap));
    EXPECT_EQ(r.meta().logit_scale, c.attention_scale());
}

// Gemma 3: the sliding layers rotate with their own spectrum, stored beside the global one with
// each layer's choice; tiles match the run, and each layer's frequency weights are un-rotated with
// the tables of the spectrum it ran with.
TEST(TraceWindow, Gemma3StoresEachLayersSpectrumAndUnrotatesWithIt) {
    expect_tiles_match_run("gemma3_text_f32", {8, 8, 0, 8});
    test::TempDir dir;
    const int T = 40;
    auto run = test::trace_fixture("gemma3_text_f32", dir / "run.h5", T, QKPrecision::F32);
    const TraceReader r = TraceReader::open((dir / "run.h5").string());
    const TraceMeta& m = r.meta();
    ASSERT_TRUE(m.rope_local);
    ASSERT_NE(run->model->local_rope(), nullptr);
    EXPECT_EQ(m.local_rope_layers, (std::vector<char>{1, 1, 0, 1}));
    EXPECT_EQ(m.rope_local->inv_freq_f32, run->model->local_rope()->inv_freq_f32);
    EXPECT_EQ(m.rope_local->inv_freq, run->model->local_rope()->inv_freq);
    EXPECT_EQ(m.rope.inv_freq_f32, run->model->rope().inv_freq_f32);
    EXPECT_NE(m.rope.inv_freq_f32, m.rope_local->inv_freq_f32);
    for (int l = 0; l < 4; ++l) EXPECT_EQ(&m.rope_of(l), l == 2 ? &m.rope : &*m.rope_local) << l;

    // Mean un-rotated pair i of head 0's query times the conjugate of its key's, with a spectrum.
    auto weight = [&](int layer, const RopeSpectrum& s, int i) {
        const RopeTable tab = make_rope_table(s, T);
        const MatrixRM& q = run->full.qk(layer).first;
        const MatrixRM& k = run->full.qk(layer).second;
        const int half = s.half();
        auto mean = [&](const MatrixRM& x) {
            std::complex<double> sum = 0;
            for (int t = 0; t < T; ++t) {
                const std::size_t at = std::size_t(t) * half + i;
                sum += std::complex<double>(x(t, i), x(t, i + half)) *
                       std::complex<double>(tab.cos[at], -tab.sin[at]);
            }
            return sum / double(T);
        };
        return mean(q) * std::conj(mean(k));
    };
    for (int l : {0, 2}) {
        const RopeSpectrum& own = l == 2 ? run->model->rope() : *run->model->local_rope();
        const RopeSpectrum& other = l == 2 ? *run->model->local_rope() : run->model->rope();
        const HeadStats& st = run->stats.at(l, 0);
        double differs = 0;
        for (int i = 0; i < own.half(); ++i) {
            const auto want = weight(l, own, i);
            EXPECT_NEAR(st.freq_re[std::size_t(i)], want.real(), 1e-5 * (1 + std::abs(want))) << l << " " << i;
            EXPECT_NEAR(st.freq_im[std::size_t(i)], want.imag(), 1e-5 * (1 + std::abs(want))) << l << " " << i;
            differs = std::max(differs, std::abs(weight(l, other, i) - want));
        }
        EXPECT_GT(differs, 1e-2) << "layer " << l << ": the other spectrum would give the same weights";
    }
}

// The bucket export lists the windowed layers' uniform reference beside the full one.
TEST(TraceWindow, BucketExportListsTheWindowedUniformReference) {
    test::TempDir dir;
    test::trace_fixture("qwen2_window", dir / "run.h5", 40, QKPrecision::F32);
    const auto r = test::run_cli({"export", (dir / "run.h5").string(), "--what", "buckets"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("uniform attention,uniform"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"uniform attention, window 8\",uniform"), std::string::npos) << r.out;
}

// `stats --json` gives the windowed layers' uniform reference per window, equal to the reader's,
// and the text summary prints it under the full-attention one.
TEST(TraceWindow, StatsGivesTheWindowedUniformReference) {
    test::TempDir dir;
    const auto run = test::trace_fixture("qwen2_window", dir / "run.h5", 40, QKPrecision::F32);
    TraceReader reader = TraceReader::open((dir / "run.h5").string());
    const RunStats& st = reader.stats();
    ASSERT_EQ(st.uniform_windowed.size(), 1u);
    std::string ids;
    for (auto id : test::test_ids(40, run->ck->config().vocab_size)) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    const auto r = test::run_cli({"stats", test::fixture_dir("qwen2_window").string(), "--ids", ids, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["uniform_windowed"].size(), 1u);
    EXPECT_EQ(j["uniform_windowed"][0]["window"], 8);
    const auto& first = j["uniform_windowed"][0]["uniform"][0];
    EXPECT_EQ(first["mean_distance"].get<double>(), st.uniform_windowed[0].second[0].mean_distance);
    EXPECT_NE(first["mean_distance"].get<double>(), j["uniform"][0]["mean_distance"].get<double>());
    const auto text = test::run_cli({"show", (dir / "run.h5").string()});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("sliding window of 8 keys"), std::string::npos) << text.out;
}

// The window is untrusted input: absent reads as full attention (traces before windows), a
// negative one is refused by name.
TEST(TraceWindow, StoredWindowIsValidated) {
    test::TempDir dir;
    test::trace_fixture("qwen2_window", dir / "run.h5", 40, QKPrecision::F32);
    const std::string layer1 = "/" + trace::layer_group(1, 3);
    {
        const hid_t f = H5Fopen((dir / "run.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        const std::int64_t bad = -3;
        H5Adelete_by_name(f, layer1.c_str(), "window", H5P_DEFAULT);
        const hid_t sp = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate_by_name(f, layer1.c_str(), "window", H5T_NATIVE_INT64, sp, H5P_DEFAULT,
                                          H5P_DEFAULT, H5P_DEFAULT);
        ASSERT_GE(a, 0);
        H5Awrite(a, H5T_NATIVE_INT64, &bad);
        H5Aclose(a);
        H5Sclose(sp);
        H5Fclose(f);
    }
    try {
        TraceReader::open((dir / "run.h5").string());
        ADD_FAILURE() << "a negative window was accepted";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("attribute 'window' is -3"), std::string::npos) << e.what();
    }
    {
        const hid_t f = H5Fopen((dir / "run.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        for (int l = 0; l < 3; ++l)
            H5Adelete_by_name(f, ("/" + trace::layer_group(l, 3)).c_str(), "window", H5P_DEFAULT);
        H5Fclose(f);
    }
    const TraceReader old = TraceReader::open((dir / "run.h5").string());
    const auto r = test::run_cli({"export", (dir / "run.h5").string(), "--what", "buckets"});
    EXPECT_EQ(r.out.find("uniform attention, window"), std::string::npos) << r.out;
    EXPECT_EQ(old.meta().layer_window, (std::vector<int>{0, 0, 0}));
    EXPECT_EQ(old.stats().window(2), 0);
}

}  // namespace
