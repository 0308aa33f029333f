// Tile recomputation: gather the sampled query and key rows, one small GEMM, then mask and
// exponentiate against the stored row log-sum-exp.
#include "attention_tile.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "attention_window.h"

#include "error.h"
#include "soft_cap.h"
#include "tensor.h"

namespace rs {

namespace {

int samples(int begin, int end, int stride) {
    return (end - begin + stride - 1) / stride;
}

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
        throw UsageError("layer " + std::to_string(r.layer) + " is outside 0.." +
                         std::to_string(layers - 1));
    if (r.head < 0 || r.head >= heads)
        throw UsageError("head " + std::to_string(r.head) + " is outside 0.." +
                         std::to_string(heads - 1));
    auto range = [&](int b, int e, const char* what) {
        if (b < 0 || e > tokens || b >= e)
            throw UsageError(std::string(what) + " " + std::to_string(b) + ":" + std::to_string(e) +
                             " must be a non-empty range within 0:" + std::to_string(tokens));
    };
    range(r.row_begin, r.row_end, "rows");
    range(r.col_begin, r.col_end, "cols");
    if (r.stride < 1) throw UsageError("stride must be at least 1");
    const long n =
        long(samples(r.row_begin, r.row_end, r.stride)) * samples(r.col_begin, r.col_end, r.stride);
    if (n > kMaxTileEntries)
        throw UsageError("the tile would have " + std::to_string(n) + " entries (at most " +
                         std::to_string(kMaxTileEntries) + "): use a larger stride");
    const long computed = long(r.row_end - r.row_begin) * (r.col_end - r.col_begin);
    if (r.pooling == TilePooling::Mean && computed > kMaxPooledEntries)
        throw UsageError("a pooled tile over " + std::to_string(computed) +
                         " map entries (at most " + std::to_string(kMaxPooledEntries) +
                         "): use a smaller range or the overview maps");
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

constexpr int kRowChunk = 256;

// Keeps Eigen's GEMM on the calling thread for the guard's lifetime (Eigen asks OpenMP for the
// calling thread's max threads). A 512 x 512 tile is ~1 ms of arithmetic; handing half of it to a
// second OpenMP thread on a busy machine cost a median 24 ms (bench/README.md, "Trace store").
class SingleThreaded {
  public:
    SingleThreaded() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
    ~SingleThreaded() { omp_set_num_threads(saved_); }
    SingleThreaded(const SingleThreaded&) = delete;
    SingleThreaded& operator=(const SingleThreaded&) = delete;

