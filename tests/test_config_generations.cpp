// Issue 21 equivalence: every golden checkpoint with its config.json rewritten as transformers 5
// saves it (rope_parameters, flat and per layer type) gives bit-identical NLL and the same `info`.
#include <gtest/gtest.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "error.h"
#include "model.h"
#include "model_config.h"
#include "safetensors.h"
#include "tests/test_util.h"

namespace rs {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// The transformers 5 form of a 4.x config: rope_theta, partial_rotary_factor and rope_scaling move
// into rope_parameters (rope_scaling's "type" becomes "rope_type").
json to_transformers5(json c, bool per_layer_type) {
    const ModelConfig parsed = parse_model_config(c.dump(), "config.json");
    const std::vector<int> windows = parsed.layer_window;
    json rp = {{"rope_type", "default"}};
    if (c.contains("rope_scaling") && c["rope_scaling"].is_object())
        for (const auto& [k, v] : c["rope_scaling"].items()) rp[k == "type" ? "rope_type" : k] = v;
    for (const char* key : {"rope_theta", "partial_rotary_factor"})
        if (c.contains(key)) rp[key] = c[key];
    for (const char* key : {"rope_theta", "partial_rotary_factor", "rope_scaling"}) c.erase(key);
    c["transformers_version"] = "5.0.0";
    if (per_layer_type) {
        // Each layer's type as the 4.x config implies it (a windowed layer is sliding_attention),
        // both types with the one RoPE.
        c["layer_types"] = json::array();
        for (int l = 0; l < c["num_hidden_layers"].get<int>(); ++l)
            c["layer_types"].push_back(!windows.empty() && windows[std::size_t(l)] ? "sliding_attention"
                                                                                  : "full_attention");
        c["rope_parameters"] = {{"full_attention", rp}, {"sliding_attention", rp}};
        if (parsed.family == "gemma3_text") {
            // Gemma 3: the sliding layers' own default RoPE on rope_local_base_freq.
            c["rope_parameters"]["sliding_attention"] = {{"rope_type", "default"},
                                                         {"rope_theta", parsed.rope_local_theta}};
            c.erase("rope_local_base_freq");
        }
    } else {
        c["rope_parameters"] = rp;
    }
    return c;
}

std::vector<float> nll_of(const fs::path& dir, const std::vector<std::int32_t>& ids) {
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(dir.string()));
    Model model(ck);
    return model.forward(ids).nll;
}

// info --json without the fields that are meant to differ: where the folder is and which keys
// the settings were read from.
json info_without_provenance(const fs::path& dir) {
    const auto r = test::run_cli({"info", dir.string(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out);
    for (const char* key : {"path", "files", "rope_sources", "rope_keys"}) j.erase(key);
    return j;
}

void expect_bit_identical(const std::vector<float>& a, const std::vector<float>& b,
                          const std::string& what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0) << what;
}

class Generations : public ::testing::TestWithParam<std::string> {};

TEST_P(Generations, Transformers5TwinGivesBitIdenticalNllAndInfo) {
    const auto fx = test::load_golden_fixture(GetParam());
    const fs::path original = test::fixture_dir(GetParam());
    const json config4 = json::parse(test::read_file(original / "config.json"));
    const auto reference = nll_of(original, fx.ids);
    const json info = info_without_provenance(original);
    for (bool per_layer_type : {false, true}) {
        test::TempDir tmp;
        test::copy_fixture(GetParam(), tmp.path());
        test::write_file(tmp / "config.json", to_transformers5(config4, per_layer_type).dump(2));
        const std::string what = GetParam() + (per_layer_type ? " (per layer type)" : " (flat)");
        expect_bit_identical(nll_of(tmp.path(), fx.ids), reference, what);
        EXPECT_EQ(info_without_provenance(tmp.path()), info) << what;
        // And both generations at once, agreeing, are accepted as the same model.
        json both = to_transformers5(config4, per_layer_type);
        for (const char* key : {"rope_theta", "rope_scaling", "partial_rotary_factor", "rope_local_base_freq"})
            if (config4.contains(key)) both[key] = config4[key];
        test::write_file(tmp / "config.json", both.dump(2));
        expect_bit_identical(nll_of(tmp.path(), fx.ids), reference, what + " with 4.x keys too");
    }
}

INSTANTIATE_TEST_SUITE_P(AllFixtures, Generations,
                         ::testing::ValuesIn(test::golden_fixture_names()),
                         [](const auto& info) { return info.param; });

// HF linear scaling is applied from either location: the twins agree with each other and differ
// from the unscaled model (so the setting is not silently dropped by both).
TEST(GenerationsLinear, LinearScalingFromRopeParametersIsApplied) {
    const auto fx = test::load_golden_fixture("rope_f32");
    json config = json::parse(test::read_file(test::fixture_dir("rope_f32") / "config.json"));
    config["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
    test::TempDir a, b;
    test::copy_fixture("rope_f32", a.path());
    test::copy_fixture("rope_f32", b.path());
    test::write_file(a / "config.json", config.dump(2));
    test::write_file(b / "config.json", to_transformers5(config, false).dump(2));
    const auto nll4 = nll_of(a.path(), fx.ids);
    expect_bit_identical(nll_of(b.path(), fx.ids), nll4, "linear x4");
    const auto unscaled = nll_of(test::fixture_dir("rope_f32"), fx.ids);
    EXPECT_NE(std::memcmp(nll4.data(), unscaled.data(), nll4.size() * sizeof(float)), 0);
}

}  // namespace
}  // namespace rs

