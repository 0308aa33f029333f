// Typed view of a Hugging Face Llama-family config.json plus upstream RoPE++'s `rope_config`.
#pragma once

#include <optional>
#include <string>

#include "core/rope.h"

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

// HF `rope_scaling`; only the types RoPEScope can compute are accepted.
struct RopeScaling {
    std::string type;  // "linear" or "llama3"
    double factor = 1.0;
    Llama3Scaling llama3;
};

struct ModelConfig {
    std::string path;         // config.json path, for messages
    std::string source_text;  // the file as read, kept verbatim for traces
    std::string model_type;
    int hidden_size = 0;
    int intermediate_size = 0;
    int num_attention_heads = 0;  // attention heads as upstream counts them (RoPE++_EH: 2x query heads)
    int num_key_value_heads = 0;
    int head_dim = 0;             // config head_dim or hidden_size / num_attention_heads
    int num_hidden_layers = 0;
    double rms_norm_eps = 1e-6;
    double rope_theta = 10000.0;  // as written in config.json (before scaling_factor)
    std::optional<RopeScaling> rope_scaling;
    double partial_rotary_factor = 1.0;
    int max_position_embeddings = 0;
    int vocab_size = 0;
    bool tie_word_embeddings = false;
    bool attention_bias = false;
    bool mlp_bias = false;
    std::string hidden_act = "silu";
    std::optional<int> bos_token_id;
    std::optional<int> eos_token_id;
    RopePPConfig rope_config;

    // RoPE parameters the model actually uses: theta x scaling_factor, PI/YaRN/llama3 scaling.
    RopeParams rope_params() const;
};

// Parses and validates config.json text; throws FileError(path, reason) for malformed or
// contradictory settings (missing fields, non-positive sizes, heads not divisible...).
ModelConfig parse_model_config(const std::string& json_text, const std::string& path);
ModelConfig load_model_config(const std::string& path);

}  // namespace rs
