// Streaming per-head statistics against a brute-force computation from the PyTorch reference's full
// attention maps, and the theory property: constant, equal q and k give the characteristic curve.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "distance_bins.h"
#include "head_stats.h"
#include "model.h"
#include "safetensors.h"
#include "theory_curves.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

// Statistics of one head straight from its full maps (definitions in core/analysis/head_stats.h).
HeadStats brute_force(const float* P, const float* Lg, int T, const std::vector<int>& thresholds,
                      const std::vector<int>& edges) {
    HeadStats s;
    const int bins = int(edges.size()) - 1;
    s.bin_mass.assign(bins, 0.0);
    s.bin_logit.assign(bins, 0.0);
    s.bin_pairs.assign(bins, 0.0);
    for (int D : thresholds) {
        double sum = 0;
        int n = 0;
        for (int t = D; t < T; ++t, ++n)
            for (int u = 0; u <= t - D; ++u) sum += P[t * T + u];
        s.long_range_mass.push_back(sum / n);
    }
    for (int t = 0; t < T; ++t)
        for (int u = 0; u <= t; ++u) {
            const double p = P[t * T + u];
            if (p > 0) s.entropy -= p * std::log(p) / T;
            // A key hidden by a sliding window (logit -inf in the reference) is no attended pair.
            if (std::isinf(Lg[t * T + u])) {
                EXPECT_EQ(p, 0.0);
                continue;
            }
            s.mean_distance += p * (t - u) / T;
            const int b = distance_bin(edges, t - u);
            s.bin_mass[b] += p / T;
            s.bin_logit[b] += Lg[t * T + u];
            s.bin_pairs[b] += 1;
        }
    for (int b = 0; b < bins; ++b) s.bin_logit[b] = s.bin_pairs[b] > 0 ? s.bin_logit[b] / s.bin_pairs[b] : NAN;
    return s;
}

class StatsVsBruteForce : public ::testing::TestWithParam<std::string> {};