namespace rs {
namespace {

// The rope_f32 golden checkpoint retyped as transformers' Mistral (no biases) with `window`.
void write_mistral_twin(const fs::path& dir, const json& window) {
    json config = json::parse(test::read_file(test::fixture_dir("rope_f32") / "config.json"));
    config["model_type"] = "mistral";
    config["architectures"] = {"MistralForCausalLM"};
    config["sliding_window"] = window;
    config.erase("attention_bias");
    config.erase("mlp_bias");
    test::copy_fixture("rope_f32", dir);
    test::write_file(dir / "config.json", config.dump(2));
}

// transformers' MistralForCausalLM without a sliding window computes Llama's function (same
// blocks, no biases), so a Mistral-typed twin of a golden checkpoint must reproduce the PyTorch
// reference's NLL, and be bit-identical to the Llama-typed original.
TEST(GenerationsMistral, MistralWithoutWindowMatchesTheReference) {
    const auto fx = test::load_golden_fixture("rope_f32");
    test::TempDir dir;
    write_mistral_twin(dir.path(), nullptr);
    const auto nll = nll_of(dir.path(), fx.ids);
    expect_bit_identical(nll, nll_of(test::fixture_dir("rope_f32"), fx.ids), "mistral twin");
    const auto expected = test::tensor_floats(fx.expected->tensor("nll"));
    ASSERT_EQ(nll.size(), expected.size());
    for (std::size_t i = 0; i < nll.size(); ++i) EXPECT_NEAR(nll[i], expected[i], 1e-4) << i;
    const auto r = test::run_cli({"info", dir.path().string(), "--json"});
    EXPECT_EQ(json::parse(r.out)["family"], "mistral");
}

// With a window W, transformers masks keys s <= t - W: a run of W tokens masks none, so the
// windowed model computes exactly the unwindowed one there (bit-identical: the mask path must not
// touch a row it does not clip). One token more is no longer refused: its last query loses key 0,
// so only its last NLL can differ, and it does.
TEST(GenerationsMistral, SlidingWindowMasksOnlyBeyondTheWindow) {
    const auto fx = test::load_golden_fixture("rope_f32");
    const int W = int(fx.ids.size());
    test::TempDir dir;
    write_mistral_twin(dir.path(), W);
    expect_bit_identical(nll_of(dir.path(), fx.ids), nll_of(test::fixture_dir("rope_f32"), fx.ids),
                         "run as long as the window");

    std::vector<std::int32_t> longer = fx.ids;
    longer.push_back(fx.ids.front());
    longer.push_back(fx.ids.back());
    const auto windowed = nll_of(dir.path(), longer), full = nll_of(test::fixture_dir("rope_f32"), longer);
    ASSERT_EQ(windowed.size(), full.size());
    for (std::size_t i = 0; i + 1 < std::size_t(W); ++i) EXPECT_EQ(windowed[i], full[i]) << i;
    EXPECT_NE(windowed.back(), full.back());
    const auto info = test::run_cli({"info", dir.path().string()});
    EXPECT_NE(info.out.find("query t sees keys t - " + std::to_string(W) + " < s <= t"), std::string::npos)
        << info.out;
}

}  // namespace
}  // namespace rs
