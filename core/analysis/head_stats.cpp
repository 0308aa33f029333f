// Streaming statistics: each attention row is reduced to prefix sums once, then every statistic
// reads from them, so the probe costs about one extra pass over the block.
#include "head_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "distance_bins.h"
#include "error.h"
#include "uniform_reference.h"

namespace rs {

std::vector<int> default_mass_thresholds(int tokens) {
    std::vector<int> out;
    for (int k = 0;; ++k) {
        const int d = int(std::lround(std::pow(2.0, k / 2.0)));
        if (d >= tokens) break;
        if (out.empty() || d != out.back()) out.push_back(d);
    }
    return out;
}

double RunStats::expected_logit(int layer, int h, const std::vector<double>& inv_freq,
                                double distance) const {
    const auto& s = at(layer, h);
    double sum = 0.0;
    for (std::size_t i = 0; i < s.freq_re.size(); ++i)
        sum += s.freq_re[i] * std::cos(inv_freq[i] * distance) -
               s.freq_im[i] * std::sin(inv_freq[i] * distance);
    return s.passthrough + logit_scale * sum;
}

const std::vector<BucketStats>& RunStats::uniform_for(int layer) const {
    const int w = window(layer);
    if (w == 0) return uniform;
    for (const auto& [window, reference] : uniform_windowed)
        if (window == w) return reference;
    throw UsageError("no uniform reference for the sliding window " + std::to_string(w) + " of layer " +
                     std::to_string(layer));
}

HeadStatsProbe::HeadStatsProbe(bool virtual_heads, std::vector<int> thresholds)
    : virtual_heads_(virtual_heads) {
    options_.thresholds = std::move(thresholds);
}

HeadStatsProbe::HeadStatsProbe(bool virtual_heads, HeadStatsOptions options)
    : virtual_heads_(virtual_heads), options_(std::move(options)) {
    for (int k : options_.sink_counts)
        if (k <= 0) throw UsageError("sink counts must be positive, got " + std::to_string(k));
    if (options_.sink_exclude < 0)
        throw UsageError("the sink exclusion count must be >= 0, got " +
                         std::to_string(options_.sink_exclude));
    if (options_.train_length < 0)
        throw UsageError("the training length must be >= 0, got " +
                         std::to_string(options_.train_length));
    std::sort(options_.sink_counts.begin(), options_.sink_counts.end());
    options_.sink_counts.erase(
        std::unique(options_.sink_counts.begin(), options_.sink_counts.end()),
        options_.sink_counts.end());
    make_query_buckets(1, 0, options_.bucket_edges);  // refuses bad edges before the run
}

// Unscaled rotation tables: undoing RoPE with them leaves the YaRN amplitude s in q̃ and k̃.
namespace {

void unscaled_tables(const RopeSpectrum& rope, int tokens, std::vector<float>& cos, std::vector<float>& sin) {
    const RopeTable t = make_rope_table(rope, tokens);
    cos = t.cos;
    sin = t.sin;
    for (auto& v : cos) v /= rope.cos_sin_scale;
    for (auto& v : sin) v /= rope.cos_sin_scale;
}

}  // namespace

void HeadStatsProbe::begin_run(const RunInfo& info) {
    info_ = info;
    stats_ = RunStats{};
    stats_.tokens = info.tokens;
    stats_.layers = info.layers;
    stats_.heads = info.layout->analysis_heads();
    stats_.logit_scale = info.logit_scale;
    stats_.thresholds.clear();
    for (int d : options_.thresholds.empty() ? default_mass_thresholds(info.tokens)
                                             : options_.thresholds)
        if (d > 0 && d < info.tokens) stats_.thresholds.push_back(d);
    std::sort(stats_.thresholds.begin(), stats_.thresholds.end());
    stats_.bin_edges = log_distance_edges(info.tokens);
    stats_.sink_counts = options_.sink_counts;
    stats_.sink_exclude = options_.sink_exclude;
    stats_.train_length = options_.train_length;
    stats_.train_length_source = options_.train_length_source;
    stats_.buckets = make_query_buckets(info.tokens, options_.train_length,
                                        options_.bucket_edges.empty()
                                            ? default_query_bucket_edges(info.tokens)
                                            : options_.bucket_edges);
    stats_.layer_window = info.layer_window;
    stats_.uniform = uniform_reference(stats_);
    stats_.uniform_windowed = windowed_uniform_references(stats_);
    make_segments();
    const std::size_t n = std::size_t(stats_.layers) * stats_.heads;
    const std::size_t bins = stats_.bin_edges.size() - 1;
    stats_.head.assign(n, HeadStats{});
    stats_.observed.assign(n, false);
    acc_.assign(n, Accumulator{});
    const QuerySums zero(stats_.thresholds.size(), stats_.sink_counts.size(), bins);
    for (auto& a : acc_) {
        a.piece.assign(piece_edges_.size() - 1, zero);
        a.bin_logit.assign(bins, 0.0);
    }
    unscaled_tables(*info.rope, info.tokens, cos_, sin_);
    cos_local_.clear();
    sin_local_.clear();
    if (info.rope_local) unscaled_tables(*info.rope_local, info.tokens, cos_local_, sin_local_);
}

void HeadStatsProbe::make_segments() {
    const auto& e = stats_.bin_edges;
    cuts_.assign(e.begin(), e.end() - 1);  // the last edge only closes the last bin
    cuts_.insert(cuts_.end(), stats_.thresholds.begin(), stats_.thresholds.end());
    std::sort(cuts_.begin(), cuts_.end());
    cuts_.erase(std::unique(cuts_.begin(), cuts_.end()), cuts_.end());
    seg_bin_.clear();
    for (int c : cuts_) seg_bin_.push_back(distance_bin(e, c));
    threshold_seg_.clear();
    for (int D : stats_.thresholds)
        threshold_seg_.push_back(
            std::size_t(std::lower_bound(cuts_.begin(), cuts_.end(), D) - cuts_.begin()));
    piece_edges_ = {0, stats_.tokens};
    for (const auto& b : stats_.buckets) piece_edges_.insert(piece_edges_.end(), {b.lo, b.hi});
    std::sort(piece_edges_.begin(), piece_edges_.end());
    piece_edges_.erase(std::unique(piece_edges_.begin(), piece_edges_.end()), piece_edges_.end());
    bucket_pieces_.clear();
    auto at = [&](int pos) {
        return std::size_t(std::lower_bound(piece_edges_.begin(), piece_edges_.end(), pos) -
                           piece_edges_.begin());
    };
    for (const auto& b : stats_.buckets) bucket_pieces_.push_back({at(b.lo), at(b.hi)});
}

bool HeadStatsProbe::wants(int, int head) const {
    return virtual_heads_ || !info_.layout->heads[head].is_virtual;
}

namespace {

struct SegmentSums {
    double p = 0, l = 0, plogp = 0, ps = 0;  // sum p, sum logit, sum -p log p, sum p * key position
};

// One vectorised pass over keys [lo, hi) of a row. -p log p is p (lse - logit): the softmax's own
// log-probability, so no log per entry and no cancellation (every term is >= 0).
SegmentSums sum_segment(const float* probs, const float* logits, double lse, int lo, int hi) {
    double sp = 0, sl = 0, sh = 0, sps = 0;
#pragma omp simd reduction(+ : sp, sl, sh, sps)
    for (int s = lo; s < hi; ++s) {
        const double p = probs[s], l = logits[s];
        sp += p;
        sl += l;
        sh += p * (lse - l);
        sps += p * double(s);
    }
    return {sp, sl, sh, sps};
}

// Renormalised sums over the non-sink keys from the logits, for a row whose non-sink
// probabilities underflowed: weights exp(l - max l), so the largest is 1.
void sums_from_logits(const float* logits, const std::vector<int>& cuts, std::size_t used, int t,
                      int K, std::vector<SegmentSums>& ex) {
    float top = -std::numeric_limits<float>::infinity();
    for (int s = K; s <= t; ++s) top = std::max(top, logits[s]);
    for (std::size_t k = 0; k < used; ++k) {
        const int s_hi = t - cuts[k] + 1;
        const int s_lo = std::max(K, k + 1 < cuts.size() ? std::max(0, t - cuts[k + 1] + 1) : 0);
        ex[k] = SegmentSums{};
        for (int s = s_lo; s < s_hi; ++s) {
            const double w = std::exp(double(logits[s]) - top);
            ex[k].p += w;
            ex[k].ps += w * double(s);
        }
    }
}

}  // namespace

void HeadStatsProbe::accumulate_row(Accumulator& a, const float* logits, const float* probs,
                                    float lse, int t, int lo) const {
    // Row t is cut into key segments by distance (bin edges and thresholds merged); every statistic
    // is a sum of whole segments, so the row is read exactly once. The segment holding key K (the
    // first non-sink key) is summed in two parts, so the sink-excluded sums cost nothing extra.
    thread_local std::vector<SegmentSums> seg, ex;
    thread_local std::vector<double> far, far_ex;
    const std::size_t nseg = cuts_.size();
    seg.assign(nseg, SegmentSums{});
    ex.assign(nseg, SegmentSums{});
    const int K = stats_.sink_exclude;
    std::size_t used = 0;
    SegmentSums row, row_ex;
    for (; used < nseg && cuts_[used] <= t; ++used) {
        // Keys before `lo` are outside the sliding window (probability 0, logit -inf): a
        // segment is clipped to the window, and one wholly outside it stays empty.
        const int s_hi = std::max(lo, t - cuts_[used] + 1);  // exclusive: distance >= cuts_[used]
        const int s_lo = std::min(s_hi, std::max(lo, used + 1 < nseg ? t - cuts_[used + 1] + 1 : 0));
        if (s_lo >= K) {
            seg[used] = ex[used] = sum_segment(probs, logits, lse, s_lo, s_hi);
        } else if (s_hi <= K) {
            seg[used] = sum_segment(probs, logits, lse, s_lo, s_hi);
        } else {
            const SegmentSums sink = sum_segment(probs, logits, lse, s_lo, K);
            ex[used] = sum_segment(probs, logits, lse, K, s_hi);
            seg[used] = {sink.p + ex[used].p, sink.l + ex[used].l, sink.plogp + ex[used].plogp,
                         sink.ps + ex[used].ps};
        }
        row.p += seg[used].p;
        row.plogp += seg[used].plogp;
        row.ps += seg[used].ps;
        row_ex.p += ex[used].p;
        row_ex.ps += ex[used].ps;
        a.bin_logit[seg_bin_[used]] += seg[used].l;
    }
    // Non-sink probabilities that underflowed (< 1e-30 in all) carry no precision: use logits.
    if (t >= K && row_ex.p < 1e-30) {
        sums_from_logits(logits, cuts_, used, t, std::max(K, lo), ex);
        row_ex = SegmentSums{};
        for (std::size_t k = 0; k < used; ++k) {
            row_ex.p += ex[k].p;
            row_ex.ps += ex[k].ps;
        }
    }
    // Mass at distance >= cuts_[k]: suffix sums over the used segments.
    far.assign(used + 1, 0.0);
    far_ex.assign(used + 1, 0.0);
    for (std::size_t k = used; k-- > 0;) {
        far[k] = far[k + 1] + seg[k].p;
        far_ex[k] = far_ex[k + 1] + ex[k].p;
    }
    a.rows += 1;
    const std::size_t piece =
        std::size_t(std::upper_bound(piece_edges_.begin(), piece_edges_.end(), t) -
                    piece_edges_.begin()) - 1;
    QuerySums& q = a.piece[piece];
    q.rows += 1;
    q.entropy += row.plogp;
    q.distance += double(t) * row.p - row.ps;
    for (std::size_t k = 0; k < used; ++k) q.bin[seg_bin_[k]] += seg[k].p;
    for (std::size_t i = 0; i < stats_.thresholds.size() && stats_.thresholds[i] <= t; ++i) {
        q.lrm[i] += far[threshold_seg_[i]];
        q.lrm_n[i] += 1;
    }
    // Sink mass: keys [0, k) for each k, one running sum over the first keys.
    double head = 0;
    int s = 0;
    for (std::size_t i = 0; i < stats_.sink_counts.size() && stats_.sink_counts[i] <= t; ++i) {
        for (; s < stats_.sink_counts[i]; ++s) head += probs[s];
        q.sink[i] += head;
        q.sink_n[i] += 1;
    }
    if (t < K) return;
    const double norm = 1.0 / row_ex.p;
    q.rows_ex += 1;
    q.distance_ex += (double(t) * row_ex.p - row_ex.ps) * norm;
    for (std::size_t k = 0; k < used; ++k) q.bin_ex[seg_bin_[k]] += ex[k].p * norm;
    for (std::size_t i = 0; i < stats_.thresholds.size() && stats_.thresholds[i] + K <= t; ++i) {
        q.lrm_ex[i] += far_ex[threshold_seg_[i]] * norm;
        q.lrm_ex_n[i] += 1;
    }
}

void HeadStatsProbe::on_block(const AttentionBlock& b) {
    Accumulator& a = acc_[std::size_t(b.layer) * stats_.heads + b.head];
    for (int r = 0; r < b.rows(); ++r)
        accumulate_row(a, b.logits + std::size_t(r) * b.ld, b.probs + std::size_t(r) * b.ld,
                       b.lse[r], b.row_begin + r, b.key_begin(b.row_begin + r));
}

void HeadStatsProbe::on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) {
    const HeadLayout& L = *info_.layout;
    // Each layer is un-rotated with the RoPE it ran with (Gemma 3: local or global).
    const RopeSpectrum& rope = info_.rope_of(layer);
    const bool local = info_.uses_local_rope(layer);
    const std::vector<float>& cos_table = local ? cos_local_ : cos_;
    const std::vector<float>& sin_table = local ? sin_local_ : sin_;
    const int T = int(q.rows()), d = L.head_dim, half = rope.half();
    // Mean un-rotated complex pairs per query head and per KV head: [heads][half] (re, im), plus
    // mean pass-through entries [heads][d - rotary_dim].
    auto mean_pairs = [&](const MatrixRM& m, int heads, std::vector<double>& re,
                          std::vector<double>& im, std::vector<double>& pass) {
        re.assign(std::size_t(heads) * half, 0.0);
        im.assign(std::size_t(heads) * half, 0.0);
        pass.assign(std::size_t(heads) * (d - rope.rotary_dim), 0.0);
        for (int t = 0; t < T; ++t) {
            const float* c = &cos_table[std::size_t(t) * half];
            const float* s = &sin_table[std::size_t(t) * half];
            for (int h = 0; h < heads; ++h) {
                const float* x = m.data() + std::size_t(t) * m.cols() + std::size_t(h) * d;
                for (int i = 0; i < half; ++i) {  // (a' + j b') e^{-jθt}
                    re[std::size_t(h) * half + i] +=
                        double(x[i]) * c[i] + double(x[i + half]) * s[i];
                    im[std::size_t(h) * half + i] +=
                        double(x[i + half]) * c[i] - double(x[i]) * s[i];
                }
                for (int i = rope.rotary_dim; i < d; ++i)
                    pass[std::size_t(h) * (d - rope.rotary_dim) + (i - rope.rotary_dim)] += x[i];
            }
        }
        for (auto& v : re) v /= T;
        for (auto& v : im) v /= T;
        for (auto& v : pass) v /= T;
    };
    std::vector<double> qre, qim, qpass, kre, kim, kpass;
    mean_pairs(q, L.query_heads, qre, qim, qpass);
    mean_pairs(k, L.kv_heads, kre, kim, kpass);
    const int npass = d - rope.rotary_dim;
    for (const auto& h : L.heads) {
        HeadStats& st = stats_.at(layer, h.index);
        st.freq_re.assign(half, 0.0);
        st.freq_im.assign(half, 0.0);
        for (int i = 0; i < half; ++i) {
            const double a = qre[std::size_t(h.query_head) * half + i],
                         b = qim[std::size_t(h.query_head) * half + i];
            const double c = kre[std::size_t(h.kv_head) * half + i],
                         e = kim[std::size_t(h.kv_head) * half + i];
            const double re = a * c + b * e, im = b * c - a * e;  // (a + jb)(c - je)
            st.freq_re[i] = h.imag ? im : re;                     // imaginary head: -j times
            st.freq_im[i] = h.imag ? -re : im;
        }
        double pass = 0.0;
        if (!h.imag)
            for (int i = 0; i < npass; ++i)
                pass += qpass[std::size_t(h.query_head) * npass + i] *
                        kpass[std::size_t(h.kv_head) * npass + i];
        st.passthrough = info_.logit_scale * pass;
    }
}

