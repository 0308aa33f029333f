// The RoPE settings of a config.json as the checkpoint wrote them — transformers 4 keys
// (rope_theta, rope_scaling, partial_rotary_factor), transformers 5 `rope_parameters` (one dict,
// or one per layer type), or both when they agree — with the key every value came from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "rope.h"

namespace rs {

// Where one setting came from, for `info`, the GUI, traces and exported files.
struct ConfigSource {
    std::string parameter;  // "rope_theta", "factor", "imag_mode", ...
    std::string value;      // as written in config.json (JSON text), or the default applied
    std::string origin;     // "rope_parameters.rope_theta", or "absent -> the transformers default"
    bool defaulted = false;  // true when the key was absent and a default applies
};
std::string source_line(
    const ConfigSource& s);  // "rope_theta = 1000000.0 (rope_parameters.rope_theta)"

// HF rope scaling; only the types RoPEScope computes exactly are accepted.
struct RopeScaling {
    std::string type;  // "linear", "llama3", "yarn", "longrope" or "dynamic"
    double factor = 1.0;
    Llama3Scaling llama3;
    HfYarn yarn;
    LongRope longrope;
    DynamicNtk dynamic;
};

struct RopeSettings {
    double rope_theta = 10000.0;
    std::optional<RopeScaling> scaling;
    double partial_rotary_factor = 1.0;
    std::string format;  // which keys held them: "transformers 4", "transformers 5", "both
                         // (agreeing)", "none"
    std::vector<ConfigSource> sources;
    double local_theta = 0;  // Gemma 3: base of the sliding layers' default RoPE; 0 = one RoPE
};

// Resolves the RoPE settings of a parsed config.json; `layer_types` are the attention types the
// model's layers use ("full_attention" when the config has no layer_types); `head_dim` sizes the
// rotary dims where a setting depends on them (yarn's correction range). Throws FileError(path,
// reason) naming the key and its value for anything RoPEScope would not apply exactly: an unknown
// rope_type, a key the type does not read (unless listed in `ignore`), 4.x and 5.x values that
// disagree. Keys listed in `ignore` that were present are appended to `ignored`.
// `family` is the layout parse_model_config chose ("phi3" reads a top-level
// original_max_position_embeddings as a model attribute).
RopeSettings read_rope_settings(const nlohmann::json& config, const std::string& path,
                                const std::string& family,
                                const std::vector<std::string>& layer_types, int head_dim,
                                const std::vector<std::string>& ignore,
                                std::vector<std::string>& ignored);

}  // namespace rs
