// Gemma 3 text configs: Gemma3TextConfig's defaults, its layer pattern (sliding_window_pattern or
// layer_types), the local RoPE base of the sliding layers in both transformers generations, and
// the refusals of what transformers' gemma3 would not run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "error.h"
#include "model_config.h"

using namespace rs;

namespace {

using json = nlohmann::json;

json gemma3_config() {
    return json::parse(R"({"model_type": "gemma3_text", "hidden_size": 64, "intermediate_size": 96,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 7, "vocab_size": 97,
        "head_dim": 16, "max_position_embeddings": 256})");
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
