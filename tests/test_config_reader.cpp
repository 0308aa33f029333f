// The config reader's promise (issue 21): every setting that moves positions is applied exactly,
// from transformers 4 or 5 keys, with the key it came from — or refused with the key named.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "attention_window.h"
#include "error.h"
#include "model_config.h"

namespace rs {
namespace {

using json = nlohmann::json;

json base_config() {
    return json::parse(R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2, "vocab_size": 32,
        "max_position_embeddings": 256, "rms_norm_eps": 1e-5})");
}

ModelConfig parse(const json& j, std::vector<std::string> ignore = {}) {
    return parse_model_config(j.dump(), "config.json", {std::move(ignore), {}});
}

// Runs the reader and returns the refusal text ("" when the config was accepted).
std::string refusal(const json& j, std::vector<std::string> ignore = {}) {
    try {
        parse(j, std::move(ignore));
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

std::string origin_of(const ModelConfig& c, const std::string& parameter) {
    for (const auto& s : c.sources)
        if (s.parameter == parameter) return s.defaulted ? "default: " + s.origin : s.origin;
    return "(none)";
}

json llama3_scaling() {
    return {{"rope_type", "llama3"},
            {"factor", 8.0},
            {"low_freq_factor", 1.0},
            {"high_freq_factor", 4.0},
            {"original_max_position_embeddings", 8192}};
}

TEST(ConfigFamily, RefusesQwenGemmaPhiByNameBeforeAnyOtherField) {
    for (const char* t :
         {"qwen2_moe", "mixtral", "gemma", "phi", "deepseek_v2", "llama4"}) {
        json j = base_config();
        j["model_type"] = t;
        j["hidden_act"] = "gelu_pytorch_tanh";  // the family, not this field, must be named
        const std::string why = refusal(j);
        EXPECT_NE(why.find(std::string("model_type \"") + t + "\" is not supported yet"),
                  std::string::npos)
            << why;
        EXPECT_NE(why.find("RoPEScope opens model_type llama (including RoPE++ checkpoints), "
                           "mistral, qwen2, qwen3, smollm3, phi3, gemma2, gemma3_text and gemma3 (its "
                           "language model)"),
                  std::string::npos);
    }
    json j = base_config();
    j["model_type"] = "mamba";
    EXPECT_EQ(
        refusal(j),
        "config.json: model_type \"mamba\" is not a family RoPEScope knows; it opens model_type "
        "llama (including RoPE++ checkpoints), mistral, qwen2, qwen3, smollm3, phi3, gemma2, gemma3_text and "
        "gemma3 (its language model)");
}

// Phi-3 has no biases and keeps a top-level original_max_position_embeddings (read by longrope
// only); a bias switched on, or that key in another family without longrope, is refused.
TEST(ConfigFamily, Phi3FusesProjectionsAndRefusesWhatItNeverBuilds) {
    json j = base_config();
    j["model_type"] = "phi3";
    j["original_max_position_embeddings"] = 4096;
    const ModelConfig c = parse_model_config(j.dump(), "config.json", {});
    EXPECT_TRUE(c.fused_projections);
    EXPECT_FALSE(c.qkv_bias || c.o_bias || c.mlp_bias);
    j["attention_bias"] = true;
    EXPECT_NE(refusal(j).find("\"attention_bias\" = true, but transformers' phi3 has no attention biases"),
              std::string::npos);
    json llama = base_config();
    llama["original_max_position_embeddings"] = 4096;
    EXPECT_NE(refusal(llama).find("original_max_position_embeddings = 4096 is not read for rope_type \"default\""), std::string::npos)
        << refusal(llama);
}

TEST(ConfigFamily, WindowSummaryGroupsLayersByWidth) {
    EXPECT_EQ(window_summary({}), "none");
    EXPECT_EQ(window_summary({0, 0}), "none");
    EXPECT_EQ(window_summary({0, 8, 0}), "layer 1: 8 tokens");
    // Gemma 3's pattern: every sixth layer global, the others one list of ranges.
    EXPECT_EQ(window_summary({8, 8, 8, 8, 8, 0, 8, 8, 8, 8, 8, 0, 8}),
              "layers 0-4, 6-10, 12: 8 tokens");
    EXPECT_EQ(window_summary({16, 8, 8, 0, 16}), "layers 1-2: 8 tokens; layers 0, 4: 16 tokens");
}

TEST(ConfigFamily, MistralWindowMasksEveryLayer) {
    json j = base_config();
    j["model_type"] = "mistral";
    j["sliding_window"] = nullptr;
    EXPECT_EQ(parse(j).family, "mistral");
    EXPECT_TRUE(parse(j).layer_window.empty());
    j["sliding_window"] = 4096;
    auto windowed = parse(j);
    EXPECT_EQ(windowed.layer_window, (std::vector<int>{4096, 4096}));
    EXPECT_EQ(windowed.attention_window(1), 4096);
    EXPECT_EQ(origin_of(windowed, "sliding_window"),
              "query t sees keys t - 4096 < s <= t in layers 0-1: 4096 tokens (2 of 2 layers)");
    for (const json& bad : {json(0), json(-5), json(2.5), json("4096")}) {
        j["sliding_window"] = bad;
        EXPECT_NE(refusal(j).find("must be a positive integer"), std::string::npos) << bad;
    }
    j["sliding_window"] = 4096;
    j["use_sliding_window"] = false;  // Qwen2's switch, which transformers' Mistral never reads
    EXPECT_NE(refusal(j).find("use_sliding_window = false, but transformers' mistral does not read it"),
              std::string::npos)
        << refusal(j);
    j.erase("use_sliding_window");
    j["layer_types"] = {"full_attention", "sliding_attention"};  // MistralModel never reads it
    EXPECT_EQ(parse(j).layer_window, (std::vector<int>{4096, 4096}));
    EXPECT_EQ(origin_of(parse(j), "layer_types"),
              "transformers' mistral windows every layer by sliding_window, whatever layer_types says");
    j["layer_types"] = {"sliding_attention", "sliding_attention"};
    EXPECT_EQ(parse(j).layer_window, (std::vector<int>{4096, 4096}));
    j.erase("layer_types");
    j["attention_bias"] = true;
    EXPECT_EQ(refusal(j),
              "config.json: \"attention_bias\" = true, but transformers' mistral has no attention "
              "biases; RoPEScope will not guess which was meant");
}

TEST(ConfigFamily, QwenBiasesAndNormsFollowTheModelingCode) {
    json j = base_config();
    j["model_type"] = "qwen2";
    j["sliding_window"] = 131072;  // Qwen2.5 writes a window and switches it off
    j["use_sliding_window"] = false;
    j["max_window_layers"] = 28;
    auto c = parse(j);
    EXPECT_TRUE(c.qkv_bias);
    EXPECT_FALSE(c.o_bias);
    EXPECT_FALSE(c.qk_norm);
    EXPECT_EQ(origin_of(c, "attention"), "transformers' qwen2 modeling code");
    EXPECT_TRUE(c.layer_window.empty());
    EXPECT_EQ(origin_of(c, "sliding_window"), "not used: use_sliding_window = false");
    j["use_sliding_window"] = true;  // switched on: layers from max_window_layers on are windowed
    c = parse(j);
    EXPECT_TRUE(c.layer_window.empty());  // max_window_layers 28 of 2 layers: none
    j["max_window_layers"] = 1;
    c = parse(j);
    EXPECT_EQ(c.layer_window, (std::vector<int>{0, 131072}));
    j.erase("max_window_layers");  // Qwen2Config's default is 28
    EXPECT_TRUE(parse(j).layer_window.empty());
    j["max_window_layers"] = -1;
    EXPECT_NE(refusal(j).find("must be a non-negative integer"), std::string::npos) << refusal(j);
    j["max_window_layers"] = 1;
    j["layer_types"] = {"sliding_attention", "full_attention"};  // an explicit list wins
    EXPECT_EQ(parse(j).layer_window, (std::vector<int>{131072, 0}));
    j["use_sliding_window"] = false;
    EXPECT_NE(refusal(j).find("layer_types asks for sliding_attention in layers 0, but no window is in use"),
              std::string::npos)
        << refusal(j);
    j.erase("layer_types");
    j.erase("use_sliding_window");  // absent: Qwen2Config's default false
    EXPECT_TRUE(parse(j).layer_window.empty());
    j = base_config();
    j["model_type"] = "qwen3";
    j["head_dim"] = 24;
    c = parse(j);
    EXPECT_TRUE(c.qk_norm);
    EXPECT_FALSE(c.qkv_bias);
    EXPECT_EQ(c.head_dim, 24);
    j["mlp_bias"] = true;
    EXPECT_NE(refusal(j).find("transformers' qwen3 has no MLP biases"), std::string::npos);
}

TEST(ConfigFamily, SmolLM3NoPELayersFromTheListOrTheInterval) {
    json j = base_config();
    j["model_type"] = "smollm3";
    j["num_hidden_layers"] = 8;
    auto c = parse(j);  // neither key: transformers' default interval 4
    EXPECT_EQ(c.rope_layers, (std::vector<char>{1, 1, 1, 0, 1, 1, 1, 0}));
    EXPECT_EQ(origin_of(c, "no_rope_layer_interval"), "default: the SmolLM3 default");
    EXPECT_EQ(origin_of(c, "NoPE layers"), "no_rope_layer_interval");
    j["no_rope_layer_interval"] = 2;
    EXPECT_EQ(parse(j).rope_layers, (std::vector<char>{1, 0, 1, 0, 1, 0, 1, 0}));
    j["no_rope_layers"] = {0, 1, 1, 1, 1, 1, 1, 1};  // the list wins over the interval
    c = parse(j);
    EXPECT_FALSE(c.layer_has_rope(0));
    EXPECT_TRUE(c.layer_has_rope(1));
    j["no_rope_layers"] = {0, 1, 2, 1, 1, 1, 1, 1};
    EXPECT_NE(refusal(j).find("entries must be 0 or 1 in layers 2"), std::string::npos)
        << refusal(j);
    j["no_rope_layers"] = {1, 1, 1, 0, 1, 1, 1, 0};
    j["rope_config"] = {{"imag", true}, {"imag_mode", "imag2"}};
    EXPECT_NE(refusal(j).find("layers without RoPE (NoPE) have no imaginary part"),
              std::string::npos);
}

TEST(ConfigFamily, AbsentModelTypeIsReadAsLlamaAndSaysSo) {
    json j = base_config();
    j.erase("model_type");
    const auto c = parse(j);
    EXPECT_EQ(c.family, "llama");
    EXPECT_EQ(origin_of(c, "model_type"), "default: read as the Llama layout");
}

TEST(RopeSettings, Transformers5FlatDictGivesTheSameParametersAs4) {
    json v4 = base_config();
    v4["rope_theta"] = 500000.0;
    v4["rope_scaling"] = llama3_scaling();
    json v5 = base_config();
    json rp = llama3_scaling();
    rp["rope_theta"] = 500000.0;
    v5["rope_parameters"] = rp;
    const auto a = parse(v4).rope_params();
    const auto b = parse(v5).rope_params();
    EXPECT_EQ(a.theta, 500000.0);
    EXPECT_EQ(b.theta, 500000.0);
    ASSERT_TRUE(a.llama3 && b.llama3);
    EXPECT_EQ(b.llama3->factor, 8.0);
    EXPECT_EQ(b.llama3->original_max_position_embeddings, 8192);
    EXPECT_EQ(origin_of(parse(v5), "rope_theta"), "rope_parameters.rope_theta");
    EXPECT_EQ(origin_of(parse(v4), "factor"), "rope_scaling.factor");
    EXPECT_EQ(parse(v5).rope_format, "transformers 5 (rope_parameters)");
}

TEST(RopeSettings, Transformers5PerLayerTypeDict) {
    json j = base_config();
    j["layer_types"] = {"full_attention", "full_attention"};
    j["rope_parameters"] = {
        {"full_attention", {{"rope_type", "linear"}, {"factor", 4.0}, {"rope_theta", 1e6}}},
        {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 1e4}}}};
    const auto c = parse(j);
    EXPECT_EQ(c.rope_params().theta, 1e6);
    EXPECT_EQ(c.rope_params().linear_factor, 4.0);
    EXPECT_EQ(origin_of(c, "factor"), "rope_parameters.full_attention.factor");

    j.erase("layer_types");  // no layer_types: every layer is full attention, as in transformers
    EXPECT_EQ(parse(j).rope_params().theta, 1e6);

    j["layer_types"] = {"sliding_attention", "full_attention"};  // Llama has no windowed layers
    EXPECT_NE(refusal(j).find("layer_types asks for sliding_attention in layers 0, but transformers' "
                              "llama has no sliding-window attention"),
              std::string::npos)
        << refusal(j);
    j["layer_types"] = {"chunked_attention", "full_attention"};
    EXPECT_NE(refusal(j).find("attention other than full_attention and sliding_attention is not computed "
                              "yet; it is asked for in layers 0"),
              std::string::npos)
        << refusal(j);
    // A windowed Qwen2 whose two layer types share one RoPE reads it; two different ones are refused.
    j["model_type"] = "qwen2";
    j["use_sliding_window"] = true;
    j["sliding_window"] = 8;
    j["layer_types"] = {"full_attention", "sliding_attention"};
    j["rope_parameters"]["sliding_attention"] = j["rope_parameters"]["full_attention"];
    EXPECT_EQ(parse(j).rope_params().theta, 1e6);
    EXPECT_EQ(parse(j).layer_window, (std::vector<int>{0, 8}));
    j["rope_parameters"]["sliding_attention"] = {{"rope_type", "default"}, {"rope_theta", 1e4}};
    EXPECT_NE(refusal(j).find("applies one RoPE to every layer"), std::string::npos) << refusal(j);
}

TEST(RopeSettings, BothGenerationsMustAgree) {
    json j = base_config();
    j["rope_theta"] = 10000.0;
    j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1000000}};
    EXPECT_EQ(refusal(j),
              "config.json: rope_theta = 10000.0 but rope_parameters.rope_theta = 1000000 "
              "(transformers 4 reads the first, transformers 5 the second); RoPEScope will not "
              "guess which applies");
    j["rope_theta"] = 1000000.0;  // 1e6 written as a float and as an integer is one value
    const auto c = parse(j);
    EXPECT_EQ(c.rope_params().theta, 1e6);
    EXPECT_EQ(origin_of(c, "rope_theta"), "rope_theta and rope_parameters.rope_theta (agree)");
    EXPECT_EQ(c.rope_format, "transformers 4 and 5 keys, agreeing");

    j["rope_scaling"] = {{"type", "linear"},
                         {"factor", 2.0}};  // scaling on one side only: a conflict
    EXPECT_NE(refusal(j).find(
                  "rope_scaling.type = \"linear\" but rope_parameters.rope_type = \"default\""),
              std::string::npos)
        << refusal(j);
}

