// Golden end-to-end tests: every fixture's logits, NLL, attention maps, post-RoPE Q/K and virtual
// imaginary heads against the independent PyTorch reference (tests/reference/make_fixtures.py).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "model.h"
#include "safetensors.h"
#include "tests/full_map_probe.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

// |a - b| <= atol + rtol * |b|, with -inf matching -inf.
::testing::AssertionResult close(float a, float b, double atol, double rtol) {
    if (std::isinf(b) && a == b) return ::testing::AssertionSuccess();
    if (std::fabs(double(a) - b) <= atol + rtol * std::fabs(double(b))) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << a << " vs expected " << b;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesReference) {
    const auto fx = test::load_golden_fixture(GetParam());
    const auto& ck = fx.checkpoint;
    const SafetensorsFile& expected = *fx.expected;
    const auto& ids = fx.ids;
    const int T = int(ids.size());

    Model model(ck);
    test::FullMapProbe probe;
    ForwardOptions opt;
    opt.keep_logits = true;
    opt.block_rows = 7;  // several blocks per head, including a ragged last one
    opt.chunk_rows = 5;     // MLP and lm_head row chunks, ragged too
    opt.vocab_chunk = 37;   // the lm_head's online log-sum-exp across many vocabulary chunks
    opt.probes = {&probe};
    const auto out = model.forward(ids, opt);

    // Spectrum as the model computes it for this run (float32; longrope and dynamic NTK depend
    // on the run length).
    const RopeSpectrum rope = model.rope_for(T);
    const auto inv = test::tensor_floats(expected.tensor("inv_freq"));
    ASSERT_EQ(inv.size(), rope.inv_freq_f32.size());
    for (std::size_t i = 0; i < inv.size(); ++i)
        EXPECT_TRUE(close(rope.inv_freq_f32[i], inv[i], 0, 2e-7)) << "inv_freq " << i;
    EXPECT_TRUE(close(rope.cos_sin_scale, test::tensor_floats(expected.tensor("cos_sin_scale"))[0], 0, 1e-7));
    // Gemma 3: the sliding layers' own (unscaled) spectrum.
    if (expected.contains("inv_freq_local")) {
        ASSERT_NE(model.local_rope(), nullptr);
        const auto local = test::tensor_floats(expected.tensor("inv_freq_local"));
        ASSERT_EQ(local.size(), model.local_rope()->inv_freq_f32.size());
        for (std::size_t i = 0; i < local.size(); ++i)
            EXPECT_TRUE(close(model.local_rope()->inv_freq_f32[i], local[i], 0, 2e-7)) << "inv_freq_local " << i;
    } else {
        EXPECT_EQ(model.local_rope(), nullptr);
    }

    const auto logits = test::tensor_floats(expected.tensor("logits"));
    ASSERT_EQ(std::size_t(out.logits.size()), logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i)
        ASSERT_TRUE(close(out.logits.data()[i], logits[i], 1e-5, 1e-4)) << "logit " << i;
    const auto nll = test::tensor_floats(expected.tensor("nll"));
    ASSERT_EQ(out.nll.size(), nll.size());
    for (std::size_t i = 0; i < nll.size(); ++i) EXPECT_TRUE(close(out.nll[i], nll[i], 1e-5, 1e-4)) << "nll " << i;

    const auto& L = ck->layout();
    for (int l = 0; l < ck->config().num_hidden_layers; ++l) {
        const std::string s = std::to_string(l);
        // Post-RoPE Q [Hq, T, d] and K [Hkv, T, d] in the reference; ours are [T, heads*d].
        const auto qref = test::tensor_floats(expected.tensor("q_rope." + s)), kref = test::tensor_floats(expected.tensor("k_rope." + s));
        const auto& [q, k] = probe.qk(l);
        const int d = ck->config().head_dim;
        for (int h = 0; h < L.query_heads; ++h)
            for (int t = 0; t < T; ++t)
                for (int i = 0; i < d; ++i)
                    ASSERT_TRUE(close(q(t, h * d + i), qref[(std::size_t(h) * T + t) * d + i], 1e-5, 1e-4))
                        << "q layer " << l << " head " << h << " t " << t << " i " << i;
        for (int h = 0; h < L.kv_heads; ++h)
            for (int t = 0; t < T; ++t)
                for (int i = 0; i < d; ++i)
                    ASSERT_TRUE(close(k(t, h * d + i), kref[(std::size_t(h) * T + t) * d + i], 1e-5, 1e-4));

        auto compare_maps = [&](const std::string& probs_key, const std::string& logits_key, int first_head, int n) {
            const auto pref = test::tensor_floats(expected.tensor(probs_key)), lref = test::tensor_floats(expected.tensor(logits_key));
            ASSERT_EQ(pref.size(), std::size_t(n) * T * T);
            for (int a = 0; a < n; ++a) {
                const auto& m = probe.map(l, first_head + a);
                for (int i = 0; i < T * T; ++i) {
                    ASSERT_TRUE(close(m.probs[i], pref[std::size_t(a) * T * T + i], 1e-5, 0))
                        << probs_key << " head " << a << " entry " << i;
                    ASSERT_TRUE(close(m.logits[i], lref[std::size_t(a) * T * T + i], 1e-5, 1e-4))
                        << logits_key << " head " << a << " entry " << i;
                }
            }
        };
        compare_maps("attn." + s, "attn_logits." + s, 0, L.model_heads);
        if (L.variant == Variant::Rope && ck->config().layer_has_rope(l))
            compare_maps("attn_virtual_imag." + s, "attn_logits_virtual_imag." + s, L.model_heads, L.query_heads);
        if (!ck->config().layer_has_rope(l)) {  // NoPE layer: no imaginary part, so no virtual heads
            EXPECT_FALSE(expected.contains("attn_virtual_imag." + s));
            for (int a = L.model_heads; a < L.analysis_heads(); ++a) EXPECT_FALSE(probe.has(l, a)) << l << " " << a;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, ::testing::ValuesIn(test::golden_fixture_names()),
                         [](const auto& info) { return info.param; });

TEST(Golden, ProbesDoNotChangeTheOutputByABit) {
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir("rope_bf16").string()));
    Model model(ck);
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 300; ++i) ids.push_back((i * 37 + 11) % 97);
    ForwardOptions plain;
    plain.keep_logits = true;
    const auto a = model.forward(ids, plain);
    test::FullMapProbe probe;
    ForwardOptions observed = plain;
    observed.probes = {&probe};
    const auto b = model.forward(ids, observed);
    ASSERT_EQ(a.logits.size(), b.logits.size());
    EXPECT_EQ(0, std::memcmp(a.logits.data(), b.logits.data(), sizeof(float) * a.logits.size()));
    EXPECT_EQ(0, std::memcmp(a.nll.data(), b.nll.data(), sizeof(float) * a.nll.size()));
    EXPECT_TRUE(probe.has(0, ck->layout().model_heads));  // virtual heads were computed
}

