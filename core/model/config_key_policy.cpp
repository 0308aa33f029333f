// The family and key policy of the config reader. A key is in one of three places: applied
// exactly (its reader is elsewhere), accepted because its value changes nothing (a null
// sliding_window, rope_interleave false...), or refused with the reason RoPEScope cannot apply it.
#include "config_key_policy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "attention_window.h"
#include "error.h"

namespace rs {

namespace {

using json = nlohmann::json;

struct RefusedFamily {
    const char* model_type;
    const char* why;
};

// Families people use that differ from Llama in ways RoPEScope does not compute yet.
const RefusedFamily kRefusedFamilies[] = {
    {"qwen2_moe", "Qwen2-MoE has q/k/v biases and a mixture-of-experts MLP"},
    {"qwen3_moe",
     "Qwen3-MoE normalises q and k per head before RoPE and has a mixture-of-experts MLP"},
    {"mixtral", "Mixtral's MLP is a mixture of experts"},
    {"gemma",
     "Gemma scales embeddings by sqrt(hidden_size) and uses (1 + w) RMSNorm and a GELU-tanh MLP"},
    {"phi", "Phi-1/2 use LayerNorm, parallel attention and MLP, and biases"},
    {"deepseek_v2", "DeepSeek-V2 uses multi-head latent attention with a decoupled RoPE key"},
    {"deepseek_v3", "DeepSeek-V3 uses multi-head latent attention with a decoupled RoPE key"},
    {"llama4",
     "Llama 4 mixes chunked attention, NoPE layers, mixture-of-experts and a vision tower"},
    {"llama4_text", "Llama 4 mixes chunked attention, NoPE layers and mixture-of-experts"},
};
// The families RoPEScope runs, with the transformers configuration class whose defaults apply.
constexpr std::pair<const char*, const char*> kSupportedFamilies[] = {
    {"llama", "LlamaConfig"},   {"mistral", "MistralConfig"}, {"qwen2", "Qwen2Config"},
    {"qwen3", "Qwen3Config"},   {"smollm3", "SmolLM3Config"}, {"phi3", "Phi3Config"},
    {"gemma2", "Gemma2Config"}, {"gemma3_text", "Gemma3TextConfig"}};
constexpr const char* kSupported =
    "llama (including RoPE++ checkpoints), mistral, qwen2, qwen3, smollm3, phi3, gemma2, "
    "gemma3_text and gemma3 (its language model)";

}  // namespace

bool is_gemma_family(const std::string& family) {
    return family == "gemma2" || family == "gemma3_text";
}

std::string config_class_name(const std::string& family) {
    for (const auto& [type, name] : kSupportedFamilies)
        if (family == type) return name;
    throw std::invalid_argument("no configuration class for model family \"" + family + "\"");
}

std::string model_family(const json& j, const std::string& path, std::vector<ConfigSource>& notes) {
    if (!j.contains("model_type") || j["model_type"].is_null()) {
        notes.push_back({"model_type", "llama", "read as the Llama layout", true});
        return "llama";
    }
    if (!j["model_type"].is_string()) throw FileError(path, "\"model_type\" must be a string");
    const std::string t = j["model_type"].get<std::string>();
    for (const auto& f : kSupportedFamilies)
        if (t == f.first) return t;
    for (const auto& f : kRefusedFamilies)
        if (t == f.model_type)
            throw FileError(path, "model_type \"" + t + "\" is not supported yet: " + f.why +
                                      ". RoPEScope opens model_type " + kSupported);
    throw FileError(path, "model_type \"" + t +
                              "\" is not a family RoPEScope knows; it opens model_type " +
                              kSupported);
}

namespace {

std::string shown(const json& v) {
    std::string s = v.dump();
    return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

struct Context {
    const json& j;
    const std::string& family;
    int num_layers;
    int head_dim;
    std::vector<ConfigSource>& notes;
};

// A rule returns the reason for refusing the key's value, or nothing when RoPEScope applies it.
using Rule = std::function<std::optional<std::string>(const json& value, Context& c)>;

// Keys read elsewhere (model_config.cpp, rope_settings.cpp): never refused here, never ignorable.
const Rule applied = nullptr;

// Keys accepted only when null, each with the reason a value is refused.
const std::pair<const char*, const char*> kNullOnly[] = {
    {"attention_chunk_size", "chunked attention is not computed yet"},
    {"qk_rope_head_dim", "multi-head latent attention (MLA) is not computed yet"},
    {"kv_lora_rank", "multi-head latent attention (MLA) is not computed yet"},
};

// Gemma's attention keys: read (and range-checked) by model_config.cpp in Gemma configs; any
// other family's modeling code never applies them, so a value there cannot mean what it says.
bool gemma(const Context& c) { return is_gemma_family(c.family); }

// Gemma 3's own keys: applied (model_config.cpp, rope_settings.cpp, attention_window.cpp) when
// `ok`, refused in every other family, whose modeling code never reads them.
Rule gemma3_only(bool (*ok)(const json&), std::string what) {
    return [ok, what = std::move(what)](const json& v, Context& c) -> std::optional<std::string> {
        if (v.is_null()) return std::nullopt;
        if (c.family != "gemma3_text") return "only Gemma 3 reads it (" + what + ")";
        if (ok(v)) return std::nullopt;
        return "must be " + what;
    };
}

Rule gemma_only(std::string why) {
    return [why = std::move(why)](const json& v, Context& c) -> std::optional<std::string> {
        if (v.is_null() || gemma(c)) return std::nullopt;
        return why;
    };
}

Rule null_only(std::string why) {
    return [why = std::move(why)](const json& v, Context&) -> std::optional<std::string> {
        if (v.is_null()) return std::nullopt;
        return why;
    };
}

std::optional<std::string> layer_list(const json& v, const Context& c,
                                      const std::function<bool(const json&)>& bad_entry,
                                      const std::string& what) {
    if (!v.is_array() || int(v.size()) != c.num_layers)
        return std::string("must list one entry per layer (") + std::to_string(c.num_layers) + ")";
    std::string bad;
    for (int i = 0; i < c.num_layers; ++i)
        if (bad_entry(v[i])) bad += (bad.empty() ? "" : ", ") + std::to_string(i);
    if (bad.empty()) return std::nullopt;
    return what + " in layers " + bad;
}

// Keys with a rule of their own (the null-only ones are in kNullOnly).
std::vector<std::pair<std::string, Rule>> special_rules() {
    return {
        {"rope_theta", applied},
        {"rope_scaling", applied},
        {"rope_parameters", applied},
        {"partial_rotary_factor", applied},
        {"head_dim", applied},
        {"rope_config", applied},
        {"max_position_embeddings", applied},
        // The pre-extension length Phi-3 writes at the top level: read by longrope scaling in any
        // family (transformers reads the attribute when present); rope_settings.cpp refuses it for
        // other scalings, except in Phi-3 configs where it is a model attribute changing nothing.
        {"original_max_position_embeddings", applied},
        // The window keys are only type-checked here; attention_window.cpp decides which layers
        // they window, as each family's modeling code does.
        {"sliding_window",
         [](const json& v, Context&) -> std::optional<std::string> {
             if (v.is_null() || (v.is_number_integer() && v.get<long long>() >= 1 &&
                                 v.get<long long>() <= (1LL << 30)))
                 return std::nullopt;
             return "must be a positive integer (the window in tokens)";
         }},
        // Old Gemma 2 configs repeat the window under a key transformers never reads.
        {"sliding_window_size",
         [](const json& v, Context& c) -> std::optional<std::string> {
             if (v.is_null() || (gemma(c) && c.j.contains("sliding_window") && v == c.j["sliding_window"]))
                 return std::nullopt;
             return "only Gemma 2 configs carry it, as an unread copy of sliding_window; here it is "
                    "not one (sliding_window " +
                    (c.j.contains("sliding_window") ? c.j["sliding_window"].dump() : std::string("absent")) +
                    "), so RoPEScope cannot tell which window was meant";
         }},
        {"use_sliding_window",
         [](const json& v, Context&) -> std::optional<std::string> {
             if (v.is_boolean()) return std::nullopt;
             return "must be true or false";
         }},
        {"max_window_layers",
         [](const json& v, Context&) -> std::optional<std::string> {
             if (v.is_null() || (v.is_number_integer() && v.get<long long>() >= 0)) return std::nullopt;
             return "must be a non-negative integer (the first windowed layer)";
         }},
        {"layer_types",
         [](const json& v, Context& c) {
             return layer_list(
                 v, c, [](const json& e) { return e != "full_attention" && e != "sliding_attention"; },
                 "attention other than full_attention and sliding_attention is not computed yet; it "
                 "is asked for");
         }},
        {"no_rope_layers",
         [](const json& v, Context& c) -> std::optional<std::string> {
             if (c.family == "smollm3") {  // applied: SmolLM3 reads it (1 = RoPE in that layer)
                 if (auto bad = layer_list(
                         v, c, [](const json& e) { return e != 0 && e != 1; },
                         "entries must be 0 or 1"))
                     return bad;
                 return std::nullopt;
             }
             // transformers' other families never read it, so it cannot have been meant for them.
             return layer_list(
                 v, c, [](const json& e) { return e != 1; },
                 "only SmolLM3 leaves RoPE out of layers (NoPE); RoPE is left out");
         }},
        {"no_rope_layer_interval",
         [](const json& v, Context& c) -> std::optional<std::string> {
             // transformers derives no_rope_layers from the interval only when the list is absent.
             if (v.is_null() || c.family == "smollm3" ||
                 (c.j.contains("no_rope_layers") && !c.j["no_rope_layers"].is_null()))
                 return std::nullopt;
             return "only SmolLM3 leaves RoPE out of every N-th layer (NoPE)";
         }},
        {"use_mrope",  // Qwen2 configs carry the multimodal (Qwen2-VL) switch, off
         [](const json& v, Context&) -> std::optional<std::string> {
             if (v.is_boolean() && !v.get<bool>()) return std::nullopt;
             return "multimodal RoPE sections (Qwen2-VL) are not computed";
         }},
        {"rope_interleave",
         [](const json& v, Context&) -> std::optional<std::string> {
             if (v.is_boolean() && !v.get<bool>()) return std::nullopt;
             return "interleaved pairs (x[2i], x[2i+1]) are not computed; RoPEScope rotates the "
                    "rotate_half pairs (x[i], x[i + d/2]) of Llama";
         }},
        {"query_pre_attn_scalar",
         [](const json& v, Context& c) -> std::optional<std::string> {
             if (v.is_null() || gemma(c) || (v.is_number() && v.get<double>() == c.head_dim))
                 return std::nullopt;
             return "only Gemma scales queries by query_pre_attn_scalar^-1/2 instead of "
                    "head_dim^-1/2";
         }},
        {"attn_logit_softcapping",
         [](const json& v, Context& c) -> std::optional<std::string> {
             if (!v.is_null() && c.family == "gemma3_text")
                 return "transformers' Gemma3Attention keeps attn_logit_softcapping but never applies "
                        "it, so a value here cannot mean what it says";
             return gemma_only("only Gemma soft-caps attention logits; transformers' other "
                               "families never read this key")(v, c);
         }},
        {"rope_local_base_freq",
         gemma3_only([](const json& v) { return v.is_number() && v.get<double>() > 1 && std::isfinite(v.get<double>()); },
                     "a number greater than 1, the RoPE base of the sliding_attention layers")},
        {"sliding_window_pattern",
         gemma3_only([](const json& v) { return v.is_number_integer() && v.get<long long>() >= 1; },
                     "a positive integer: every sliding_window_pattern-th layer has full attention")},
        {"final_logit_softcapping",
         gemma_only("only Gemma soft-caps the output logits; transformers' other families never "
                    "read this key")},
    };
}

const std::vector<std::pair<std::string, Rule>>& rules() {
    static const std::vector<std::pair<std::string, Rule>> r = [] {
        std::vector<std::pair<std::string, Rule>> all = special_rules();
        for (const auto& [key, why] : kNullOnly) all.emplace_back(key, null_only(why));
        return all;
    }();
    return r;
}

bool positional_name(std::string k) {
    std::transform(k.begin(), k.end(), k.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    for (const char* word : {"rope", "rotary", "position", "window"})
        if (k.find(word) != std::string::npos) return true;
    return false;
}

bool listed(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string ignore_hint(const std::string& key) {
    return " (pass --ignore-config-key " + key + " to run without it; every output then says so)";
}

}  // namespace

const std::vector<std::string>& known_positional_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& [name, _] : rules()) k.push_back(name);
        return k;
    }();
    return keys;
}

namespace {

// SmolLM3Config: no_rope_layers as written, else 1 except every interval-th layer (default 4).
std::vector<char> smollm3_rope_layers(const json& j, int num_layers,
                                      std::vector<ConfigSource>& notes) {
    std::vector<char> rope(std::size_t(num_layers), 1);
    if (j.contains("no_rope_layers") && !j["no_rope_layers"].is_null()) {
        for (int l = 0; l < num_layers; ++l) rope[std::size_t(l)] = j["no_rope_layers"][l] == 1;
        return rope;
    }
    int interval = 4;
    if (j.contains("no_rope_layer_interval") && !j["no_rope_layer_interval"].is_null()) {
        if (!j["no_rope_layer_interval"].is_number_integer() ||
            j["no_rope_layer_interval"].get<long long>() < 1)
            throw std::invalid_argument("no_rope_layer_interval must be a positive integer");
        interval = int(std::min<long long>(j["no_rope_layer_interval"].get<long long>(), 1 << 20));
    } else {
        notes.push_back({"no_rope_layer_interval", "4", "the SmolLM3 default", true});
    }
    for (int l = 0; l < num_layers; ++l) rope[std::size_t(l)] = (l + 1) % interval != 0;
    return rope;
}

std::string layer_numbers(const std::vector<char>& rope) {
    std::string s;
    for (std::size_t l = 0; l < rope.size(); ++l)
        if (!rope[l]) s += (s.empty() ? "" : ", ") + std::to_string(l);
    return s.empty() ? "none" : s;
}

}  // namespace

KeyPolicyResult check_config_keys(const json& j, const std::string& path, const std::string& family,
                                  int num_layers, int head_dim,
                                  const std::vector<std::string>& ignore,
                                  std::vector<std::string>& ignored) {
    KeyPolicyResult out;
    Context ctx{j, family, num_layers, head_dim, out.notes};
    for (const auto& item : j.items()) {
        // Named, not structured bindings: clang 14 cannot capture a binding in the lambda below.
        const std::string& key = item.key();
        const json& value = item.value();
        const auto rule = std::find_if(rules().begin(), rules().end(),
                                       [&](const auto& r) { return r.first == key; });
        const bool known = rule != rules().end();
        if (!known && !positional_name(key)) continue;
        if (known && !rule->second) continue;
        if (listed(ignore, key)) {
            ignored.push_back(key);
            continue;
        }
        if (!known)
            throw FileError(
                path, "config key \"" + key + "\" = " + shown(value) +
                          " is not one RoPEScope reads, and it may change positions or attention" +
                          ignore_hint(key));
        if (auto why = rule->second(value, ctx))
            throw FileError(path,
                            "\"" + key + "\" = " + shown(value) + ": " + *why + ignore_hint(key));
    }
    if (family == "smollm3") {
        try {
            out.rope_layers = smollm3_rope_layers(j, num_layers, out.notes);
        } catch (const std::invalid_argument& e) {
            throw FileError(path, e.what());
        }
        out.notes.push_back(
            {"NoPE layers", layer_numbers(out.rope_layers),
             j.contains("no_rope_layers") ? "no_rope_layers" : "no_rope_layer_interval"});
    }
    // Ignoring layer_types (or sliding_window) leaves what the model then computes without it.
    try {
        LayerWindows w = resolve_layer_windows(j, family, num_layers, out.rope_layers, ignored);
        out.layer_window = std::move(w.window);
        out.layer_types = std::move(w.layer_types);
        out.local_rope_layers = std::move(w.sliding_type);
        out.notes.insert(out.notes.end(), w.notes.begin(), w.notes.end());
    } catch (const std::invalid_argument& e) {
        throw FileError(path, e.what());
    }
    return out;
}

}  // namespace rs
