// config.json parsing with explicit validation: every field is type-checked and range-checked.
#include "model_config.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config_key_policy.h"
#include "csv_writer.h"
#include "error.h"
#include "json_depth.h"

namespace rs {

namespace {

using json = nlohmann::json;

// Far above any real model, and the same bounds the trace reader applies.
constexpr int kMaxLayers = 4096, kMaxHeads = 65536;

class Reader {
public:
    Reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& why) const { throw FileError(path_, why); }

    bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }

    int positive_int(const char* key) const {
        if (!has(key)) fail(std::string("missing required field \"") + key + "\"");
        return positive_int_value(j_[key], key);
    }
    int positive_int_value(const json& v, const std::string& key) const {
        if (!v.is_number_integer() || v.get<long long>() <= 0 || v.get<long long>() > (1LL << 30))
            fail("\"" + key + "\" must be a positive integer, got " + v.dump());
        return static_cast<int>(v.get<long long>());
    }
    // Counts that size per-layer or per-head tables before any tensor is checked: a hostile
    // num_hidden_layers of 2^30 would otherwise allocate gigabytes of expected-tensor names.
    int bounded_count(const char* key, int max) const {
        const int v = positive_int(key);
        if (v > max)
            fail("\"" + std::string(key) + "\" = " + std::to_string(v) +
                 " is implausibly large (RoPEScope reads at most " + std::to_string(max) + ")");
        return v;
    }
    double number(const char* key, double fallback) const {
        if (!has(key)) return fallback;
        if (!j_[key].is_number()) fail(std::string("\"") + key + "\" must be a number, got " + j_[key].dump());
        return j_[key].get<double>();
    }
    bool boolean(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        if (!j_[key].is_boolean()) fail(std::string("\"") + key + "\" must be true or false, got " + j_[key].dump());
        return j_[key].get<bool>();
    }
    std::string string(const char* key) const {
        if (!j_[key].is_string()) fail(std::string("\"") + key + "\" must be a string, got " + j_[key].dump());
        return j_[key].get<std::string>();
    }
    // A positive number, `fallback` when the key is absent, 0 when it is null (None: switched off).
    double positive_or_null(const char* key, double fallback) const {
        if (!j_.contains(key)) return fallback;
        if (j_[key].is_null()) return 0;
        if (!j_[key].is_number() || !(j_[key].get<double>() > 0) || !std::isfinite(j_[key].get<double>()))
            fail(std::string("\"") + key + "\" must be a positive number or null, got " + j_[key].dump());
        return j_[key].get<double>();
    }
    std::optional<int> optional_id(const char* key) const {
        if (!has(key)) return std::nullopt;
        const auto& v = j_[key];
        if (v.is_array() && !v.empty() && v[0].is_number_integer()) return v[0].get<int>();  // eos lists
        if (!v.is_number_integer()) return std::nullopt;
        return v.get<int>();
    }

private:
    const json& j_;
    std::string path_;
};

RopePPConfig parse_rope_pp(const json& rc, const Reader& r) {
    RopePPConfig c;
    c.present = true;
    if (!rc.is_object()) r.fail("\"rope_config\" must be an object");
    if (rc.contains("imag")) {
        if (!rc["imag"].is_boolean()) r.fail("\"rope_config.imag\" must be true or false");
        c.imag = rc["imag"].get<bool>();
    }
    if (rc.contains("imag_mode") && !rc["imag_mode"].is_null()) {
        if (!rc["imag_mode"].is_string()) r.fail("\"rope_config.imag_mode\" must be a string");
        c.imag_mode = rc["imag_mode"].get<std::string>();
    }
    if (c.imag && c.imag_mode != "imag1" && c.imag_mode != "imag2")
        r.fail("rope_config.imag_mode \"" + c.imag_mode +
               "\" is not supported (RoPEScope reads imag1 = RoPE++_EH and imag2 = RoPE++_EC)");
    auto positive = [&](const char* key) -> std::optional<double> {
        if (!rc.contains(key) || rc[key].is_null()) return std::nullopt;
        if (!rc[key].is_number() || !(rc[key].get<double>() > 0))
            r.fail(std::string("\"rope_config.") + key + "\" must be a positive number");
        return rc[key].get<double>();
    };
    c.factor = positive("factor");
    c.scaling_factor = positive("scaling_factor");
    if (rc.contains("yarn") && !rc["yarn"].is_null()) {
        if (!rc["yarn"].is_boolean()) r.fail("\"rope_config.yarn\" must be true or false");
        c.yarn = rc["yarn"].get<bool>();
    }
    if (c.yarn && !c.factor) r.fail("rope_config.yarn needs rope_config.factor");
    if (c.yarn && *c.factor < 1) r.fail("rope_config.factor must be >= 1 with yarn");
    for (const auto& [k, v] : rc.items())
        if (k != "imag" && k != "imag_mode" && k != "factor" && k != "scaling_factor" && k != "yarn")
            r.fail("rope_config." + k + " = " + v.dump() +
                   " is not an upstream RoPE++ setting RoPEScope reads (imag, imag_mode, factor, yarn, "
                   "scaling_factor)");
    return c;
}

