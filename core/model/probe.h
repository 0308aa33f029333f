// Attention probes: observers the forward pass calls with every attention block it computes.
// Statistics, overview maps and the trace writer are probes; the forward pass knows none of them.
//
// Contract:
//  - wants(layer, head) is asked once per layer and head before that head runs; a head nobody
//    wants costs nothing extra (virtual imaginary heads of vanilla RoPE are not even computed).
//  - on_block is called from worker threads: concurrently for DIFFERENT heads, but for one
//    (layer, head) strictly in increasing row order, and never concurrently with itself.
//  - Probes see const data and cannot change the model's output.
#pragma once

#include <functional>

#include "attention_window.h"
#include "head_layout.h"
#include "rope.h"
#include "tensor.h"

namespace rs {

struct RunInfo {
    int tokens = 0;
    int layers = 0;
    const HeadLayout* layout = nullptr;
    const RopeSpectrum* rope = nullptr;  // this run's spectrum; per run for longrope/dynamic NTK,
                                         // so valid until end_run (copy it to keep it)
    float logit_scale = 0.0f;  // 1/sqrt(head_dim), or the family's own (Gemma's query_pre_attn_scalar)
    float logit_softcap = 0.0f;  // Gemma 2: block logits are softcap tanh(q.k scale / softcap); 0 = none
    std::vector<int> layer_window;  // [layers] sliding window, 0 = full; empty = every layer full
    int window(int layer) const { return layer_window.empty() ? 0 : layer_window[std::size_t(layer)]; }
    // Gemma 3: the sliding_attention layers (local_rope_layers[l] = 1) rotate with rope_local, an
    // unscaled default RoPE on rope_local_base_freq; null/empty = every layer uses `rope`.
    const RopeSpectrum* rope_local = nullptr;
    std::vector<char> local_rope_layers;  // [layers] or empty
    bool uses_local_rope(int layer) const {
        return rope_local && !local_rope_layers.empty() && local_rope_layers[std::size_t(layer)];
    }
    const RopeSpectrum& rope_of(int layer) const { return uses_local_rope(layer) ? *rope_local : *rope; }
};

// One block of query rows of one head. Keys are positions [0, row_end); for query row t only
// keys key_begin(t) <= s <= t are valid (logits -inf and probs 0 elsewhere): s <= t is the causal
// mask, s > t - window the sliding window of a windowed layer (window 0: key_begin is 0).
struct AttentionBlock {
    int layer = 0;
    int head = 0;       // index into HeadLayout::heads
    int row_begin = 0;  // first query position
    int row_end = 0;    // one past the last query position
    const float* logits = nullptr;  // [rows, row_end], row stride ld: scaled pre-softmax scores
    const float* probs = nullptr;   // [rows, row_end], row stride ld
    const float* lse = nullptr;     // [rows]: log-sum-exp of each row's valid logits
    long ld = 0;
    int window = 0;

    int key_begin(int t) const { return first_visible_key(t, window); }
    int rows() const { return row_end - row_begin; }
    int cols() const { return row_end; }
};

class AttentionProbe {
public:
    virtual ~AttentionProbe() = default;
    virtual void begin_run(const RunInfo& info) {}
    virtual bool wants(int layer, int head) const { return false; }
    virtual void on_block(const AttentionBlock& block) {}
    // Post-RoPE real queries [T, query_heads*d] and keys [T, kv_heads*d] of a layer, before attention.
    virtual void on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) {}
    virtual void end_layer(int layer) {}
    virtual void end_run() {}
};

// Progress of long work: return false to cancel (the core then throws rs::Cancelled).
using ProgressFn = std::function<bool(long done, long total)>;

}  // namespace rs
