// Float32 copies of a checkpoint's weights, converted from BF16/F16/F32 one layer at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "checkpoint.h"
#include "probe.h"
#include "tensor.h"

namespace rs {

struct LayerWeights {
    // Norm weights as applied: Gemma's (1 + w) is added here, once, so every norm is w * x_hat.
    VectorF attn_norm;             // [D]
    VectorF mlp_norm;              // [D] the MLP's input norm
    VectorF post_attn_norm;        // [D] Gemma: on the attention output before the add, else empty
    VectorF post_mlp_norm;         // [D] Gemma: on the MLP output before the add, else empty
    MatrixRM wq;                   // [query_heads*d, D]
    MatrixRM wk;                   // [kv_heads*d, D]
    MatrixRM wv;                   // [kv_heads*d, D]
    MatrixRM wo;                   // [D, model_heads*d]
    VectorF bq, bk, bv, bo;        // empty without the family's biases
    VectorF q_norm, k_norm;        // [d] Qwen3's per-head RMSNorm weights, else empty
    MatrixRM w_gate;               // [I, D]
    MatrixRM w_up;                 // [I, D]
    MatrixRM w_down;               // [D, I]
    VectorF b_gate, b_up, b_down;  // empty without mlp_bias

    std::uint64_t float_count() const {
        std::uint64_t n = 0;
        for (const MatrixRM* m : {&wq, &wk, &wv, &wo, &w_gate, &w_up, &w_down})
            n += std::uint64_t(m->size());
        for (const VectorF* v :
             {&attn_norm, &mlp_norm, &post_attn_norm, &post_mlp_norm, &bq, &bk, &bv, &bo, &q_norm, &k_norm, &b_gate, &b_up, &b_down})
            n += std::uint64_t(v->size());
        return n;
    }
};

MatrixRM load_matrix(const TensorView& t);  // 2-D tensor -> [rows, cols] floats
VectorF load_vector(const TensorView& t);   // 1-D tensor -> [n] floats

// Holds the final norm always; layers and lm_head either resident in fp32 (fast repeated runs) or
// converted on demand and dropped after use (single runs, models larger than RAM in fp32).
class ModelWeights {
  public:
    // Resident weights are converted here: `progress` gets (parts done, layers + 1) after lm_head
    // and after each layer, and cancels (Cancelled) by returning false.
    ModelWeights(const Checkpoint& ck, bool keep_layers_resident, const ProgressFn& progress = {});

    // Row `id` of the embedding [D] as floats. An untied embedding is never converted as a whole:
    // a forward pass reads only T of its V rows (Llama-3: 128k rows, 0.5 GB in fp32 at D = 1024).
    void embed_row(int id, float* out) const;
    const VectorF& final_norm() const { return final_norm_; }  // [D]
    // Rows [first, first + count) of lm_head [V, D] (the embedding when tied) as floats: the
    // resident copy, or converted into `scratch` when not resident, so that a single forward pass
    // converts each row once and never holds the whole matrix (0.5 GB at V = 128k, D = 1024).
    const float* lm_head_rows(long first, long count, MatrixRM& scratch) const;
    // Layer i: the resident copy, or (streaming) a fresh conversion that belongs to the caller and
    // is freed when the caller drops it. Nothing here is written after construction, so runs on
    // several threads may share one ModelWeights (a GUI job superseded by the next one does).
    std::shared_ptr<const LayerWeights> layer(int i) const;
    bool resident() const { return resident_; }
    // fp32 bytes held between runs: the final norm, and lm_head and every layer when resident.
    std::uint64_t held_bytes() const;

  private:
    const Checkpoint& ck_;
    bool resident_;
    const TensorView* embed_view_ = nullptr;    // the checkpoint's embedding, rows read on demand
    const TensorView* lm_head_view_ = nullptr;  // lm_head (the embedding when tied)
    MatrixRM lm_head_;                          // [V, D] when resident, else empty
    VectorF final_norm_;
    std::vector<std::shared_ptr<const LayerWeights>> layers_;  // empty pointers when streaming
};

}  // namespace rs
