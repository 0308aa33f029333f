// Exact attention tiles: any rectangle of any head's probability (or logit) map, recomputed from
// the post-RoPE queries and keys and each row's log-sum-exp that a trace stores — full resolution
// anywhere in a 32k x 32k map without ever storing it.
//
//   logit(t, s) = (q_t . k_s) * logit_scale          (q of an imaginary head =
//   (then, with a soft-cap c: c tanh(logit / c), as the run did)
//   -rotate_half(q_real)) prob(t, s)  = exp(logit(t, s) - lse(t))  for visible keys s, 0 elsewhere
//   (logit -inf there). Visible: s <= t, and in a sliding-window layer (window W) s > t - W.
//
// stride > 1 SUBSAMPLES by default: entry (i, j) is the exact value at row row_begin + i*stride
// and column col_begin + j*stride (cheap, but a thin structure such as the diagonal can fall
// between samples). TilePooling::Mean instead averages every entry of each stride x stride cell
// (stride^2 times the work; the overview pyramid holds such means at fixed levels).
#pragma once

#include <string>
#include <vector>

#include "rope.h"

namespace rs {

enum class TileValues { Probability, Logit };
enum class TilePooling { Subsample, Mean };

struct TileRequest {
    int layer = 0;
    int head = 0;  // analysis head (HeadLayout::heads index), virtual imaginary heads included
    int row_begin = 0, row_end = 0;  // query positions [row_begin, row_end)
    int col_begin = 0, col_end = 0;  // key positions [col_begin, col_end)
    int stride = 1;
    TileValues values = TileValues::Probability;
    // Mean: probabilities averaged over the cell's whole area (0 above the diagonal, as in the
    // overview maps); logits averaged over the cell's causal entries (-inf if none).
    TilePooling pooling = TilePooling::Subsample;
};

struct Tile {
    TileRequest request;
    int rows = 0, cols = 0;
    std::vector<float> values;  // [rows, cols]
    // How far these values can be from the ones the run computed: a bound on |logit error| over
    // the tile (storage rounding of Q/K plus float dot products, via |q| |k|), and the matching
    // relative error bound of probabilities, about expm1(logit bound). Rigorous, so pessimistic:
    // observed errors are 10-100x smaller (docs/trace-format.md gives measured numbers).
    double logit_error_bound = 0.0;
    double prob_rel_error_bound = 0.0;
    int window = 0;  // the layer's sliding window (0 = full causal attention)

    // First position of output row i / column j (a cell's first position when pooled).
    int row(int i) const { return request.row_begin + i * request.stride; }
    int col(int j) const { return request.col_begin + j * request.stride; }
    float at(int i, int j) const { return values[std::size_t(i) * cols + j]; }
    // False when the causal or window mask hides every entry of cell (i, j) (a pooled cell spans
    // stride x stride entries): its probability is 0 and its logit -inf by the mask, not by
    // attention, and a view should draw it as masked.
    bool has_visible_entry(int i, int j) const;
};

// Most entries one tile may have (64 MiB of floats): larger requests must use a stride.
constexpr long kMaxTileEntries = 1L << 24;
// Most map entries a pooled tile may average (about a second of arithmetic at head_dim 128).
constexpr long kMaxPooledEntries = 1L << 28;

// Throws UsageError for a head, layer or range outside the trace, an empty range, stride < 1,
// more than kMaxTileEntries entries, or a pooled tile over more than kMaxPooledEntries.
void check_tile_request(const TileRequest& r, int layers, int heads, int tokens);

// One head's inputs, all positions of the run.
struct TileSource {
    const float* q = nullptr;    // [T, head_dim] REAL post-RoPE query of the head's query head
    const float* k = nullptr;    // [T, head_dim] post-RoPE key of its KV head
    const float* lse = nullptr;  // [T] this head's row log-sum-exp
    int tokens = 0;
    bool imag = false;                   // imaginary head: the query is -rotate_half(q)
    const RopeSpectrum* rope = nullptr;  // rotary layout for imag_from_real
    float logit_scale = 0.0f;
    double unit_roundoff = 0.0;  // of the stored Q/K: 2^-11 for f16, 0 for f32 (stored exactly)
    int window = 0;  // the layer's sliding window W: keys s <= t - W are masked; 0 = none
    float softcap = 0.0f;  // Gemma 2: logit = softcap tanh(q.k scale / softcap); 0 = none
};

// The request must already pass check_tile_request.
Tile compute_tile(const TileRequest& r, const TileSource& src);

}  // namespace rs
