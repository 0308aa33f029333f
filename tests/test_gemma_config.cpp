// Gemma 2 and Gemma 3 (text) configs: every setting transformers' gemma2 / gemma3 code applies is
// read (with the config class's defaults shown when absent), the soft-cap helper matches tanh, and
// contradictions are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "error.h"
#include "model_config.h"
#include "soft_cap.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

using json = nlohmann::json;

json gemma2_config() {
    return json::parse(R"({"model_type": "gemma2", "hidden_size": 64, "intermediate_size": 96,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 4, "vocab_size": 97,
        "head_dim": 16, "max_position_embeddings": 256, "rms_norm_eps": 1e-6,
        "query_pre_attn_scalar": 24, "attn_logit_softcapping": 3.0, "final_logit_softcapping": 2.0,
        "sliding_window": 8, "hidden_act": "gelu_pytorch_tanh", "hidden_activation": "gelu_pytorch_tanh"})");
}

ModelConfig parse(const json& j) { return parse_model_config(j.dump(), "config.json"); }

std::string refusal(const json& j) {
    try {
        parse(j);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string line_of(const ModelConfig& c, const std::string& parameter) {
    for (const auto& s : c.sources)
        if (s.parameter == parameter) return source_line(s);
    return "(none)";
}

}  // namespace

TEST(GemmaConfig, ReadsEverySettingGemma2Applies) {
    const ModelConfig c = parse(gemma2_config());
    EXPECT_EQ(c.family, "gemma2");
    EXPECT_TRUE(c.embed_scale && c.norm_offset && c.sandwich_norms);
    EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");
    EXPECT_EQ(c.attn_logit_softcap, 3.0);
    EXPECT_EQ(c.final_logit_softcap, 2.0);
    EXPECT_EQ(c.attention_scale(), static_cast<float>(1.0 / std::sqrt(24.0)));
    EXPECT_TRUE(c.tie_word_embeddings);  // Gemma2Config's default
    EXPECT_FALSE(c.qkv_bias || c.o_bias || c.mlp_bias);
    EXPECT_EQ(c.layer_window, (std::vector<int>{8, 0, 8, 0}));  // even layers slide
    EXPECT_EQ(line_of(c, "attn_logit_softcapping"),
              "attn_logit_softcapping = 3.0 (attn_logit_softcapping; logits -> cap tanh(logits / cap) "
              "before the mask)");
    EXPECT_EQ(line_of(c, "tie_word_embeddings"), "tie_word_embeddings absent -> true (the Gemma2Config default)");
}

TEST(GemmaConfig, AbsentKeysTakeGemma2ConfigDefaultsAndSayItNullSwitchesACapOff) {
    json j = gemma2_config();
    for (const char* k : {"head_dim", "query_pre_attn_scalar", "attn_logit_softcapping", "sliding_window",
                          "hidden_act", "hidden_activation"})
        j.erase(k);
    j["final_logit_softcapping"] = nullptr;
    const ModelConfig c = parse(j);
    EXPECT_EQ(c.head_dim, 256);
    EXPECT_EQ(c.query_pre_attn_scalar, 256);
    EXPECT_EQ(c.attention_scale(), 0.0625f);
    EXPECT_EQ(c.attn_logit_softcap, 50.0);
    EXPECT_EQ(c.final_logit_softcap, 0.0);
    EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");
    EXPECT_EQ(c.layer_window, (std::vector<int>{4096, 0, 4096, 0}));
    EXPECT_EQ(line_of(c, "head_dim"), "head_dim absent -> 256 (the Gemma2Config default)");
    EXPECT_EQ(line_of(c, "attn_logit_softcapping"),
              "attn_logit_softcapping absent -> 50 (the Gemma2Config default; logits -> cap tanh(logits / "
              "cap) before the mask)");
    EXPECT_EQ(line_of(c, "final_logit_softcapping"),
              "final_logit_softcapping = null (final_logit_softcapping; output logits -> cap tanh(logits / cap))");
    EXPECT_EQ(line_of(c, "sliding_window"), "sliding_window absent -> 4096 (the Gemma2Config default)");
}

TEST(GemmaConfig, LayerTypesDecideWhichLayersSlide) {
    json j = gemma2_config();
    j["layer_types"] = {"full_attention", "sliding_attention", "sliding_attention", "full_attention"};
    EXPECT_EQ(parse(j).layer_window, (std::vector<int>{0, 8, 8, 0}));
    j["sliding_window"] = nullptr;
    EXPECT_EQ(refusal(j), "config.json: sliding_window is null, but layers 1, 2 are sliding_attention layers; "
                          "RoPEScope will not guess the window");
}

TEST(GemmaConfig, ContradictionsAreRefusedByName) {
    struct Case {
        const char* key;
        json value;
        const char* message;
    };
    const Case cases[] = {
        {"hidden_act", "silu",
         "config.json: hidden_act \"silu\" but hidden_activation \"gelu_pytorch_tanh\"; transformers' gemma2 "
         "reads hidden_activation, RoPEScope will not guess which was meant"},
        {"hidden_activation", "relu",
         "config.json: hidden_activation \"relu\" is not supported (Gemma 2 uses gelu_pytorch_tanh)"},
        {"mlp_bias", true,
         "config.json: \"mlp_bias\" = true, but transformers' gemma2 has no MLP biases; RoPEScope will not "
         "guess which was meant"},
        {"query_pre_attn_scalar", nullptr,
         "config.json: \"query_pre_attn_scalar\" is null; transformers' gemma2 needs it for the attention scale"},
        {"attn_logit_softcapping", -1.0,
         "config.json: \"attn_logit_softcapping\" must be a positive number or null, got -1.0"},
        {"sliding_window_size", 16,
         "config.json: \"sliding_window_size\" = 16: only Gemma 2 configs carry it, as an unread copy of "
         "sliding_window; here it is not one (sliding_window 8), so RoPEScope cannot tell which window was "
         "meant (pass --ignore-config-key sliding_window_size to run without it; every output then says so)"},
    };
    for (const auto& k : cases) {
        json j = gemma2_config();
        j[k.key] = k.value;
        EXPECT_EQ(refusal(j), k.message) << k.key;
    }
    json j = gemma2_config();
    j["sliding_window_size"] = 8;  // the unread copy Gemma 2 configs carry
    EXPECT_EQ(refusal(j), "");
}

TEST(GemmaConfig, SoftCapIsCapTimesTanhWithinAFewUlp) {
    std::vector<float> x;
    for (int i = -400; i <= 400; ++i) x.push_back(float(i) * 0.037f);
    std::vector<float> y = x;
    soft_cap(y.data(), long(y.size()), 3.0f);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double want = 3.0 * std::tanh(double(x[i] / 3.0f));
        EXPECT_NEAR(y[i], want, 4 * 3.0 * 0x1.0p-24) << x[i];
    }
    std::vector<float> z = x;
    soft_cap(z.data(), long(z.size()), 0.0f);  // no cap: unchanged
    EXPECT_EQ(z, x);
}