TEST(RopeSettings, DefaultsAreStated) {
    const auto c = parse(base_config());
    EXPECT_EQ(c.rope_params().theta, 10000.0);
    EXPECT_EQ(origin_of(c, "rope_theta"), "default: the transformers default");
    const auto lines = provenance_lines(c);
    EXPECT_NE(std::find(lines.begin(), lines.end(),
                        "rope_theta absent -> 10000 (the transformers default)"),
              lines.end());
    EXPECT_EQ(origin_of(c, "head_dim"), "default: hidden_size / num_attention_heads");
}

TEST(RopeSettings, UnknownTypesAndUnreadFieldsAreRefusedByKey) {
    json j = base_config();
    j["rope_scaling"] = {
        {"rope_type", "mrope"}, {"factor", 4.0}, {"original_max_position_embeddings", 4096}};
    EXPECT_EQ(
        refusal(j),
        "config.json: rope_scaling.rope_type = \"mrope\" is not supported yet: RoPEScope computes "
        "rope_type default, linear, llama3, yarn, longrope and dynamic exactly");
    j["rope_scaling"] = llama3_scaling();
    j["rope_scaling"].erase("low_freq_factor");
    EXPECT_EQ(refusal(j),
              "config.json: rope_type \"llama3\" needs \"low_freq_factor\", which the config does "
              "not give");
    j["rope_scaling"] = {
        {"type", "linear"}, {"factor", 2.0}, {"original_max_position_embeddings", 4096}};
    EXPECT_EQ(
        refusal(j),
        "config.json: rope_scaling.original_max_position_embeddings = 4096 is not read for "
        "rope_type \"linear\", and RoPEScope applies every RoPE setting exactly or not at all "
        "(pass --ignore-config-key rope_scaling.original_max_position_embeddings to run without "
        "it)");
    const auto c = parse(j, {"rope_scaling.original_max_position_embeddings"});
    EXPECT_EQ(c.rope_params().linear_factor, 2.0);
    EXPECT_EQ(c.ignored_keys,
              std::vector<std::string>{"rope_scaling.original_max_position_embeddings"});
}