void add_rope_config_sources(const json& rc, std::vector<ConfigSource>& out) {
    for (const auto& [k, v] : rc.items())
        if (!v.is_null()) out.push_back({k, v.dump(), "rope_config." + k});
}

// What each family's transformers modeling code hard-codes, over the config keys it ignores.
void apply_family(ModelConfig& c, const json& j, const Reader& r) {
    // A bias switched on that the family's modeling code never builds would be silently dropped.
    auto refuse_true = [&](const char* key, const std::string& why) {
        if (j.contains(key) && j[key].is_boolean() && j[key].get<bool>())
            r.fail("\"" + std::string(key) + "\" = true, but transformers' " + c.family + " " + why +
                   "; RoPEScope will not guess which was meant");
    };
    if (c.family == "llama" || c.family == "smollm3") {
        c.qkv_bias = c.o_bias = c.attention_bias;
    } else if (c.family == "mistral") {
        refuse_true("attention_bias", "has no attention biases");
        refuse_true("mlp_bias", "has no MLP biases");
    } else if (c.family == "qwen2") {
        refuse_true("mlp_bias", "has no MLP biases");
        c.qkv_bias = true;  // hard-coded in Qwen2Attention, whatever attention_bias says
    } else if (c.family == "qwen3") {
        refuse_true("mlp_bias", "has no MLP biases");
        c.qkv_bias = c.o_bias = c.attention_bias;
        c.qk_norm = true;
    } else if (is_gemma_family(c.family)) {
        refuse_true("mlp_bias", "has no MLP biases");
        c.qkv_bias = c.o_bias = c.attention_bias;
        c.embed_scale = c.norm_offset = c.sandwich_norms = true;
        c.qk_norm = c.family == "gemma3_text";  // Gemma3Attention: (1 + w) RMSNorm of q and k heads
        c.sources.push_back({"layers", "embeddings x sqrt(hidden_size); RMSNorm weights as (1 + w); norms on the "
                             "attention and MLP outputs before each residual add; GELU (tanh) MLP",
                             "transformers' " + c.family + " modeling code"});
    } else if (c.family == "phi3") {
        refuse_true("attention_bias", "has no attention biases");
        refuse_true("mlp_bias", "has no MLP biases");
        c.fused_projections = true;
        c.sources.push_back({"projections", "fused qkv_proj (q, k, v rows in that order) and gate_up_proj "
                             "(gate rows, then up rows)", "transformers' phi3 modeling code"});
    }
    if (c.family != "llama" && c.family != "smollm3") c.mlp_bias = false;
    if (c.family != "llama" && c.family != "smollm3")
        c.sources.push_back({"attention", std::string(c.qkv_bias ? "q/k/v biases" : "no q/k/v biases") +
                                              (c.o_bias ? ", o_proj bias" : ", no o_proj bias") +
                                              (c.qk_norm ? ", RMSNorm of each head's q and k before RoPE" : ""),
                             "transformers' " + c.family + " modeling code"});
}

