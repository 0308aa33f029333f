// Per-head attention statistics, computed while the model runs (never from a stored T x T map):
// long-range mass M(D), mean attended distance, entropy, mass and mean logit by log-distance bin,
// and the head's per-frequency weights that define its own characteristic curve.
#pragma once

#include <mutex>
#include <vector>

#include "probe.h"

namespace rs {

// Default thresholds D of the long-range mass; those >= the sequence length are dropped.
std::vector<int> default_mass_thresholds(int tokens);

struct HeadStats {
    // M(D) = mean over queries t >= D of sum_{s <= t-D} p(t,s); NaN if no query reaches D.
    std::vector<double> long_range_mass;  // [thresholds]
    double mean_distance = 0.0;           // mean_t sum_s p(t,s) (t - s)
    double entropy = 0.0;                 // mean_t -sum_s p log p (nats)
    std::vector<double> bin_mass;         // [bins] mean_t sum_{s: t-s in bin} p(t,s); sums to 1
    std::vector<double> bin_logit;  // [bins] mean scaled logit over all causal pairs in the bin
    std::vector<double> bin_pairs;  // [bins] number of causal pairs in the bin
    // Per-frequency weights c_i = mean_t q̃_i(t) * conj(mean_s k̃_i(s)), q̃/k̃ the un-rotated complex
    // pairs (times the YaRN amplitude), for this head's own query (the imaginary head's query is
    // -j times its real twin's). Expected logit at distance Δ under this head's mean q and k:
    //   passthrough + logit_scale * sum_i (Re c_i cos θ_i Δ - Im c_i sin θ_i Δ).
    std::vector<double> freq_re;  // [rotary_dim/2]
    std::vector<double> freq_im;  // [rotary_dim/2]
    double passthrough = 0.0;     // logit_scale * mean q_pass . mean k_pass (partial rotary only)
};

struct RunStats {
    int tokens = 0;
    int layers = 0;
    int heads = 0;                // analysis heads per layer (HeadLayout::heads)
    float logit_scale = 0.0f;     // 1/sqrt(head_dim)
    std::vector<int> thresholds;  // D values of long_range_mass
    std::vector<int> bin_edges;   // [bins + 1] distance bin edges
    std::vector<HeadStats> head;  // [layers * heads], layer-major
    std::vector<bool> observed;   // [layers * heads] false for heads not computed

    const HeadStats& at(int layer, int h) const { return head.at(std::size_t(layer) * heads + h); }
    HeadStats& at(int layer, int h) { return head.at(std::size_t(layer) * heads + h); }
    // Expected logit at distance Δ from a head's frequency weights (see HeadStats).
    double expected_logit(int layer, int h, const std::vector<double>& inv_freq,
                          double distance) const;
};

// Probe that fills RunStats. `virtual_heads`: also observe vanilla RoPE's virtual imaginary heads.
class HeadStatsProbe : public AttentionProbe {
  public:
    explicit HeadStatsProbe(bool virtual_heads = true, std::vector<int> thresholds = {});

    void begin_run(const RunInfo& info) override;
    bool wants(int layer, int head) const override;
    void on_block(const AttentionBlock& b) override;
    void on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) override;
    void end_run() override;

    const RunStats& stats() const { return stats_; }
    RunStats take() { return std::move(stats_); }

  private:
    struct Accumulator {  // running sums of one head, normalised in end_run
        std::vector<double> lrm_sum;
        std::vector<long> lrm_count;
        double distance = 0, entropy = 0;
        std::vector<double> bin_mass, bin_logit;
        long rows = 0;
    };
    void make_segments();
    void accumulate_row(Accumulator& a, const float* logits, const float* probs, float lse,
                        int t) const;

    bool virtual_heads_;
    std::vector<int> requested_thresholds_;
    RunInfo info_;
    RunStats stats_;
    std::vector<Accumulator> acc_;  // [layers * heads]
    std::vector<float> cos_, sin_;  // [T, half] rotation tables, to undo RoPE for c_i
    std::vector<int> cuts_;         // sorted distance cut points: bin edges and thresholds
    std::vector<int> seg_bin_;      // [cuts] bin of the segment starting at each cut
    std::vector<std::size_t> threshold_seg_;  // [thresholds] first segment at distance >= D
};

}  // namespace rs
