// What a trace records about its run besides the numbers: checkpoint, RoPE, head layout, input
// tokens and provenance. Plain data shared by the trace writer, the reader and their users.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "head_layout.h"
#include "rope.h"
#include "rope_override.h"

namespace rs {

// The model input as the user gave it. Only ids is required; the rest is what a tokenizer knew.
struct TraceTokens {
    std::vector<std::int32_t> ids;     // [T]
    std::vector<std::string> display;  // [T] token strings as shown to users, or empty
    std::vector<std::pair<std::size_t, std::size_t>>
        offsets;       // [T] [begin, end) bytes of text, or empty
    std::string text;  // the input text; empty when the input was ids
};

// How post-RoPE queries and keys are stored: f16 halves the file; f32 makes tiles exact to
// float rounding.
enum class QKPrecision { F16, F32 };
std::string qk_precision_name(QKPrecision p);  // "f16", "f32"

struct TraceMeta {
    int schema_version = 0;
    std::string created_by;  // "RoPEScope <version>"
    std::string created_at;  // ISO 8601 UTC
    std::string checkpoint_path;
    std::string config_json;  // config.json verbatim
    // provenance_lines() of the config (none in older traces); one attribute of '\n'-ended lines on
    // disk, split when read.
    std::vector<std::string> rope_sources;
    std::vector<std::string> ignored_config_keys;  // --ignore-config-key keys the run did not apply
    RopeOverride rope_override;  // what the run applied instead of config_json's RoPE values
    HeadLayout layout;        // analysis heads: model heads first, then virtual imaginary heads
    RopeSpectrum rope;        // inv_freq_f32 exactly as the run used it
    double rope_theta = 0.0;  // base after any upstream scaling_factor
    double partial_rotary_factor = 1.0;
    double linear_factor = 1.0;
    double yarn_factor = 0.0;
    int tokens = 0;
    int layers = 0;
    float logit_scale = 0.0f;  // 1/sqrt(head_dim) (or the family's), the float the run multiplied by
    float logit_softcap = 0.0f;  // Gemma 2: logits = cap tanh(scaled / cap); 0 = none (absent in older traces)
    QKPrecision qk_precision = QKPrecision::F16;
    std::vector<int> overview_cells;  // [levels] cells per side, finest first
    std::vector<char> rope_layers;    // [layers] 0 = NoPE layer (no imaginary heads), from /layers/NN@rope
    bool layer_has_rope(int l) const { return rope_layers.empty() || rope_layers[std::size_t(l)]; }
    // [layers] sliding window W (query t sees keys t - W < s <= t), 0 = full causal attention;
    // from /layers/NN@window, absent (older traces) = 0.
    std::vector<int> layer_window;
    int window(int l) const { return layer_window.empty() ? 0 : layer_window[std::size_t(l)]; }
    TraceTokens input;
    // Gemma 3: the spectrum of the local-RoPE (sliding_attention) layers, from meta/inv_freq_local
    // (+ _f32), and which layers used it, from /layers/NN@local_rope; absent = one spectrum.
    std::optional<RopeSpectrum> rope_local;
    std::vector<char> local_rope_layers;  // [layers] 1 = rope_local; empty = none
    bool uses_local_rope(int l) const {
        return rope_local && !local_rope_layers.empty() && local_rope_layers[std::size_t(l)];
    }
    // The spectrum layer l rotated its queries and keys with.
    const RopeSpectrum& rope_of(int l) const { return uses_local_rope(l) ? *rope_local : rope; }
};

}  // namespace rs