  private:
    int saved_;
};  // query rows per GEMM: bounds scratch at kRowChunk x cols

}  // namespace

namespace {

// Runs the tile's query rows in chunks: gathers (and for imaginary heads rotates) each chunk's
// queries, computes its scaled logits against all `k` rows and hands them to consume(chunk
// positions, first row index, logits [chunk, k rows]). Returns the largest query norm seen.
template <class Consume>
double for_each_chunk(const TileSource& src, const std::vector<int>& rows, const MatrixRM& k,
                      Consume consume) {
    const int d = src.rope->head_dim;
    double qn = 0.0;
    for (std::size_t r0 = 0; r0 < rows.size(); r0 += kRowChunk) {
        const std::vector<int> chunk(rows.begin() + long(r0),
                                     rows.begin() + long(std::min(rows.size(), r0 + kRowChunk)));
        MatrixRM q = gather(src.q, chunk, d);  // [chunk, d]
        if (src.imag) {
            const MatrixRM real = q;
            imag_from_real(*src.rope, real.data(), d, q.data(), d, int(chunk.size()));
        }
        qn = std::max(qn, double(q.rowwise().norm().maxCoeff()));
        MatrixRM logits = q * k.transpose();  // [chunk, k rows]
        logits *= src.logit_scale;
        soft_cap(logits.data(), logits.size(), src.softcap);
        consume(chunk, r0, logits);
    }
    return qn;
}

// The range [first, end) of the sorted positions `cols` that query t sees: s <= t and, in a
// sliding window, s > t - window.
std::pair<std::size_t, std::size_t> visible_cols(const std::vector<int>& cols, int t, int window) {
    const auto lo = std::lower_bound(cols.begin(), cols.end(), first_visible_key(t, window));
    const auto hi = std::upper_bound(cols.begin(), cols.end(), t);
    return {std::size_t(lo - cols.begin()), std::size_t(std::max(lo, hi) - cols.begin())};
}

constexpr float kMasked = -std::numeric_limits<float>::infinity();

// Exact values at the sampled rows and columns, written straight into the tile.
double subsampled(const TileSource& src, const std::vector<int>& rows, const std::vector<int>& cols,
                  const MatrixRM& k, bool probs, Tile& tile) {
    tile.values.resize(std::size_t(tile.rows) * tile.cols);
    return for_each_chunk(
        src, rows, k, [&](const std::vector<int>& chunk, std::size_t r0, const MatrixRM& logits) {
            for (std::size_t i = 0; i < chunk.size(); ++i) {
                const float lse = src.lse[chunk[i]];
                const auto [first, n] = visible_cols(cols, chunk[i], src.window);
                const float* l = logits.data() + i * std::size_t(tile.cols);
                float* out = tile.values.data() + (r0 + i) * std::size_t(tile.cols);
                std::fill(out, out + first, probs ? 0.0f : kMasked);
                for (std::size_t j = first; j < n; ++j) out[j] = probs ? std::exp(l[j] - lse) : l[j];
                std::fill(out + n, out + tile.cols, probs ? 0.0f : kMasked);
            }
        });
}

// Means over stride x stride cells of every entry. A probability cell averages over its whole
// area (0 at masked entries, as in the overview pyramid); a logit cell over its visible entries.
double pooled(const TileSource& src, const TileRequest& r, const std::vector<int>& rows,
              const std::vector<int>& cols, const MatrixRM& k, bool probs, Tile& tile) {
    const int s = r.stride;
    std::vector<double> sum(std::size_t(tile.rows) * tile.cols, 0.0);  // [rows, cols] cell sums
    std::vector<int> causal(sum.size(), 0);                            // causal entries per cell
    const double qn = for_each_chunk(
        src, rows, k, [&](const std::vector<int>& chunk, std::size_t, const MatrixRM& logits) {
            for (std::size_t i = 0; i < chunk.size(); ++i) {
                const int t = chunk[i];
                const float lse = src.lse[t];
                const std::size_t out_row = std::size_t((t - r.row_begin) / s) * tile.cols;
                const auto [first, n] = visible_cols(cols, t, src.window);
                for (std::size_t j = first; j < n; ++j) {
                    const std::size_t at =
                        out_row + j / std::size_t(s);  // cols start at col_begin, step 1
                    const float logit = logits(long(i), long(j));
                    sum[at] += probs ? std::exp(logit - lse) : logit;
                    causal[at] += 1;
                }
            }
        });
    tile.values.resize(sum.size());
    for (int i = 0; i < tile.rows; ++i)
        for (int j = 0; j < tile.cols; ++j) {
            const std::size_t at = std::size_t(i) * tile.cols + j;
            const double area =
                double(std::min(s, r.row_end - tile.row(i))) * std::min(s, r.col_end - tile.col(j));
            if (probs)
                tile.values[at] = float(sum[at] / area);
            else
                tile.values[at] = causal[at] ? float(sum[at] / causal[at]) : kMasked;
        }
    return qn;
}

}  // namespace

bool Tile::has_visible_entry(int i, int j) const {
    const int span = request.pooling == TilePooling::Mean ? request.stride - 1 : 0;
    const int last_row = std::min(row(i) + span, request.row_end - 1);
    const int last_col = std::min(col(j) + span, request.col_end - 1);
    // Rows t of the cell that see one of its keys: t >= its first key, and within the window of
    // its last key (t < last_col + window).
    int hi = last_row;
    if (window > 0) hi = std::min<long>(hi, long(last_col) + window - 1);
    return std::max(row(i), col(j)) <= hi;
}

Tile compute_tile(const TileRequest& r, const TileSource& src) {
    const SingleThreaded one_thread;
    const bool mean = r.pooling == TilePooling::Mean, probs = r.values == TileValues::Probability;
    Tile tile;
    tile.request = r;
    tile.window = src.window;
    tile.rows = samples(r.row_begin, r.row_end, r.stride);
    tile.cols = samples(r.col_begin, r.col_end, r.stride);
    // Subsample: only the sampled rows and columns. Mean: every position.
    const std::vector<int> rows = positions(r.row_begin, r.row_end, mean ? 1 : r.stride);
    const std::vector<int> cols = positions(r.col_begin, r.col_end, mean ? 1 : r.stride);
    const MatrixRM k = gather(src.k, cols, src.rope->head_dim);  // [cols, d]
    const double kn = k.rowwise().norm().maxCoeff();
    const double qn = mean ? pooled(src, r, rows, cols, k, probs, tile)
                           : subsampled(src, rows, cols, k, probs, tile);
    float lse_max = 0.0f;
    for (int t : rows) lse_max = std::max(lse_max, std::abs(src.lse[t]));
    // cap tanh(x / cap) has slope <= 1, so capping never widens a difference; the run and the tile
    // each round their tanh (Eigen's float tanh: a few ulp of at most cap).
    tile.logit_error_bound =
        logit_bound(qn, kn, src.rope->head_dim, src.logit_scale, src.unit_roundoff) +
        (src.softcap > 0 ? 2.0 * 8.0 * kFloatEps * double(src.softcap) : 0.0);
    // The stored lse is a float (relative rounding of its magnitude), and exp adds a few ulps.
    tile.prob_rel_error_bound =
        std::expm1(tile.logit_error_bound + 2.0 * kFloatEps * double(lse_max)) + 4.0 * kFloatEps;
    return tile;
}

}  // namespace rs