TEST_P(StatsVsBruteForce, EveryHeadEveryStatistic) {
    const auto fx = test::load_golden_fixture(GetParam());
    const auto& ck = fx.checkpoint;
    const SafetensorsFile& expected = *fx.expected;
    const auto& ids = fx.ids;
    const int T = int(ids.size());
    Model model(ck);
    HeadStatsProbe probe(true, {1, 4, 8, 16, 23, 64});
    ForwardOptions opt;
    opt.block_rows = 5;
    opt.probes = {&probe};
    model.forward(ids, opt);
    const RunStats& st = probe.stats();
    ASSERT_EQ(st.thresholds, (std::vector<int>{1, 4, 8, 16, 23}));  // 64 >= T is dropped
    const auto& L = ck->layout();
    for (int l = 0; l < st.layers; ++l) {
        const auto probs = test::tensor_floats(expected.tensor("attn." + std::to_string(l)));
        const auto logits = test::tensor_floats(expected.tensor("attn_logits." + std::to_string(l)));
        std::vector<float> vprobs, vlogits;
        const bool rope = ck->config().layer_has_rope(l);
        if (L.variant == Variant::Rope && rope) {
            vprobs = test::tensor_floats(expected.tensor("attn_virtual_imag." + std::to_string(l)));
            vlogits = test::tensor_floats(expected.tensor("attn_logits_virtual_imag." + std::to_string(l)));
        }
        for (int h = 0; h < st.heads; ++h) {
            const bool virt = L.heads[h].is_virtual;
            if (virt && !rope) {  // NoPE layer: no imaginary part, so the head is not observed
                EXPECT_FALSE(st.observed[std::size_t(l) * st.heads + h]);
                continue;
            }
            ASSERT_TRUE(st.observed[std::size_t(l) * st.heads + h]);
            const int idx = virt ? h - L.model_heads : h;
            const float* P = (virt ? vprobs : probs).data() + std::size_t(idx) * T * T;
            const float* G = (virt ? vlogits : logits).data() + std::size_t(idx) * T * T;
            const HeadStats want = brute_force(P, G, T, st.thresholds, st.bin_edges);
            const HeadStats& got = st.at(l, h);
            SCOPED_TRACE(GetParam() + " layer " + std::to_string(l) + " head " + std::to_string(h));
            for (std::size_t i = 0; i < want.long_range_mass.size(); ++i)
                EXPECT_NEAR(got.long_range_mass[i], want.long_range_mass[i], 1e-6);
            EXPECT_NEAR(got.entropy, want.entropy, 1e-6);
            EXPECT_NEAR(got.mean_distance, want.mean_distance, 1e-5);  // distances up to 23
            double total = 0;
            for (std::size_t b = 0; b < want.bin_mass.size(); ++b) {
                EXPECT_NEAR(got.bin_mass[b], want.bin_mass[b], 1e-6);
                if (std::isnan(want.bin_logit[b]))
                    EXPECT_TRUE(std::isnan(got.bin_logit[b])) << "bin " << b << " has no visible pair";
                else
                    EXPECT_NEAR(got.bin_logit[b], want.bin_logit[b], 1e-5 * (1 + std::fabs(want.bin_logit[b])));
                EXPECT_EQ(got.bin_pairs[b], want.bin_pairs[b]);
                total += got.bin_mass[b];
            }
            EXPECT_NEAR(total, 1.0, 1e-6);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, StatsVsBruteForce, ::testing::ValuesIn(test::golden_fixture_names()),
                         [](const auto& info) { return info.param; });

TEST(HeadStats, ThresholdNobodyReachesIsNaNAndEdgesCoverTheSequence) {
    EXPECT_EQ(log_distance_edges(24), (std::vector<int>{0, 1, 2, 4, 8, 16, 32}));
    EXPECT_EQ(distance_bin(log_distance_edges(24), 0), 0);
    EXPECT_EQ(distance_bin(log_distance_edges(24), 3), 2);
    EXPECT_EQ(distance_bin(log_distance_edges(24), 23), 5);
    // Half-octave grid below T: every power of two, ~16 values at a few hundred tokens.
    EXPECT_EQ(default_mass_thresholds(300),
              (std::vector<int>{1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91, 128, 181, 256}));
    EXPECT_EQ(default_mass_thresholds(2), (std::vector<int>{1}));
    EXPECT_TRUE(default_mass_thresholds(1).empty());
}

// A one-layer checkpoint whose every token has the same embedding, with W_q = W_k: every position
// then has the same un-rotated q̃ = k̃, so the mean logit at distance Δ must be the RoPE
// characteristic curve  (1/sqrt d) * Σ_i |q̃_i|² cos(θ_i Δ)  for real heads and the Si-type
// curve  (1/sqrt d) * Σ_i |q̃_i|² sin(θ_i Δ)  for the imaginary ones.
TEST(HeadStats, ConstantEqualQueryAndKeyReproduceTheTheoryCurve) {
    test::TempDir tmp;
    const int D = 32, H = 2, d = 16, V = 5, I = 8, T = 300;
    const double base = 500.0;  // small base: the curve oscillates and decays within T
    auto f32 = [](const std::vector<float>& v) {
        return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
    };
    std::vector<float> embed(V * D);
    for (int i = 0; i < V * D; ++i) embed[i] = std::sin(0.7f * float(i % D) + 0.3f);  // same row for all ids
    std::vector<float> wq(H * d * D);
    for (int i = 0; i < H * d * D; ++i) wq[i] = std::cos(1.3f * float(i)) * 0.5f;
    std::vector<float> ones(D, 1.0f), zeros_o(D * 2 * H * d, 0.0f), mlp(I * D, 0.0f), down(D * I, 0.0f);
    std::vector<test::RawTensor> t = {
        {"model.embed_tokens.weight", "F32", {V, D}, f32(embed)},
        {"model.layers.0.input_layernorm.weight", "F32", {D}, f32(ones)},
        {"model.layers.0.post_attention_layernorm.weight", "F32", {D}, f32(ones)},
        {"model.layers.0.self_attn.q_proj.weight", "F32", {H * d, D}, f32(wq)},
        {"model.layers.0.self_attn.k_proj.weight", "F32", {H * d, D}, f32(wq)},
        {"model.layers.0.self_attn.v_proj.weight", "F32", {H * d, D}, f32(wq)},
        {"model.layers.0.self_attn.o_proj.weight", "F32", {D, 2 * H * d}, f32(zeros_o)},
        {"model.layers.0.mlp.gate_proj.weight", "F32", {I, D}, f32(mlp)},
        {"model.layers.0.mlp.up_proj.weight", "F32", {I, D}, f32(mlp)},
        {"model.layers.0.mlp.down_proj.weight", "F32", {D, I}, f32(down)},
        {"model.norm.weight", "F32", {D}, f32(ones)},
    };
    std::filesystem::create_directories(tmp / "ck");
    test::write_safetensors(tmp / "ck" / "model.safetensors", t);
    test::write_file(tmp / "ck" / "config.json",
                     R"({"hidden_size":32,"intermediate_size":8,"num_attention_heads":2,"num_key_value_heads":2,)"
                     R"("num_hidden_layers":1,"vocab_size":5,"rope_theta":500.0,"tie_word_embeddings":true,)"
                     R"("rms_norm_eps":1e-6,"rope_config":{"imag":true,"imag_mode":"imag2"}})");
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open((tmp / "ck").string()));
    Model model(ck);
    HeadStatsProbe probe;
    ForwardOptions opt;
    opt.probes = {&probe};
    std::vector<std::int32_t> ids(T);
    for (int i = 0; i < T; ++i) ids[i] = i % V;
    model.forward(ids, opt);
    const RunStats& st = probe.stats();

    // Independent expectation: q̃ from the weights in double, then the theory's exact sums.
    std::vector<double> xn(D);
    double ss = 0;
    for (int i = 0; i < D; ++i) ss += double(embed[i]) * embed[i];
    for (int i = 0; i < D; ++i) xn[i] = embed[i] / std::sqrt(ss / D + 1e-6);
    RopeParams rp;
    rp.theta = base;
    rp.head_dim = d;
    const auto spec = make_rope_spectrum(rp);
    std::vector<double> distances(T);
    for (int i = 0; i < T; ++i) distances[i] = i;
    for (int h = 0; h < H; ++h) {
        std::vector<double> w(d / 2);
        for (int i = 0; i < d / 2; ++i) {
            double a = 0, b = 0;
            for (int j = 0; j < D; ++j) {
                a += wq[(h * d + i) * D + j] * xn[j];
                b += wq[(h * d + i + d / 2) * D + j] * xn[j];
            }
            w[i] = a * a + b * b;
        }
        const auto curves = characteristic_curves(rp, distances, {.weights = w});
        for (int part = 0; part < 2; ++part) {
            const int head = 2 * h + part;  // EC: real 2h, imaginary 2h+1
            const auto& curve = part ? curves.imag_sum : curves.real_sum;
            const auto& got = st.at(0, head);
            for (std::size_t b = 0; b + 1 < st.bin_edges.size(); ++b) {
                double sum = 0, pairs = 0;  // theory averaged over the bin's causal pairs
                for (int dl = st.bin_edges[b]; dl < std::min(st.bin_edges[b + 1], T); ++dl) {
                    sum += (T - dl) * curve[dl] / std::sqrt(double(d));
                    pairs += T - dl;
                }
                EXPECT_NEAR(got.bin_logit[b], sum / pairs, 2e-4 * (1 + std::fabs(sum / pairs)))
                    << "head " << head << " bin " << b;
                // The head's own expected-logit curve from its measured frequency weights agrees too.
                const double mid = st.bin_edges[b];
                EXPECT_NEAR(st.expected_logit(0, head, spec.inv_freq, mid), curve[int(mid)] / std::sqrt(double(d)),
                            2e-4 * (1 + std::fabs(curve[int(mid)])));
            }
        }
    }
}

}  // namespace