TEST(Golden, VocabularyChunksOnlyReorderTheLogSumExp) {
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir("rope_bf16").string()));
    Model model(ck);
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 40; ++i) ids.push_back((i * 37 + 11) % 97);
    ForwardOptions whole, chunked;
    whole.keep_logits = chunked.keep_logits = true;
    chunked.vocab_chunk = 10;
    const auto a = model.forward(ids, whole), b = model.forward(ids, chunked);
    ASSERT_LT(chunked.vocab_chunk, ck->config().vocab_size);
    ASSERT_EQ(a.logits.size(), b.logits.size());
    EXPECT_TRUE(a.logits.isApprox(b.logits, 1e-6f));
    for (std::size_t t = 0; t < a.nll.size(); ++t)
        EXPECT_TRUE(close(b.nll[t], a.nll[t], 1e-6, 1e-6)) << "nll " << t;
}

TEST(Golden, StreamingWeightsGiveIdenticalResults) {
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir("rope_pp_ec_bf16_sharded").string()));
    std::vector<std::int32_t> ids{3, 14, 15, 92, 65, 35, 89, 79};
    Model resident(ck, true), streaming(ck, false);
    const auto a = resident.forward(ids), b = streaming.forward(ids);
    EXPECT_EQ(0, std::memcmp(a.nll.data(), b.nll.data(), sizeof(float) * a.nll.size()));
}

}  // namespace