void HeadStatsProbe::finish_head(std::size_t n) {
    const Accumulator& a = acc_[n];
    HeadStats& st = stats_.head[n];
    const auto& e = stats_.bin_edges;
    const int T = stats_.tokens;
    stats_.observed[n] = true;
    st.buckets.clear();
    for (const auto& [first, end] : bucket_pieces_) {
        QuerySums q(stats_.thresholds.size(), stats_.sink_counts.size(), e.size() - 1);
        for (std::size_t p = first; p < end; ++p) q.merge(a.piece[p]);
        st.buckets.push_back(q.means());
    }
    const BucketStats& all = st.buckets.at(0);  // bucket 0 is every query
    st.entropy = all.entropy;
    st.mean_distance = all.mean_distance;
    st.long_range_mass = all.long_range_mass;
    st.bin_mass = all.bin_mass;
    st.bin_logit.resize(a.bin_logit.size());
    st.bin_pairs.resize(a.bin_logit.size());
    const int W = stats_.window(int(n / std::size_t(stats_.heads)));
    for (std::size_t b = 0; b < a.bin_logit.size(); ++b) {
        // Visible pairs with distance in [lo, hi): sum over Δ of (T - Δ), Δ < W in a window.
        double pairs = 0;
        for (int dlt = e[b]; dlt < std::min(e[b + 1], W > 0 ? std::min(W, T) : T); ++dlt) pairs += T - dlt;
        st.bin_pairs[b] = pairs;
        st.bin_logit[b] = pairs > 0 ? a.bin_logit[b] / pairs : BucketStats::kNaN;
    }
}

void HeadStatsProbe::end_run() {
    for (std::size_t n = 0; n < acc_.size(); ++n)
        if (acc_[n].rows > 0) finish_head(n);
    acc_.clear();
}

}  // namespace rs
