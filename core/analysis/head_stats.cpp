// Streaming statistics: each attention row is reduced to prefix sums once, then every statistic
// reads from them, so the probe costs about one extra pass over the block.
#include "head_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "distance_bins.h"

namespace rs {

std::vector<int> default_mass_thresholds(int tokens) {
    std::vector<int> out;
    for (int d : {16, 64, 256, 1024, 4096, 16384})
        if (d < tokens) out.push_back(d);
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

HeadStatsProbe::HeadStatsProbe(bool virtual_heads, std::vector<int> thresholds)
    : virtual_heads_(virtual_heads), requested_thresholds_(std::move(thresholds)) {}

void HeadStatsProbe::begin_run(const RunInfo& info) {
    info_ = info;
    stats_ = RunStats{};
    stats_.tokens = info.tokens;
    stats_.layers = info.layers;
    stats_.heads = info.layout->analysis_heads();
    stats_.logit_scale = info.logit_scale;
    stats_.thresholds.clear();
    for (int d : requested_thresholds_.empty() ? default_mass_thresholds(info.tokens)
                                               : requested_thresholds_)
        if (d > 0 && d < info.tokens) stats_.thresholds.push_back(d);
    std::sort(stats_.thresholds.begin(), stats_.thresholds.end());
    stats_.bin_edges = log_distance_edges(info.tokens);
    make_segments();
    const std::size_t n = std::size_t(stats_.layers) * stats_.heads;
    const std::size_t bins = stats_.bin_edges.size() - 1;
    stats_.head.assign(n, HeadStats{});
    stats_.observed.assign(n, false);
    acc_.assign(n, Accumulator{});
    for (auto& a : acc_) {
        a.lrm_sum.assign(stats_.thresholds.size(), 0.0);
        a.lrm_count.assign(stats_.thresholds.size(), 0);
        a.bin_mass.assign(bins, 0.0);
        a.bin_logit.assign(bins, 0.0);
    }
    // Unscaled rotation tables: undoing RoPE with them leaves the YaRN amplitude s in q̃ and k̃.
    const RopeTable t = make_rope_table(*info.rope, info.tokens);
    cos_ = t.cos;
    sin_ = t.sin;
    const float s = info.rope->cos_sin_scale;
    for (auto& v : cos_) v /= s;
    for (auto& v : sin_) v /= s;
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

}  // namespace

void HeadStatsProbe::accumulate_row(Accumulator& a, const float* logits, const float* probs,
                                    float lse, int t) const {
    // Row t is cut into key segments by distance (bin edges and thresholds merged); every statistic
    // is a sum of whole segments, so the row is read exactly once.
    thread_local std::vector<SegmentSums> seg;
    seg.assign(cuts_.size(), SegmentSums{});
    std::size_t used = 0;
    SegmentSums row;
    for (; used < cuts_.size() && cuts_[used] <= t; ++used) {
        const int s_hi = t - cuts_[used] + 1;  // exclusive: distance >= cuts_[used]
        const int s_lo = used + 1 < cuts_.size() ? std::max(0, t - cuts_[used + 1] + 1) : 0;
        seg[used] = sum_segment(probs, logits, lse, s_lo, s_hi);
        row.p += seg[used].p;
        row.plogp += seg[used].plogp;
        row.ps += seg[used].ps;
        a.bin_mass[seg_bin_[used]] += seg[used].p;
        a.bin_logit[seg_bin_[used]] += seg[used].l;
    }
    a.entropy += row.plogp;
    a.distance += double(t) * row.p - row.ps;
    a.rows += 1;
    for (std::size_t i = 0; i < stats_.thresholds.size(); ++i) {
        if (t < stats_.thresholds[i]) break;
        double far = 0;  // mass at distance >= D: the segments from D's cut on
        for (std::size_t k = threshold_seg_[i]; k < used; ++k) far += seg[k].p;
        a.lrm_sum[i] += far;
        a.lrm_count[i] += 1;
    }
}

void HeadStatsProbe::on_block(const AttentionBlock& b) {
    Accumulator& a = acc_[std::size_t(b.layer) * stats_.heads + b.head];
    for (int r = 0; r < b.rows(); ++r)
        accumulate_row(a, b.logits + std::size_t(r) * b.ld, b.probs + std::size_t(r) * b.ld,
                       b.lse[r], b.row_begin + r);
}

void HeadStatsProbe::on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) {
    const HeadLayout& L = *info_.layout;
    const RopeSpectrum& rope = *info_.rope;
    const int T = int(q.rows()), d = L.head_dim, half = rope.half();
    // Mean un-rotated complex pairs per query head and per KV head: [heads][half] (re, im), plus
    // mean pass-through entries [heads][d - rotary_dim].
    auto mean_pairs = [&](const MatrixRM& m, int heads, std::vector<double>& re,
                          std::vector<double>& im, std::vector<double>& pass) {
        re.assign(std::size_t(heads) * half, 0.0);
        im.assign(std::size_t(heads) * half, 0.0);
        pass.assign(std::size_t(heads) * (d - rope.rotary_dim), 0.0);
        for (int t = 0; t < T; ++t) {
            const float* c = &cos_[std::size_t(t) * half];
            const float* s = &sin_[std::size_t(t) * half];
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

void HeadStatsProbe::end_run() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto& e = stats_.bin_edges;
    const int T = stats_.tokens;
    for (std::size_t n = 0; n < acc_.size(); ++n) {
        const Accumulator& a = acc_[n];
        HeadStats& st = stats_.head[n];
        if (a.rows == 0) continue;
        stats_.observed[n] = true;
        st.entropy = a.entropy / a.rows;
        st.mean_distance = a.distance / a.rows;
        st.long_range_mass.resize(a.lrm_sum.size());
        for (std::size_t i = 0; i < a.lrm_sum.size(); ++i)
            st.long_range_mass[i] = a.lrm_count[i] ? a.lrm_sum[i] / a.lrm_count[i] : nan;
        st.bin_mass.resize(a.bin_mass.size());
        st.bin_logit.resize(a.bin_mass.size());
        st.bin_pairs.resize(a.bin_mass.size());
        for (std::size_t b = 0; b < a.bin_mass.size(); ++b) {
            st.bin_mass[b] = a.bin_mass[b] / a.rows;
            // Causal pairs with distance in [lo, hi): sum over Δ of (T - Δ).
            double pairs = 0;
            for (int dlt = e[b]; dlt < std::min(e[b + 1], T); ++dlt) pairs += T - dlt;
            st.bin_pairs[b] = pairs;
            st.bin_logit[b] = pairs > 0 ? a.bin_logit[b] / pairs : nan;
        }
    }
    acc_.clear();
}

}  // namespace rs