// Gemma 2's and 3's attention and MLP settings, each with its config class's default when absent
// (null switches a soft-cap off, as None does in transformers). Gemma3TextConfig soft-caps
// nothing by default, and Gemma3Attention never applies attn_logit_softcapping (the key policy
// refuses a value).
void read_gemma_settings(ModelConfig& c, const json& j, const Reader& r) {
    const bool gemma3 = c.family == "gemma3_text";
    const std::string config_class = config_class_name(c.family);
    auto noted = [&](const char* key, double value, const std::string& what) {
        const std::string shown = value > 0 ? csv_number(value) : "none";
        if (!j.contains(key))
            c.sources.push_back({key, shown, "the " + config_class + " default; " + what, true});
        else
            c.sources.push_back({key, j[key].dump(), key + std::string("; ") + what});
    };
    c.query_pre_attn_scalar = r.positive_or_null("query_pre_attn_scalar", 256);
    if (c.query_pre_attn_scalar == 0)
        r.fail("\"query_pre_attn_scalar\" is null; transformers' " + c.family + " needs it for the attention scale");
    noted("query_pre_attn_scalar", c.query_pre_attn_scalar, "attention logits x query_pre_attn_scalar^-1/2");
    if (!gemma3) {
        c.attn_logit_softcap = r.positive_or_null("attn_logit_softcapping", 50.0);
        noted("attn_logit_softcapping", c.attn_logit_softcap, "logits -> cap tanh(logits / cap) before the mask");
    }
    c.final_logit_softcap = r.positive_or_null("final_logit_softcapping", gemma3 ? 0.0 : 30.0);
    noted("final_logit_softcapping", c.final_logit_softcap, "output logits -> cap tanh(logits / cap)");
    c.hidden_act = r.has("hidden_activation") ? r.string("hidden_activation") : "gelu_pytorch_tanh";
    if (c.hidden_act != "gelu_pytorch_tanh")
        r.fail("hidden_activation \"" + c.hidden_act + "\" is not supported (" +
               (gemma3 ? "Gemma 3" : "Gemma 2") + " uses gelu_pytorch_tanh)");
    // The MLP reads hidden_activation only; a different hidden_act beside it is a contradiction.
    if (r.has("hidden_act") && r.string("hidden_act") != c.hidden_act)
        r.fail("hidden_act \"" + r.string("hidden_act") + "\" but hidden_activation \"" + c.hidden_act +
               "\"; transformers' " + c.family + " reads hidden_activation, RoPEScope will not guess which was meant");
    if (!r.has("hidden_activation"))
        c.sources.push_back({"hidden_activation", "gelu_pytorch_tanh", "the " + config_class + " default", true});
    if (!r.has("tie_word_embeddings"))  // lm_head is the embedding: a stored lm_head.weight is not read
        c.sources.push_back({"tie_word_embeddings", "true", "the " + config_class + " default", true});
}

// What the checkpoint said about the position scaling, for the override's provenance line.
std::string scaling_as_configured(const ModelConfig& c) {
    if (c.rope_config.yarn) return "upstream YaRN factor " + csv_number(*c.rope_config.factor);
    if (c.rope_config.factor) return "upstream PI factor " + csv_number(*c.rope_config.factor);
    if (c.rope_scaling) return "rope_scaling " + c.rope_scaling->type + " factor " + csv_number(c.rope_scaling->factor);
    return "no scaling";
}

// The HF-typed overrides scale from the checkpoint's training length; without one there is
// nothing to scale from.
RopeScaling hf_override(const ModelConfig& c, const char* key, const std::string& type, double factor) {
    if (c.max_position_embeddings <= 0)
        throw UsageError("RoPE override " + std::string(key) + ": " + c.path +
                         " gives no max_position_embeddings, the length HF " + type + " scales from");
    RopeScaling r;
    r.type = type;
    r.factor = factor;
    return r;
}