// Multimodal Gemma 3 (model_type gemma3): its text_config is read as the language model, the
// vision and image-token keys are noted as unused, anything else at the top is refused by name; an
// attn_logit_softcapping that transformers' Gemma3Attention would never apply is refused too.
TEST(GemmaConfig, MultimodalGemma3ReadsTextConfigAndRefusesWhatItCannotApply) {
    EXPECT_TRUE(test::fixtures_refused_for_now().empty());
    const auto path = test::fixture_dir("gemma3_text_f32") / "config.json";
    std::ifstream f(path);
    json j = json::parse(f);
    json top = {{"architectures", {"Gemma3ForConditionalGeneration"}}, {"model_type", "gemma3"},
                {"text_config", j}, {"vision_config", {{"model_type", "siglip_vision_model"}}},
                {"mm_tokens_per_image", 256}, {"eos_token_id", {1, 106}}};
    const ModelConfig text = parse(j), wrapped = parse(top);
    EXPECT_EQ(wrapped.model_type, "gemma3");
    EXPECT_EQ(wrapped.language_model_of, "gemma3");
    EXPECT_EQ(wrapped.family, "gemma3_text");
    EXPECT_TRUE(text.language_model_of.empty());
    EXPECT_EQ(wrapped.num_hidden_layers, text.num_hidden_layers);
    EXPECT_EQ(wrapped.local_rope_layers, text.local_rope_layers);
    EXPECT_EQ(wrapped.layer_window, text.layer_window);
    EXPECT_EQ(wrapped.rope_local_theta, text.rope_local_theta);
    EXPECT_EQ(wrapped.rope_params().linear_factor, text.rope_params().linear_factor);
    EXPECT_EQ(line_of(wrapped, "vision_config"),
              "vision_config = {\"model_type\":\"siglip_vision_model\"} (the vision tower: not "
              "loaded, runs are text only)");
    EXPECT_EQ(line_of(wrapped, "mm_tokens_per_image"),
              "mm_tokens_per_image = 256 (image tokens: not used by text-only runs)");

    json bad = top;
    bad["rope_theta"] = 5e5;  // meant for the language model, written where it is not read
    EXPECT_EQ(refusal(bad),
              "config.json: key \"rope_theta\" at the top of a gemma3 (multimodal) config is not read: "
              "RoPEScope runs the language model of text_config, so a setting for it must be inside "
              "text_config");
    bad = top;
    bad["text_config"]["model_type"] = "gemma2";
    EXPECT_EQ(refusal(bad), "config.json: text_config.model_type is \"gemma2\"; a gemma3 config's "
                            "language model is gemma3_text");
    bad = top;
    bad.erase("text_config");
    EXPECT_EQ(refusal(bad),
              "config.json: model_type \"gemma3\" needs a \"text_config\" object (its language model)");

    // The multimodal model's logits are never soft-capped: a cap is refused, or ignored on request.
    bad = top;
    bad["text_config"]["final_logit_softcapping"] = 30.0;
    EXPECT_EQ(refusal(bad),
              "config.json: text_config.final_logit_softcapping = 30.0: transformers' "
              "Gemma3ForConditionalGeneration never applies it to the logits, so a value here cannot mean "
              "what it says (pass --ignore-config-key final_logit_softcapping to run without it; every "
              "output then says so)");
    const ModelConfig uncapped =
        parse_model_config(bad.dump(), "config.json", {{"final_logit_softcapping"}, {}});
    EXPECT_EQ(uncapped.final_logit_softcap, 0.0);
    EXPECT_EQ(uncapped.ignored_keys, std::vector<std::string>{"final_logit_softcapping"});
    EXPECT_EQ(parse(j).final_logit_softcap, 0.0);  // the fixture writes null

    // A sparse text_config, as the published multimodal checkpoints write it: Gemma3TextConfig's
    // defaults fill the sizes, and each one applied is shown.
    json sparse = top;
    sparse["text_config"] = {{"hidden_size", 2560}, {"intermediate_size", 10240}, {"model_type", "gemma3_text"},
                             {"num_hidden_layers", 34}, {"sliding_window", 1024}};
    const ModelConfig big = parse(sparse);
    EXPECT_EQ(big.num_attention_heads, 8);
    EXPECT_EQ(big.num_key_value_heads, 4);
    EXPECT_EQ(big.vocab_size, 262208);
    EXPECT_EQ(big.head_dim, 256);
    EXPECT_EQ(big.max_position_embeddings, 131072);
    EXPECT_EQ(line_of(big, "vocab_size"), "vocab_size absent -> 262208 (the Gemma3TextConfig default)");
    EXPECT_EQ(line_of(big, "num_attention_heads"),
              "num_attention_heads absent -> 8 (the Gemma3TextConfig default)");

    j["model_type"] = "gemma3_text";
    j["attn_logit_softcapping"] = 50.0;
    EXPECT_EQ(refusal(j),
              "config.json: \"attn_logit_softcapping\" = 50.0: transformers' Gemma3Attention keeps "
              "attn_logit_softcapping but never applies it, so a value here cannot mean what it says (pass "
              "--ignore-config-key attn_logit_softcapping to run without it; every output then says so)");
    // Ignored at the user's request, it runs as transformers does: no cap.
    const ModelConfig c = parse_model_config(j.dump(), "config.json", {{"attn_logit_softcapping"}, {}});
    EXPECT_EQ(c.attn_logit_softcap, 0.0);
}

