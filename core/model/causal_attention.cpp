// Blocked causal attention with a full-row softmax per block (rows see all their keys at once).
#include "causal_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "soft_cap.h"

namespace rs {

namespace {

using ConstStrided = Eigen::Map<const MatrixRM, 0, Eigen::OuterStride<>>;
using Strided = Eigen::Map<MatrixRM, 0, Eigen::OuterStride<>>;

using Packet = Eigen::internal::packet_traits<float>::type;
constexpr int kLanes = Eigen::internal::packet_traits<float>::size;

// Softmax of a row over keys [lo, valid): writes probs (zeros outside) and returns the
// log-sum-exp. Logits outside are overwritten with -inf so probes see the causal and window masks
// explicitly.
// Vectorised with Eigen's packet exp because at long context this pass touches T^2/2 entries per
// head. Every entry, the tail included, goes through the same packet code and the sum has a fixed
// order, so the result never depends on buffer alignment (probes must not change a single bit).
// `probs` may alias `logits`.
float softmax_row(float* logits, float* probs, int lo, int valid, int cols) {
    namespace ei = Eigen::internal;
    std::fill(logits, logits + lo, -std::numeric_limits<float>::infinity());
    std::fill(probs, probs + lo, 0.0f);
    logits += lo;
    probs += lo;
    valid -= lo;
    cols -= lo;
    const float m = Eigen::Map<const Eigen::ArrayXf>(logits, valid).maxCoeff();
    const Packet pm = ei::pset1<Packet>(m);
    Packet acc = ei::pset1<Packet>(0.0f);
    int j = 0;
    for (; j + kLanes <= valid; j += kLanes) {
        const Packet e = ei::pexp(ei::psub(ei::ploadu<Packet>(logits + j), pm));
        ei::pstoreu(probs + j, e);
        acc = ei::padd(acc, e);
    }
    if (j < valid) {  // tail through a padded packet: exp(-inf) = 0 adds nothing
        alignas(64) float tail[kLanes];
        std::fill(tail, tail + kLanes, -std::numeric_limits<float>::infinity());
        std::copy(logits + j, logits + valid, tail);
        const Packet e = ei::pexp(ei::psub(ei::pload<Packet>(tail), pm));
        ei::pstore(tail, e);
        std::copy(tail, tail + (valid - j), probs + j);
        acc = ei::padd(acc, e);
    }
    const float sum = ei::predux(acc);
    const float inv = 1.0f / sum;
    for (int i = 0; i < valid; ++i) probs[i] *= inv;
    std::fill(logits + valid, logits + cols, -std::numeric_limits<float>::infinity());
    std::fill(probs + valid, probs + cols, 0.0f);
    return m + std::log(sum);
}

}  // namespace

void causal_attention_head(const HeadAttentionJob& job, std::span<AttentionProbe* const> probes,
                           AttentionScratch& s) {
    const int T = job.tokens, d = job.head_dim, B = job.block_rows;
    const bool observed = !probes.empty();
    s.logits.resize(std::size_t(B) * T);
    s.lse.resize(B);
    if (observed) s.probs.resize(std::size_t(B) * T);
    ConstStrided Q(job.q.data, T, d, Eigen::OuterStride<>(job.q.ld));
    ConstStrided K(job.k.data, T, d, Eigen::OuterStride<>(job.k.ld));

    for (int r0 = 0; r0 < T; r0 += B) {
        const int rows = std::min(B, T - r0), cols = r0 + rows;
        // Keys before k0 are outside every row's window: neither multiplied nor summed.
        const int k0 = first_visible_key(r0, job.window);
        if (k0 == 0) {
            Eigen::Map<MatrixRM> S(s.logits.data(), rows, cols);
            S.noalias() = Q.middleRows(r0, rows) * K.topRows(cols).transpose();
            S *= job.scale;
        } else {
            Strided S(s.logits.data() + k0, rows, cols - k0, Eigen::OuterStride<>(cols));
            S.noalias() = Q.middleRows(r0, rows) * K.middleRows(k0, cols - k0).transpose();
            S *= job.scale;
        }
        // Capped before the mask, as transformers does; only each row's visible keys matter.
        if (job.softcap > 0)
            for (int r = 0; r < rows; ++r) {
                const int lo = first_visible_key(r0 + r, job.window);
                soft_cap(&s.logits[std::size_t(r) * cols + lo], r0 + r + 1 - lo, job.softcap);
            }
        // Without probes the probabilities overwrite the logits in place: same arithmetic, less
        // memory.
        float* P = observed ? s.probs.data() : s.logits.data();
        for (int r = 0; r < rows; ++r)
            s.lse[r] = softmax_row(&s.logits[std::size_t(r) * cols], &P[std::size_t(r) * cols],
                                   first_visible_key(r0 + r, job.window), r0 + r + 1, cols);
        if (job.out) {
            ConstStrided V(job.v.data, T, d, Eigen::OuterStride<>(job.v.ld));
            Strided O(job.out + std::size_t(r0) * job.out_ld, rows, d,
                      Eigen::OuterStride<>(job.out_ld));
            if (k0 == 0) {
                Eigen::Map<const MatrixRM> Pm(P, rows, cols);
                O.noalias() = Pm * V.topRows(cols);
            } else {
                ConstStrided Pm(P + k0, rows, cols - k0, Eigen::OuterStride<>(cols));
                O.noalias() = Pm * V.middleRows(k0, cols - k0);
            }
        }
        if (observed) {
            AttentionBlock blk{job.layer,       job.head, r0,           r0 + rows,
                               s.logits.data(), P,        s.lse.data(), cols, job.window};
            for (auto* p : probes) p->on_block(blk);
        }
        if (job.after_block) job.after_block();
    }
}

}  // namespace rs