// HF yarn as a study sets it: the checkpoint's training length is the original one.
RopeScaling hf_yarn_override(const ModelConfig& c, double factor) {
    RopeScaling r = hf_override(c, "yarn_hf_factor", "yarn", factor);
    r.yarn.factor = factor;
    r.yarn.original_max_position_embeddings = c.max_position_embeddings;
    r.yarn.attention_factor = 0.1 * std::log(factor) + 1.0;
    return r;
}

// Dynamic NTK as a study sets it: the base grows beyond the checkpoint's training length.
RopeScaling ntk_override(const ModelConfig& c, double factor) {
    RopeScaling r = hf_override(c, "ntk_factor", "dynamic", factor);
    r.dynamic.factor = factor;
    r.dynamic.max_position_embeddings = c.max_position_embeddings;
    return r;
}

// An override replaces the checkpoint's value; the provenance keeps both, so every output says
// what the run used and what the checkpoint would have used.
void apply_rope_override(ModelConfig& c, const RopeOverride& o) {
    c.rope_override = o;
    if (o.rope_theta) {
        const double configured = c.rope_theta * c.rope_config.scaling_factor.value_or(1.0);
        c.rope_theta = *o.rope_theta;
        c.rope_config.scaling_factor.reset();
        c.sources.push_back({"rope_theta", csv_number(*o.rope_theta),
                             "RoPE override (the checkpoint's base is " + csv_number(configured) + ")"});
    }
    if (o.pi_factor || o.yarn_factor || o.yarn_hf_factor || o.ntk_factor) {
        const std::string configured = scaling_as_configured(c);
        c.rope_scaling.reset();
        c.rope_config.factor.reset();
        c.rope_config.yarn = false;
        if (o.pi_factor) {
            c.rope_scaling.emplace();
            c.rope_scaling->type = "linear";
            c.rope_scaling->factor = *o.pi_factor;
            c.sources.push_back({"factor", csv_number(*o.pi_factor),
                                 "RoPE override: linear position interpolation (the checkpoint has " +
                                     configured + ")"});
        } else if (o.ntk_factor) {
            c.rope_scaling = ntk_override(c, *o.ntk_factor);
            c.sources.push_back({"factor", csv_number(*o.ntk_factor),
                                 "RoPE override: HF rope_scaling dynamic (NTK) beyond max_position_embeddings " +
                                     std::to_string(c.max_position_embeddings) + " (the checkpoint has " +
                                     configured + ")"});
        } else if (o.yarn_hf_factor) {
            c.rope_scaling = hf_yarn_override(c, *o.yarn_hf_factor);
            c.sources.push_back({"factor", csv_number(*o.yarn_hf_factor),
                                 "RoPE override: HF rope_scaling yarn, original_max_position_embeddings = "
                                 "max_position_embeddings " + std::to_string(c.max_position_embeddings) +
                                 ", beta_fast 32, beta_slow 1, attention factor 0.1 ln(factor) + 1 (the "
                                 "checkpoint has " + configured + ")"});
        } else {
            c.rope_config.yarn = true;
            c.rope_config.factor = *o.yarn_factor;
            c.sources.push_back({"factor", csv_number(*o.yarn_factor),
                                 "RoPE override: upstream RoPE++ YaRN (the checkpoint has " + configured + ")"});
        }
    }
}

