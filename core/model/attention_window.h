// Sliding-window attention: which keys a query sees in a windowed layer, and which layers of a
// config.json are windowed, as transformers' modeling code decides it for each family.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "rope_settings.h"

namespace rs {

// A layer's window W: 0 = full causal attention. transformers' current mask (masking_utils
// sliding_window_overlay) lets query t see keys s with t - W < s <= t: W keys, itself included.
inline int first_visible_key(int t, int window) {
    return window > 0 ? std::max(0, t - window + 1) : 0;
}

// Keys query t sees: t + 1, or at most W in a windowed layer.
inline long visible_keys(long t, int window) {
    return window > 0 ? std::min<long>(t + 1, window) : t + 1;
}

struct LayerWindows {
    std::vector<int> window;                 // [layers] 0 = full attention; empty = every layer full
    std::vector<std::string> layer_types;    // the distinct attention types the layers use
    std::vector<ConfigSource> notes;         // how the windows were decided, for `info` and traces
    // Gemma 3: [layers] 1 = a sliding_attention layer (it rotates with the local RoPE, even when
    // its window is ignored); empty in other families.
    std::vector<char> sliding_type;
};

// The per-layer windows of `family` from config.json's sliding_window, use_sliding_window,
// max_window_layers and layer_types (already type-checked by the key policy). Throws
// std::invalid_argument with the reason for contradictory settings (a sliding_attention layer
// without a window in use, a Mistral layer_types that disagrees with its window).
// `rope_layers` ([layers] 1 = RoPE, empty = all): SmolLM3 windows its NoPE layers.
LayerWindows resolve_layer_windows(const nlohmann::json& config, const std::string& family,
                                   int num_layers, const std::vector<char>& rope_layers,
                                   const std::vector<std::string>& ignored);

// "none" or "layers 0-4, 6-10: 1024 tokens; layer 5: 16 tokens" (grouped by width), for `info`
// and messages.
std::string window_summary(const std::vector<int>& window);

}  // namespace rs