// Gemma 3 (text): Gemma3TextConfig defaults, the layer pattern, the local RoPE in both transformers
// generations, and Gemma 3's keys refused elsewhere.
namespace {

json gemma3_config() {
    return json::parse(R"({"model_type": "gemma3_text", "hidden_size": 64, "intermediate_size": 96,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 7, "vocab_size": 97,
        "head_dim": 16, "max_position_embeddings": 256})");
}

std::vector<char> local_layers(const ModelConfig& c) {
    std::vector<char> out;
    for (int l = 0; l < c.num_hidden_layers; ++l) out.push_back(c.uses_local_rope(l));
    return out;
}

}  // namespace

TEST(Gemma3Config, DefaultsAreGemma3TextConfigs) {
    json j = gemma3_config();
    j.erase("head_dim");
    const ModelConfig c = parse(j);
    EXPECT_EQ(c.family, "gemma3_text");
    EXPECT_EQ(c.head_dim, 256);
    EXPECT_EQ(c.query_pre_attn_scalar, 256);
    EXPECT_EQ(c.attn_logit_softcap, 0);
    EXPECT_EQ(c.final_logit_softcap, 0);
    EXPECT_EQ(c.rope_theta, 1e6);  // Gemma3TextConfig's, not the transformers default 10000
    EXPECT_EQ(c.rope_local_theta, 10000.0);
    EXPECT_TRUE(c.qk_norm && c.norm_offset && c.sandwich_norms && c.embed_scale && c.tie_word_embeddings);
    EXPECT_EQ(c.hidden_act, "gelu_pytorch_tanh");
    // sliding_window_pattern 6: layer 5 is the only full layer of 7; the window defaults to 4096.
    EXPECT_EQ(local_layers(c), (std::vector<char>{1, 1, 1, 1, 1, 0, 1}));
    EXPECT_EQ(c.layer_window, (std::vector<int>{4096, 4096, 4096, 4096, 4096, 0, 4096}));
}