// The multimodal Gemma3Config (model_type gemma3): RoPEScope runs its language model, whose
// settings are text_config (a Gemma3TextConfig). The top level's other keys describe the vision
// tower and image tokens, which a text-only run never uses; they are noted, any other key refused.
json gemma3_language_config(const json& top, const std::string& path, const std::vector<std::string>& ignore,
                            std::vector<ConfigSource>& notes) {
    static const std::pair<const char*, const char*> kTopLevel[] = {
        {"architectures", ""}, {"model_type", ""}, {"text_config", ""},
        {"torch_dtype", ""}, {"dtype", ""}, {"transformers_version", ""}, {"initializer_range", ""},
        {"vision_config", "the vision tower: not loaded, runs are text only"},
        {"mm_tokens_per_image", "image tokens: not used by text-only runs"},
        {"boi_token_index", "image tokens: not used by text-only runs"},
        {"eoi_token_index", "image tokens: not used by text-only runs"},
        {"image_token_index", "image tokens: not used by text-only runs"},
        {"bos_token_id", "not used by runs"},
        {"eos_token_id", "generation's stop tokens: not used by runs"},
        {"pad_token_id", "not used by runs"}};
    notes.push_back({"model_type", "gemma3",
                     "multimodal Gemma 3: its language model (text_config, a Gemma3TextConfig) is run "
                     "on text; the keys after the top-level ones are text_config's"});
    for (const auto& item : top.items()) {
        const std::string& key = item.key();
        const json& value = item.value();
        const auto* known = std::find_if(std::begin(kTopLevel), std::end(kTopLevel),
                                         [&](const auto& k) { return key == k.first; });
        if (known == std::end(kTopLevel))
            throw FileError(path, "key \"" + key + "\" at the top of a gemma3 (multimodal) config is not "
                                  "read: RoPEScope runs the language model of text_config, so a "
                                  "setting for it must be inside text_config");
        if (*known->second) notes.push_back({key, value.dump(), known->second});
    }
    if (!top.contains("text_config") || !top["text_config"].is_object())
        throw FileError(path, "model_type \"gemma3\" needs a \"text_config\" object (its language model)");
    json text = top["text_config"];
    if (text.contains("model_type") && text["model_type"] != "gemma3_text")
        throw FileError(path, "text_config.model_type is " + text["model_type"].dump() +
                                  "; a gemma3 config's language model is gemma3_text");
    text["model_type"] = "gemma3_text";
    // Gemma3ForConditionalGeneration's logits are lm_head's output as is: unlike Gemma3ForCausalLM
    // it never applies final_logit_softcapping (null in every published config).
    const char* cap = "final_logit_softcapping";
    if (text.contains(cap) && !text[cap].is_null()) {
        if (std::find(ignore.begin(), ignore.end(), cap) == ignore.end())
            throw FileError(path, std::string("text_config.") + cap + " = " + text[cap].dump() +
                                      ": transformers' Gemma3ForConditionalGeneration never applies it "
                                      "to the logits, so a value here cannot mean what it says (pass "
                                      "--ignore-config-key " + cap + " to run without it; every output "
                                      "then says so)");
        text[cap] = nullptr;  // the key policy lists it among the keys ignored on request
    }
    return text;
}

// Gemma3TextConfig's defaults for the sizes a sparse text_config leaves out (the multimodal
// checkpoints write only what differs from them); each one applied is shown.
void gemma3_text_size_defaults(json& j, std::vector<ConfigSource>& notes) {
    static const std::pair<const char*, long long> kDefaults[] = {
        {"vocab_size", 262208}, {"hidden_size", 2304}, {"intermediate_size", 9216},
        {"num_hidden_layers", 26}, {"num_attention_heads", 8}, {"num_key_value_heads", 4},
        {"max_position_embeddings", 131072}};
    for (const auto& [key, value] : kDefaults)
        if (!j.contains(key)) {
            j[key] = value;
            notes.push_back({key, std::to_string(value), "the Gemma3TextConfig default", true});
        }
}

}  // namespace

float ModelConfig::attention_scale() const {
    // Gemma: query_pre_attn_scalar**-0.5 in Python doubles, then a float32 tensor multiplier.
    if (query_pre_attn_scalar > 0) return static_cast<float>(std::pow(query_pre_attn_scalar, -0.5));
    return 1.0f / std::sqrt(float(head_dim));
}

RopeParams ModelConfig::local_rope_params() const {
    RopeParams p;
    p.theta = rope_local_theta;
    p.head_dim = head_dim;
    p.partial_rotary_factor = partial_rotary_factor;
    return p;
}

