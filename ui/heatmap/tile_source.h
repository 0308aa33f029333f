// Where attention heatmaps get their values: exact tiles of any head's map and pooled overviews.
// Implemented over a trace reader; views call it from a worker thread, never the GUI thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace rs::ui {

// Rows are query positions, columns key positions, both half-open; stride >= 1 keeps every
// stride-th row/column (exact values, subsampled).
struct MapRegion {
    int row0 = 0, row1 = 0;
    int col0 = 0, col1 = 0;
    int stride = 1;
};

struct MapTile {
    MapRegion region;
    int rows = 0, cols = 0;
    std::vector<float> prob;   // [rows, cols] row-major; 0 above the diagonal (s > t)
    std::vector<float> logit;  // [rows, cols] row-major; -inf above the diagonal
};

// Pooled view of a whole map: cell (i, j) holds the mean probability over its block of the T x T
// map (masked entries count as 0); `side` cells per side, each covering T/side positions.
struct MapOverview {
    int side = 0;
    int tokens = 0;
    std::vector<float> mean_prob;  // [side, side]
    // [side + 1] cell boundaries in positions (cell i covers [edges[i], edges[i+1])); empty means
    // uniform cells of tokens/side positions. Traces use edges[i] = floor(i * T / side).
    std::vector<int> edges;
};

class TileSource {
public:
    virtual ~TileSource() = default;
    virtual int tokens() const = 0;
    virtual int layers() const = 0;
    virtual int heads() const = 0;
    // Thread-safe (may be called from any one worker thread at a time).
    virtual MapTile tile(int layer, int head, const MapRegion& region) const = 0;
    // Largest available overview with at most `max_side` cells per side.
    virtual MapOverview overview(int layer, int head, int max_side) const = 0;
    virtual std::string token_label(int position) const = 0;  // visible token text
    // False for a layer run without RoPE (SmolLM3's NoPE layers): it has no imaginary heads.
    virtual bool layer_has_rope(int /*layer*/) const { return true; }
    // The layer's sliding window W (query t sees keys t - W < s <= t); 0: full causal attention.
    virtual int layer_window(int /*layer*/) const { return 0; }
    // Problems found in the data so far that leave it usable but suspicious (a trace's all-zero
    // query head), oldest first; thread-safe.
    virtual std::vector<std::string> warnings() const { return {}; }
};

}  // namespace rs::ui
