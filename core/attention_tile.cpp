// Tile recomputation: gather the sampled query and key rows, one small GEMM, then mask and
// exponentiate against the stored row log-sum-exp.
#include "core/attention_tile.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/tensor.h"

namespace rs {

namespace {

int samples(int begin, int end, int stride) { return (end - begin + stride - 1) / stride; }

constexpr double kFloatEps = 0x1.0p-24;  // unit roundoff of float32

// First-order bound on |tile logit - run logit| over the tile: the stored q and k each carry a
// relative rounding of at most u per element (plus an absolute 2^-25 for f16 subnormals), and
// both the run and the tile accumulate a d-term float dot product (error <= d eps sum|q_i k_i|
// each). sum|q_i k_i| <= |q| |k| (Cauchy-Schwarz); qn, kn: largest norms among the tile's rows
// and columns.
double logit_bound(double qn, double kn, int d, float scale, double u) {
    const double subnormal = u > 0 ? 0x1.0p-25 * std::sqrt(double(d)) * (qn + kn) : 0.0;
    return double(scale) * ((2 * u + u * u + 2.0 * (d + 1) * kFloatEps) * qn * kn + subnormal);
}

}  // namespace

void check_tile_request(const TileRequest& r, int layers, int heads, int tokens) {
    if (r.layer < 0 || r.layer >= layers)
        throw UsageError("layer " + std::to_string(r.layer) + " is outside 0.." + std::to_string(layers - 1));
    if (r.head < 0 || r.head >= heads)
        throw UsageError("head " + std::to_string(r.head) + " is outside 0.." + std::to_string(heads - 1));
    auto range = [&](int b, int e, const char* what) {
        if (b < 0 || e > tokens || b >= e)
            throw UsageError(std::string(what) + " " + std::to_string(b) + ":" + std::to_string(e) +
                             " must be a non-empty range within 0:" + std::to_string(tokens));
    };
    range(r.row_begin, r.row_end, "rows");
    range(r.col_begin, r.col_end, "cols");
    if (r.stride < 1) throw UsageError("stride must be at least 1");
    const long n = long(samples(r.row_begin, r.row_end, r.stride)) * samples(r.col_begin, r.col_end, r.stride);
    if (n > kMaxTileEntries)
        throw UsageError("the tile would have " + std::to_string(n) + " entries (at most " +
                         std::to_string(kMaxTileEntries) + "): use a larger stride");
    const long computed = long(r.row_end - r.row_begin) * (r.col_end - r.col_begin);
    if (r.pooling == TilePooling::Mean && computed > kMaxPooledEntries)
        throw UsageError("a pooled tile over " + std::to_string(computed) + " map entries (at most " +
                         std::to_string(kMaxPooledEntries) + "): use a smaller range or the overview maps");
}

namespace {

// Rows [positions] of a head's queries (imaginary-rotated when the head is imaginary) or keys.
MatrixRM gather(const float* src, const std::vector<int>& positions, int d) {
    MatrixRM m(long(positions.size()), d);  // [n, d]
    for (std::size_t i = 0; i < positions.size(); ++i)
        std::copy_n(src + std::size_t(positions[i]) * d, d, m.data() + i * std::size_t(d));
    return m;
}

std::vector<int> positions(int begin, int end, int step) {
    std::vector<int> p;
    for (int x = begin; x < end; x += step) p.push_back(x);
    return p;
}

constexpr int kRowChunk = 256;  // query rows per GEMM: bounds scratch at kRowChunk x cols

}  // namespace

Tile compute_tile(const TileRequest& r, const TileSource& src) {
    const int d = src.rope->head_dim, s = r.stride;
    const bool mean = r.pooling == TilePooling::Mean, probs = r.values == TileValues::Probability;
    Tile tile;
    tile.request = r;
    tile.rows = samples(r.row_begin, r.row_end, s);
    tile.cols = samples(r.col_begin, r.col_end, s);
    // Subsample: only the sampled rows and columns. Mean: every position, pooled into s x s cells.
    const std::vector<int> rows = positions(r.row_begin, r.row_end, mean ? 1 : s);
    const std::vector<int> cols = positions(r.col_begin, r.col_end, mean ? 1 : s);
    const MatrixRM k = gather(src.k, cols, d);  // [cols, d]
    const double kn = k.rowwise().norm().maxCoeff();
    std::vector<double> sum(std::size_t(tile.rows) * tile.cols, 0.0);  // [rows, cols] cell sums
    std::vector<int> causal(sum.size(), 0);                              // causal entries per cell
    double qn = 0.0;
    float lse_max = 0.0f;
    for (std::size_t r0 = 0; r0 < rows.size(); r0 += kRowChunk) {
        const std::vector<int> chunk(rows.begin() + long(r0), rows.begin() + long(std::min(rows.size(), r0 + kRowChunk)));
        MatrixRM q = gather(src.q, chunk, d);  // [chunk, d]
        if (src.imag) {
            const MatrixRM real = q;
            imag_from_real(*src.rope, real.data(), d, q.data(), d, int(chunk.size()));
        }
        qn = std::max(qn, double(q.rowwise().norm().maxCoeff()));
        MatrixRM logits = q * k.transpose();  // [chunk, cols]
        logits *= src.logit_scale;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            const int t = chunk[i];
            const float lse = src.lse[t];
            lse_max = std::max(lse_max, std::abs(lse));
            const std::size_t out_row = std::size_t((t - r.row_begin) / s) * tile.cols;
            for (std::size_t j = 0; j < cols.size() && cols[j] <= t; ++j) {
                const std::size_t at = out_row + (mean ? std::size_t((cols[j] - r.col_begin) / s) : j);
                const float logit = logits(long(i), long(j));
                sum[at] += probs ? std::exp(logit - lse) : logit;
                causal[at] += 1;
            }
        }
    }
    tile.values.resize(sum.size());
    for (int i = 0; i < tile.rows; ++i)
        for (int j = 0; j < tile.cols; ++j) {
            const std::size_t at = std::size_t(i) * tile.cols + j;
            // A mean probability cell averages over its whole area (entries above the diagonal are
            // 0, as in the overview pyramid); a mean logit cell over its causal entries only.
            const int h = mean ? std::min(s, r.row_end - tile.row(i)) : 1, w = mean ? std::min(s, r.col_end - tile.col(j)) : 1;
            if (probs)
                tile.values[at] = float(sum[at] / (double(h) * w));
            else
                tile.values[at] = causal[at] ? float(sum[at] / causal[at]) : -std::numeric_limits<float>::infinity();
        }
    tile.logit_error_bound = logit_bound(qn, kn, d, src.logit_scale, src.unit_roundoff);
    // The stored lse is a float (relative rounding of its magnitude), and exp adds a few ulps.
    tile.prob_rel_error_bound = std::expm1(tile.logit_error_bound + 2.0 * kFloatEps * double(lse_max)) + 4.0 * kFloatEps;
    return tile;
}

}  // namespace rs
