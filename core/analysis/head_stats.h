// Per-head attention statistics, computed while the model runs (never from a stored T x T map):
// long-range mass M(D), mean attended distance, entropy, mass and mean logit by log-distance bin,
// and the head's per-frequency weights that define its own characteristic curve; plus sink-aware
// statistics and every statistic split by query-position bucket (query_buckets.h).
//
// Definitions, for one head with probabilities p(t,s) (s <= t), T tokens:
//   M(D)          = mean over queries t >= D of sum_{s <= t-D} p(t,s)
//   mean distance = mean over queries of sum_s p(t,s) (t - s);  entropy = mean of -sum_s p log p
//   bin mass b    = mean over queries of sum_{s: t-s in [e_b, e_b+1)} p(t,s)
//   sink_mass[k]  = mean over queries t >= k of sum_{s < k} p(t,s), for k in sink_counts
// Sink-excluded ("_ex"), with K = sink_exclude: attention renormalised over the non-sink keys,
//   p_ex(t,s) = p(t,s) / sum_{s' >= K} p(t,s') for s >= K (for queries t >= K, which have one);
//   M_ex(D)          = mean over queries t with t - D >= K (a non-sink key at distance >= D) of
//                      sum_{K <= s <= t-D} p_ex(t,s)
//   mean_distance_ex = mean over queries t >= K of sum_{s >= K} p_ex(t,s) (t - s)
//   bin_mass_ex b    = mean over queries t >= K of sum_{s >= K, t-s in bin b} p_ex(t,s)
// (When the non-sink probabilities underflow, p_ex comes from the logits: exp(l - logsumexp).)
// Every mean above is also taken over the queries of each bucket only (HeadStats::buckets), and
// RunStats::uniform holds each bucket's value for uniform attention p(t,s) = 1/(t+1), exactly.
// In a sliding-window layer (window W: keys t - W < s <= t) the masked keys have probability 0 in
// every sum above, bin_pairs counts only visible pairs, and the uniform reference of the layer is
// over the visible keys, p(t,s) = 1/min(t+1, W) (RunStats::uniform_for).
#pragma once

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "probe.h"
#include "query_buckets.h"
#include "query_sums.h"

namespace rs {

// Default thresholds D of the long-range mass: a half-octave grid round(2^(k/2)) = 1, 2, 3, 4, 6,
// 8, 11, 16, 23, 32, 45, 64, ... below the sequence length (~16 values at 512 tokens; every power
// of two is on it, so grids of runs of different lengths agree where they overlap).
std::vector<int> default_mass_thresholds(int tokens);

// What HeadStatsProbe computes besides the fixed statistics.
struct HeadStatsOptions {
    std::vector<int> thresholds;         // D of M(D); empty: default_mass_thresholds
    std::vector<int> sink_counts{1, 4};  // k of sink_mass
    int sink_exclude = 4;                // K of the sink-excluded statistics (0: none excluded)
    int train_length = 0;                // L of "inside"/"beyond"; 0: not known, no such buckets
    std::string train_length_source;     // where L came from, shown with it
    std::vector<int> bucket_edges;       // log-bucket edges; empty: default_query_bucket_edges
};

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
    // Per query bucket (RunStats::buckets; empty for traces written before them). Bucket 0 is
    // "all", so buckets[0] holds the whole run's sink mass and sink-excluded statistics.
    std::vector<BucketStats> buckets;
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
    // Sink-aware and bucketed statistics; `buckets` is empty when they were not computed (a trace
    // written before them), and the other fields are then unset.
    std::vector<int> sink_counts;     // k of BucketStats::sink_mass
    int sink_exclude = 0;             // K of the sink-excluded statistics
    int train_length = 0;             // L splitting "inside"/"beyond"; 0: not known
    std::string train_length_source;  // e.g. "max_position_embeddings" or "--train-length"
    std::vector<QueryBucket> buckets;
    std::vector<BucketStats> uniform;  // [buckets] uniform-attention reference, full attention
    // Sliding windows: [layers] window W of each layer (0 = full; empty = every layer full), and
    // the uniform reference over the W visible keys, p(t,s) = 1/min(t+1, W), for each W in use.
    std::vector<int> layer_window;
    std::vector<std::pair<int, std::vector<BucketStats>>> uniform_windowed;

    int window(int layer) const { return layer_window.empty() ? 0 : layer_window.at(std::size_t(layer)); }
    // The uniform reference a head of `layer` compares with: over the keys that layer lets it see.
    const std::vector<BucketStats>& uniform_for(int layer) const;

    bool has_buckets() const { return !buckets.empty(); }

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
    HeadStatsProbe(bool virtual_heads, HeadStatsOptions options);

    void begin_run(const RunInfo& info) override;
    bool wants(int layer, int head) const override;
    void on_block(const AttentionBlock& b) override;
    void on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) override;
    void end_run() override;

    const RunStats& stats() const { return stats_; }
    RunStats take() { return std::move(stats_); }

  private:
    struct Accumulator {  // running sums of one head, normalised in end_run
        std::vector<QuerySums> piece;  // [pieces_] sums over each piece of query positions
        std::vector<double> bin_logit;
        long rows = 0;
    };
    void make_segments();
    void accumulate_row(Accumulator& a, const float* logits, const float* probs, float lse,
                        int t, int lo) const;
    void finish_head(std::size_t n);

    bool virtual_heads_;
    HeadStatsOptions options_;
    RunInfo info_;
    RunStats stats_;
    std::vector<Accumulator> acc_;  // [layers * heads]
    std::vector<float> cos_, sin_;  // [T, half] rotation tables, to undo RoPE for c_i
    std::vector<float> cos_local_, sin_local_;  // the same for Gemma 3's local-RoPE layers, else empty
    std::vector<int> cuts_;         // sorted distance cut points: bin edges and thresholds
    std::vector<int> seg_bin_;      // [cuts] bin of the segment starting at each cut
    std::vector<std::size_t> threshold_seg_;  // [thresholds] first segment at distance >= D
    // Query positions cut at every bucket boundary: each row adds to one piece, and a bucket is
    // the merge of its pieces. piece_edges_ [pieces + 1]; bucket_pieces_ [buckets] (first, end).
    std::vector<int> piece_edges_;
    std::vector<std::pair<std::size_t, std::size_t>> bucket_pieces_;
};

}  // namespace rs