TEST(Gemma3Config, PatternAndLayerTypesChooseTheLocalLayers) {
    json j = gemma3_config();
    j["sliding_window_pattern"] = 3;
    j["sliding_window"] = 8;
    j["rope_theta"] = 1e6;
    j["rope_local_base_freq"] = 20000.0;
    ModelConfig c = parse(j);
    EXPECT_EQ(local_layers(c), (std::vector<char>{1, 1, 0, 1, 1, 0, 1}));
    EXPECT_EQ(c.layer_window, (std::vector<int>{8, 8, 0, 8, 8, 0, 8}));
    EXPECT_EQ(c.rope_local_theta, 20000.0);
    EXPECT_EQ(c.local_rope_params().theta, 20000.0);
    EXPECT_EQ(c.rope_params().theta, 1e6);
    // layer_types wins over the pattern.
    j["layer_types"] = {"full_attention", "sliding_attention", "full_attention", "sliding_attention",
                        "full_attention", "full_attention", "sliding_attention"};
    c = parse(j);
    EXPECT_EQ(local_layers(c), (std::vector<char>{0, 1, 0, 1, 0, 0, 1}));
    EXPECT_EQ(c.layer_window, (std::vector<int>{0, 8, 0, 8, 0, 0, 8}));
    // Every layer full: one spectrum.
    j["layer_types"] = std::vector<std::string>(7, "full_attention");
    EXPECT_TRUE(parse(j).local_rope_layers.empty());
}

TEST(Gemma3Config, Transformers5RopeParametersPerLayerType) {
    json j = gemma3_config();
    j["sliding_window"] = 8;
    j["rope_parameters"] = json::parse(R"({
        "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
        "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}})");
    ModelConfig c = parse(j);
    EXPECT_EQ(c.rope_theta, 1e6);
    ASSERT_TRUE(c.rope_scaling);
    EXPECT_EQ(c.rope_scaling->type, "linear");
    EXPECT_EQ(c.rope_scaling->factor, 8.0);
    EXPECT_EQ(c.rope_local_theta, 10000.0);
    // Both generations: they must agree.
    j["rope_local_base_freq"] = 10000;
    EXPECT_EQ(parse(j).rope_local_theta, 10000.0);
    j["rope_local_base_freq"] = 20000.0;
    EXPECT_EQ(refusal(j),
              "config.json: rope_local_base_freq = 20000.0 but rope_parameters.sliding_attention.rope_theta = "
              "10000.0 (transformers 4 reads the first, transformers 5 the second); RoPEScope will not guess "
              "which applies");
    j.erase("rope_local_base_freq");
    j["rope_parameters"]["sliding_attention"]["rope_type"] = "linear";
    j["rope_parameters"]["sliding_attention"]["factor"] = 2.0;
    EXPECT_EQ(refusal(j),
              "config.json: rope_parameters.sliding_attention.factor = 2.0 is not read by the default RoPE of "
              "Gemma 3's sliding layers; RoPEScope will not guess what it was meant to change");
    j["rope_parameters"]["sliding_attention"].erase("factor");
    EXPECT_EQ(refusal(j),
              "config.json: rope_parameters.sliding_attention.rope_type = \"linear\": transformers' Gemma 3 "
              "rotates its sliding layers with rope_type \"default\" only; RoPEScope will not guess what else "
              "was meant");
}

TEST(Gemma3Config, Gemma3KeysAreRefusedElsewhereAndChecked) {
    json j = gemma3_config();
    j["sliding_window_pattern"] = 0;
    EXPECT_EQ(refusal(j),
              "config.json: \"sliding_window_pattern\" = 0: must be a positive integer: every "
              "sliding_window_pattern-th layer has full attention (pass --ignore-config-key "
              "sliding_window_pattern to run without it; every output then says so)");
    json l = gemma3_config();
    l["model_type"] = "llama";
    l["rope_local_base_freq"] = 10000.0;
    EXPECT_EQ(refusal(l),
              "config.json: \"rope_local_base_freq\" = 10000.0: only Gemma 3 reads it (a number greater than 1, "
              "the RoPE base of the sliding_attention layers) (pass --ignore-config-key rope_local_base_freq to "
              "run without it; every output then says so)");
}
