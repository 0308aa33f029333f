// Which model families and which position- or attention-changing config.json keys RoPEScope
// applies; everything else of that kind is refused by name, so no checkpoint runs with a setting
// silently dropped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "rope_settings.h"

namespace rs {

// The family whose layout RoPEScope runs ("llama", "mistral", "qwen2", "qwen3", "smollm3"); an
// absent model_type is read as llama and noted in `notes`. Throws FileError naming the model_type
// and what the family adds otherwise. Checked first, so a Gemma config is refused as Gemma.
std::string model_family(const nlohmann::json& config, const std::string& path,
                         std::vector<ConfigSource>& notes);

// Gemma 2 and Gemma 3 text: the families with embedding scaling, (1 + w) norms, sandwich norms and
// Gemma's own attention keys.
bool is_gemma_family(const std::string& family);

// The transformers configuration class whose defaults an absent key takes ("Gemma2Config", ...),
// named in the notes `info` shows.
std::string config_class_name(const std::string& family);

// What the key policy accepted, for `info` and traces.
struct KeyPolicyResult {
    std::vector<std::string> layer_types;  // per-layer attention types the RoPE reader resolves for
    std::vector<ConfigSource> notes;       // accepted settings that change nothing, and why
    std::vector<char>
        rope_layers;  // [layers] 1 = RoPE; empty = every layer (SmolLM3 has NoPE layers)
    // [layers] sliding window of each layer, 0 = full attention; empty = every layer full
    // (attention_window.h: Mistral v0.1, Qwen2 with use_sliding_window, layer_types).
    std::vector<int> layer_window;
    // Gemma 3: [layers] 1 = sliding_attention layer, rotated with the local RoPE; else empty.
    std::vector<char> local_rope_layers;
};

// Throws FileError(path, ...) naming the key, its value and what RoPEScope would need, for a
// setting it does not compute. Keys listed in `ignore` are skipped (and appended to `ignored`).
KeyPolicyResult check_config_keys(const nlohmann::json& config, const std::string& path,
                                  const std::string& family, int num_layers, int head_dim,
                                  const std::vector<std::string>& ignore,
                                  std::vector<std::string>& ignored);

// The top-level keys the policy knows by name (applied, or refused unless harmless), for docs and
// tests.
const std::vector<std::string>& known_positional_keys();

}  // namespace rs