TEST(PositionalKeys, UnknownPositionalKeyIsRefusedUnlessIgnored) {
    json j = base_config();
    j["rotary_emb_base"] = 10000.0;
    EXPECT_EQ(
        refusal(j),
        "config.json: config key \"rotary_emb_base\" = 10000.0 is not one RoPEScope reads, "
        "and it may change positions or attention (pass --ignore-config-key rotary_emb_base "
        "to run without it; every output then says so)");
    const auto c = parse(j, {"rotary_emb_base"});
    const auto lines = provenance_lines(c);
    EXPECT_EQ(
        lines.back(),
        "rotary_emb_base IGNORED at the user's request (--ignore-config-key): not applied");
    // Naming a key that is not there (or not a refused one) is a usage error, not a silent no-op.
    EXPECT_THROW(parse(base_config(), {"rotary_emb_base"}), UsageError);
    EXPECT_THROW(parse(base_config(), {"hidden_size"}), UsageError);
}

TEST(PositionalKeys, KnownKeysAppliedOrRefusedByValue) {
    struct Case {
        const char* key;
        json accepted;  // a value that changes nothing
        json refused;
        const char* why;
    };
    const Case cases[] = {
        {"rope_interleave", false, true, "interleaved pairs"},
        {"attn_logit_softcapping", nullptr, 50.0,
         "only Gemma soft-caps attention logits; transformers' other families never read this key"},
        {"final_logit_softcapping", nullptr, 30.0, "only Gemma soft-caps the output logits"},
        {"query_pre_attn_scalar", 16, 256, "only Gemma scales queries by query_pre_attn_scalar^-1/2"},
        {"sliding_window_size", nullptr, 4096, "only Gemma 2 configs carry it"},
        {"attention_chunk_size", nullptr, 8192, "chunked attention is not computed yet"},
        {"kv_lora_rank", nullptr, 512, "multi-head latent attention"},
        {"qk_rope_head_dim", nullptr, 64, "multi-head latent attention"},
        {"no_rope_layers", json::array({1, 1}), json::array({1, 0}),
         "RoPE is left out in layers 1"},
        {"use_sliding_window", false, "yes", "must be true or false"},
    };
    for (const auto& k : cases) {
        json j = base_config();
        j[k.key] = k.accepted;
        EXPECT_EQ(refusal(j), "") << k.key;
        j[k.key] = k.refused;
        const std::string why = refusal(j);
        EXPECT_NE(why.find(std::string("\"") + k.key + "\" = " + k.refused.dump() + ": "),
                  std::string::npos)
            << why;
        EXPECT_NE(why.find(k.why), std::string::npos) << why;
    }
    json j = base_config();
    j["no_rope_layer_interval"] =
        4;  // SmolLM3: without a list, transformers derives NoPE layers from it
    EXPECT_NE(refusal(j).find("only SmolLM3 leaves RoPE out of every N-th layer (NoPE)"),
              std::string::npos);
    j["no_rope_layers"] = {1, 1};  // an explicit list wins, and here every layer has RoPE
    EXPECT_EQ(refusal(j), "");
}

TEST(RopeSettings, UpstreamRopeConfigIsCitedAndUnknownFieldsRefused) {
    json j = base_config();
    j["rope_config"] = {{"imag", true}, {"imag_mode", "imag2"}, {"scaling_factor", 4.0}};
    const auto c = parse(j);
    EXPECT_EQ(c.rope_params().theta, 40000.0);
    EXPECT_EQ(origin_of(c, "imag_mode"), "rope_config.imag_mode");
    j["rope_config"]["window"] = 3;
    EXPECT_NE(refusal(j).find("rope_config.window = 3 is not an upstream RoPE++ setting"),
              std::string::npos);
}

}  // namespace
}  // namespace rs
