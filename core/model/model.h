// The Llama / RoPE++ forward pass on the CPU (batch 1, causal), instrumented through probes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "checkpoint.h"
#include "model_weights.h"
#include "probe.h"
#include "rope.h"

namespace rs {

// Lets an experiment modify a head's rotated query [T, d] (row stride ld) before attention.
using QueryHook = std::function<void(int layer, const HeadInfo& head, float* q, long ld, int T)>;

struct ForwardOptions {
    int block_rows = 128;      // query rows per attention block
    int chunk_rows = 1024;     // rows per MLP / lm_head chunk (bounds memory at long T)
    int vocab_chunk = 16384;   // lm_head columns per chunk
    bool keep_logits = false;  // return the full [T, V] logits (tests, small T only)
    std::vector<AttentionProbe*> probes;
    // (layers done, layers + 1); false cancels. Called between layers and, with the same
    // values, about every 50 ms inside them (attention blocks, MLP and lm_head chunks), so a
    // cancel takes effect within a fraction of a second; never by two threads at once.
    ProgressFn progress;
    QueryHook query_hook;
};

struct ForwardResult {
    std::vector<float> nll;  // [T-1]: -log p(ids[t+1] | ids[0..t])
    MatrixRM logits;         // [T, V] when keep_logits, else empty
    double mean_nll() const;
};

class Model {
  public:
    // `progress` follows the conversion of resident weights (see ModelWeights).
    explicit Model(std::shared_ptr<const Checkpoint> ck, bool keep_layers_resident = true,
                   const ProgressFn& progress = {});

    // Throws UsageError for ids outside the vocabulary or an empty sequence; Cancelled on cancel.
    // Const: a run keeps its state (streamed layers included) to itself, so runs on several
    // threads may share one Model.
    ForwardResult forward(std::span<const std::int32_t> ids, const ForwardOptions& options = {}) const;

    const Checkpoint& checkpoint() const { return *ck_; }
    const HeadLayout& layout() const { return ck_->layout(); }
    const RopeSpectrum& rope() const { return rope_; }  // at load time (no run)
    // The spectrum a run of `tokens` tokens uses: rope() unless the scaling depends on the run
    // length (longrope, dynamic NTK).
    RopeSpectrum rope_for(long tokens) const;
    // Gemma 3: the unscaled spectrum of the sliding_attention layers; null when every layer uses
    // rope_for(tokens) (ModelConfig::local_rope_layers).
    const RopeSpectrum* local_rope() const { return local_rope_ ? &*local_rope_ : nullptr; }
    bool layers_resident() const { return weights_.resident(); }
    std::uint64_t held_weight_bytes() const { return weights_.held_bytes(); }

  private:
    class Poll;
    // `rope` and `table`: the spectrum and cos/sin this layer rotates with.
    void attention(int layer, const LayerWeights& w, MatrixRM& x, const RopeSpectrum& rope,
                   const RopeTable& table, const ForwardOptions& opt, Poll& poll) const;
    void mlp(const LayerWeights& w, MatrixRM& x, int chunk_rows, Poll& poll) const;
    void lm_head(const MatrixRM& x, std::span<const std::int32_t> ids, const ForwardOptions& opt,
                 ForwardResult& out, Poll& poll) const;

    std::shared_ptr<const Checkpoint> ck_;
    ModelWeights weights_;
    RopeParams params_;
    RopeSpectrum rope_;
    std::optional<RopeSpectrum> local_rope_;
};

// RMSNorm as HF computes it (variance in fp32 semantics, x * rsqrt(var + eps) * weight), in place
// on rows.
void rms_norm_rows(const float* x, float* out, long rows, long dim, long ld_in, long ld_out,
                   const VectorF& weight, float eps);

}  // namespace rs
