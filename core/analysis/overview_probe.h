// Pooled overview maps: every head's causal probability map averaged over a small pyramid of
// cells (512/256/128/64 per side, capped at T), accumulated from attention blocks as they stream
// past — never from a stored T x T map. The zoomed-out view of a trace; exact tiles (subsampled
// or mean-pooled, attention_tile.h) give everything finer.
#pragma once

#include <functional>
#include <vector>

#include "probe.h"

namespace rs {

// Cells per side of each level for T tokens, finest first: T/8 capped to [1, 512] (a finest cell
// spans at least 8 positions: finer views are cheap exact tiles), then halving while the half is
// a whole number >= 64, at most 4 levels. A coarser cell is exactly 2 x 2 finer cells.
std::vector<int> overview_levels(int tokens);
// Cell boundaries: edge[i] = floor(i * T / cells) for i = 0..cells; cell i covers positions
// [edge[i], edge[i+1]). Requires 1 <= cells <= T.
std::vector<int> overview_edges(int tokens, int cells);

struct OverviewLevel {
    int cells = 0;
    // [heads, cells, cells]: mean probability over the cell's query x key entries, entries above
    // the diagonal counting as 0 (so a cell's mean times its area is the mass it holds).
    std::vector<float> mean;
};

struct OverviewLayer {
    int layer = 0;
    int heads = 0;
    std::vector<OverviewLevel> levels;  // finest first, as overview_levels()
};

class OverviewProbe : public AttentionProbe {
  public:
    // `sink` receives each layer's maps from end_layer (on the forward pass's thread).
    using Sink = std::function<void(OverviewLayer&&)>;
    explicit OverviewProbe(Sink sink, bool virtual_heads = true);

    void begin_run(const RunInfo& info) override;
    bool wants(int layer, int head) const override;
    void on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) override;
    void on_block(const AttentionBlock& b) override;
    void end_layer(int layer) override;

  private:
    OverviewLevel pooled(const std::vector<double>& sums, int cells) const;

    Sink sink_;
    bool virtual_heads_;
    RunInfo info_;
    std::vector<int> levels_;
    std::vector<int> edges_;    // [P0 + 1] finest-level boundaries
    std::vector<int> cell_of_;  // [T] finest cell of each position
    std::vector<double> acc_;   // [heads, P0, P0] probability sums of the current layer
};

}  // namespace rs