RopeParams ModelConfig::rope_params() const {
    RopeParams p;
    p.theta = rope_theta * rope_config.scaling_factor.value_or(1.0);
    p.head_dim = head_dim;
    p.partial_rotary_factor = partial_rotary_factor;
    if (rope_config.yarn)
        p.yarn_factor = *rope_config.factor;
    else if (rope_config.factor)
        p.linear_factor = *rope_config.factor;
    if (rope_scaling && rope_scaling->type == "linear") p.linear_factor *= rope_scaling->factor;
    if (rope_scaling && rope_scaling->type == "llama3") p.llama3 = rope_scaling->llama3;
    if (rope_scaling && rope_scaling->type == "yarn") p.hf_yarn = rope_scaling->yarn;
    if (rope_scaling && rope_scaling->type == "longrope") p.longrope = rope_scaling->longrope;
    if (rope_scaling && rope_scaling->type == "dynamic") p.dynamic_ntk = rope_scaling->dynamic;
    return p;
}

ModelConfig parse_model_config(const std::string& text, const std::string& path,
                               const ConfigReadOptions& options) {
    if (!json_depth_within(text))
        throw FileError(path, "nested more than " + std::to_string(kMaxJsonDepth) +
                                  " levels deep (not a config.json?)");
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw FileError(path, std::string("not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object()) throw FileError(path, "not a JSON object");
    ModelConfig c;
    c.path = path;
    c.source_text = text;
    if (j.contains("model_type") && !j["model_type"].is_null()) {
        if (!j["model_type"].is_string()) throw FileError(path, "\"model_type\" must be a string");
        c.model_type = j["model_type"].get<std::string>();
    }
    std::vector<ConfigSource> family_notes;
    if (c.model_type == "gemma3") {
        j = gemma3_language_config(j, path, options.ignore_keys, family_notes);
        c.language_model_of = "gemma3";
    }
    Reader r(j, path);
    // The family first: a Gemma config must be refused for what it is, not for a field that
    // happens to differ from Llama's.
    c.family = model_family(j, path, family_notes);
    if (c.family == "gemma3_text") gemma3_text_size_defaults(j, family_notes);
    c.hidden_size = r.positive_int("hidden_size");
    c.intermediate_size = r.positive_int("intermediate_size");
    c.num_attention_heads = r.bounded_count("num_attention_heads", kMaxHeads);
    c.num_key_value_heads = r.has("num_key_value_heads")
                                ? r.bounded_count("num_key_value_heads", kMaxHeads)
                                : c.num_attention_heads;
    c.num_hidden_layers = r.bounded_count("num_hidden_layers", kMaxLayers);
    c.vocab_size = r.positive_int("vocab_size");
    if (r.has("head_dim")) {
        c.head_dim = r.positive_int("head_dim");
    } else if (is_gemma_family(c.family)) {
        c.head_dim = 256;  // Gemma2Config's and Gemma3TextConfig's default, not hidden_size / heads
    } else {
        if (c.hidden_size % c.num_attention_heads)
            r.fail("hidden_size " + std::to_string(c.hidden_size) + " is not divisible by num_attention_heads " +
                   std::to_string(c.num_attention_heads) + " (and no head_dim is given)");
        c.head_dim = c.hidden_size / c.num_attention_heads;
    }
    if (c.head_dim % 2) r.fail("head_dim " + std::to_string(c.head_dim) + " is odd; RoPE needs pairs");
    if (c.num_attention_heads % c.num_key_value_heads)
        r.fail("num_attention_heads " + std::to_string(c.num_attention_heads) +
               " is not a multiple of num_key_value_heads " + std::to_string(c.num_key_value_heads));
    c.max_position_embeddings = r.has("max_position_embeddings") ? r.positive_int("max_position_embeddings") : 0;
    c.rms_norm_eps = r.number("rms_norm_eps", 1e-6);
    if (!(c.rms_norm_eps > 0 && c.rms_norm_eps < 1)) r.fail("\"rms_norm_eps\" must be in (0, 1)");
    const KeyPolicyResult policy =
        check_config_keys(j, path, c.family, c.num_hidden_layers, c.head_dim, options.ignore_keys, c.ignored_keys);
    c.rope_layers = policy.rope_layers;
    c.layer_window = policy.layer_window;
    RopeSettings rope = read_rope_settings(j, path, c.family, policy.layer_types, c.head_dim, options.ignore_keys, c.ignored_keys);
    c.rope_theta = rope.rope_theta;
    c.rope_scaling = rope.scaling;
    c.partial_rotary_factor = rope.partial_rotary_factor;
    c.rope_format = rope.format;
    // Gemma 3: the sliding_attention layers rotate with the local RoPE.
    c.rope_local_theta = rope.local_theta;
    if (std::count(policy.local_rope_layers.begin(), policy.local_rope_layers.end(), 1) > 0)
        c.local_rope_layers = policy.local_rope_layers;
    c.sources = family_notes;
    c.sources.insert(c.sources.end(), policy.notes.begin(), policy.notes.end());
    c.sources.insert(c.sources.end(), rope.sources.begin(), rope.sources.end());
    if (!r.has("head_dim"))
        c.sources.push_back({"head_dim", std::to_string(c.head_dim),
                             is_gemma_family(c.family) ? "the " + config_class_name(c.family) + " default"
                                                       : "hidden_size / num_attention_heads",
                             true});
    else
        c.sources.push_back({"head_dim", j["head_dim"].dump(), "head_dim"});
    if (!r.has("max_position_embeddings"))
        c.sources.push_back({"max_position_embeddings", "unknown", "no training length is marked", true});
    const int rotary = static_cast<int>(c.head_dim * c.partial_rotary_factor);
    if (rotary < 2 || rotary % 2) r.fail("head_dim * partial_rotary_factor must be an even number");
    // Gemma's config classes tie by default, the others do not.
    const bool gemma = is_gemma_family(c.family);
    c.tie_word_embeddings = r.boolean("tie_word_embeddings", gemma);
    c.attention_bias = r.boolean("attention_bias", false);
    c.mlp_bias = r.boolean("mlp_bias", false);
    if (gemma) {
        read_gemma_settings(c, j, r);
    } else {
        if (r.has("hidden_act")) c.hidden_act = r.string("hidden_act");
        if (c.hidden_act != "silu" && c.hidden_act != "swish")
            r.fail("hidden_act \"" + c.hidden_act + "\" is not supported (Llama uses silu)");
    }
    c.bos_token_id = r.optional_id("bos_token_id");
    c.eos_token_id = r.optional_id("eos_token_id");
    if (r.has("rope_config")) {
        c.rope_config = parse_rope_pp(j["rope_config"], r);
        add_rope_config_sources(j["rope_config"], c.sources);
    }
    apply_family(c, j, r);
    for (const auto& key : options.ignore_keys)
        if (std::find(c.ignored_keys.begin(), c.ignored_keys.end(), key) == c.ignored_keys.end())
            throw UsageError("--ignore-config-key " + key + ": " + path +
                             " has no such key among those RoPEScope refuses");
    if (c.rope_config.imag && c.rope_config.imag_mode == "imag1" &&
        (c.num_attention_heads % 2 || c.num_key_value_heads % 2))
        r.fail("RoPE++_EH (imag1) needs an even num_attention_heads and num_key_value_heads");
    if (!c.rope_layers.empty() && c.rope_config.imag)
        r.fail("rope_config.imag is true, but layers without RoPE (NoPE) have no imaginary part to extend; "
               "RoPEScope will not guess what RoPE++ means there");
    if (c.rope_scaling && c.rope_config.factor)
        r.fail("both rope_scaling and rope_config.factor are set; RoPEScope will not guess which applies");
    apply_rope_override(c, options.rope_override);
    if (!options.rope_override.empty() && !c.local_rope_layers.empty())
        c.sources.push_back({"RoPE override", "full_attention layers only",
                             "Gemma 3's sliding layers keep their local RoPE on rope_local_base_freq"});
    return c;
}

ModelConfig load_model_config(const std::string& path, const ConfigReadOptions& options) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw FileError(path, "cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return parse_model_config(ss.str(), path, options);
}

std::vector<std::string> provenance_lines(const ModelConfig& c) {
    std::vector<std::string> lines;
    for (const auto& s : c.sources) lines.push_back(source_line(s));
    for (const auto& k : c.ignored_keys)
        lines.push_back(k + " IGNORED at the user's request (--ignore-config-key): not applied");
    return lines;
}

}  // namespace rs
