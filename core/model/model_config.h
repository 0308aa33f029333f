// Typed view of a Hugging Face config.json of the Llama-like families plus upstream RoPE++'s
// `rope_config`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rope.h"
#include "rope_override.h"
#include "rope_settings.h"

namespace rs {

// Upstream RoPE++ settings: {"imag": bool, "imag_mode": "imag1"|"imag2", "factor", "yarn", "scaling_factor"}.
struct RopePPConfig {
    bool present = false;  // false when config.json has no rope_config
    bool imag = false;
    std::string imag_mode;  // "imag1" = RoPE++_EH, "imag2" = RoPE++_EC
    std::optional<double> factor;
    bool yarn = false;
    std::optional<double> scaling_factor;  // multiplies rope_theta
};

// How a config.json is read: position-changing keys the user chose to run without.
struct ConfigReadOptions {
    std::vector<std::string> ignore_keys;  // --ignore-config-key; every output lists them
    RopeOverride rope_override;            // applied after reading; recorded in `sources`
};

struct ModelConfig {
    std::string path;         // config.json path, for messages
    std::string source_text;  // the file as read, kept verbatim for traces
    std::string model_type;   // as written at the top of config.json
    // "gemma3" when config.json is the multimodal Gemma3Config: its text_config is what was read
    // (family gemma3_text) and the language model's tensors carry a prefix the checkpoint strips
    // (language_model.model. or model.language_model.); the vision tower is not loaded.
    std::string language_model_of;
    std::string family;  // the layout RoPEScope runs: llama, mistral, qwen2, qwen3, smollm3, phi3, gemma2, gemma3_text
    int hidden_size = 0;
    int intermediate_size = 0;
    int num_attention_heads = 0;  // attention heads as upstream counts them (RoPE++_EH: 2x query heads)
    int num_key_value_heads = 0;
    int head_dim = 0;             // config head_dim or hidden_size / num_attention_heads
    int num_hidden_layers = 0;
    double rms_norm_eps = 1e-6;
    double rope_theta = 10000.0;  // as written in config.json (before scaling_factor)
    std::string rope_format;      // which generation of keys held the RoPE settings
    std::optional<RopeScaling> rope_scaling;
    double partial_rotary_factor = 1.0;
    int max_position_embeddings = 0;
    int vocab_size = 0;
    bool tie_word_embeddings = false;
    bool attention_bias = false;  // the config key as written
    // What the family applies (apply_family): Llama's attention_bias means all four projections,
    // Qwen2 biases q/k/v only, Qwen3 normalises each head's q and k before RoPE.
    bool qkv_bias = false;
    bool o_bias = false;
    bool qk_norm = false;
    bool fused_projections = false;  // Phi-3: one qkv_proj and one gate_up_proj tensor per layer
    std::vector<char> rope_layers;  // [layers] 1 = RoPE applied; empty = every layer (SmolLM3 NoPE layers are 0)
    bool layer_has_rope(int layer) const { return rope_layers.empty() || rope_layers[std::size_t(layer)]; }
    // [layers] sliding window W of each layer (query t sees keys t - W < s <= t), 0 = full causal
    // attention; empty = every layer full. Any family may set it per layer (attention_window.h).
    std::vector<int> layer_window;
    int attention_window(int layer) const { return layer_window.empty() ? 0 : layer_window[std::size_t(layer)]; }
    bool mlp_bias = false;
    std::string hidden_act = "silu";  // "silu", or Gemma's "gelu_pytorch_tanh" (tanh approximation)
    // Gemma's changes to the Llama layer (apply_family): embeddings x sqrt(hidden_size), every
    // RMSNorm weight applied as (1 + w), and a norm on the attention and MLP outputs before each
    // residual add (post_attention_layernorm normalises the attention OUTPUT there, and
    // pre_feedforward_layernorm is the MLP's input norm).
    bool embed_scale = false;
    bool norm_offset = false;
    bool sandwich_norms = false;
    double query_pre_attn_scalar = 0;  // Gemma: logits scaled by its ^-1/2; 0 = head_dim^-1/2
    double attn_logit_softcap = 0;     // Gemma 2 (Gemma 3 never applies it): logits -> cap tanh(logits / cap) before the mask; 0 = none
    double final_logit_softcap = 0;    // Gemma 2/3: the same on the output logits; 0 = none
    // The float the scaled dot products are multiplied by, exactly as the family's code rounds it.
    float attention_scale() const;
    std::optional<int> bos_token_id;
    std::optional<int> eos_token_id;
    RopePPConfig rope_config;
    // Where every RoPE setting came from (key paths, defaults applied, keys accepted as no-ops).
    std::vector<ConfigSource> sources;
    std::vector<std::string> ignored_keys;  // present in config.json, not applied, at the user's request
    RopeOverride rope_override;             // what the run applies instead of config.json's values

    // RoPE parameters the model actually uses: theta x scaling_factor, PI/YaRN/llama3 scaling.
    RopeParams rope_params() const;
    // Gemma 3 rotates its sliding_attention layers with a second, unscaled default RoPE on
    // rope_local_base_freq (transformers' rotary_emb_local); rope_params() is then the RoPE of the
    // full_attention layers. 0 / empty: every layer uses rope_params().
    double rope_local_theta = 0;
    std::vector<char> local_rope_layers;  // [layers] 1 = the layer uses the local RoPE
    bool uses_local_rope(int layer) const {
        return !local_rope_layers.empty() && local_rope_layers[std::size_t(layer)];
    }
    RopeParams local_rope_params() const;  // only meaningful when rope_local_theta > 0
};

// Parses and validates config.json text; throws FileError(path, reason) for malformed or
// contradictory settings (missing fields, non-positive sizes, heads not divisible...).
// Position- or attention-changing settings RoPEScope does not apply are refused by name
// (config_key_policy.h); an ignore_keys entry that names no such key is a UsageError.
ModelConfig parse_model_config(const std::string& json_text, const std::string& path,
                               const ConfigReadOptions& options = {});
ModelConfig load_model_config(const std::string& path, const ConfigReadOptions& options = {});

// "rope_theta = 500000.0 (rope_theta)", one line per source, then the ignored keys.
std::vector<std::string> provenance_lines(const ModelConfig& c);

}  // namespace rs
