// A TileSource over whole attention maps held in memory: every recorded head's causal logits (the
// lower triangle) and row log-sum-exp, from one forward pass of the core model. Meant for short
// runs (T up to a few thousand, small models or a few layers); long traces use a trace-backed
// source that recomputes tiles from stored Q/K instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "probe.h"
#include "tile_source.h"

namespace rs {
class Model;
}

namespace rs::ui {

class MemoryTileSource : public TileSource {
  public:
    // `labels[t]` is the visible text of token t (missing ones read as their position).
    MemoryTileSource(int tokens, int layers, int heads, std::vector<std::string> labels);

    // Stores one head's map: logits [T, T] with row stride `ld` (only s <= t is read), lse [T].
    void set_map(int layer, int head, const float* logits, long ld, const float* lse);
    bool has_map(int layer, int head) const;
    std::size_t bytes() const;
    // Memory one head's map takes: T(T+1)/2 logits plus T log-sum-exps.
    static std::size_t bytes_per_head(int tokens);

    struct RecordOptions {
        std::vector<int> layers;                       // layers to keep; empty: all of them
        std::size_t max_bytes = std::size_t(1) << 30;  // refuse (UsageError) beyond this
        ProgressFn progress;                           // forwarded to the forward pass
    };
    // Runs `model` on `ids` and keeps the maps of every analysis head (the virtual imaginary
    // heads of vanilla RoPE included) of the chosen layers. Throws UsageError when they would take
    // more than options.max_bytes, and whatever the forward pass throws.
    static std::shared_ptr<MemoryTileSource> record(Model& model, std::span<const std::int32_t> ids,
                                                    std::vector<std::string> labels,
                                                    const RecordOptions& options);

    int tokens() const override { return tokens_; }
    int layers() const override { return layers_; }
    int heads() const override { return heads_; }
    // Throws UsageError for a region outside the map, an empty one, stride < 1, more than
    // 2^24 entries, or a head that was not recorded.
    MapTile tile(int layer, int head, const MapRegion& region) const override;
    // side = min(T, max_side) cells per side, cell i covering [floor(i*T/side),
    // floor((i+1)*T/side)).
    MapOverview overview(int layer, int head, int max_side) const override;
    std::string token_label(int position) const override;

  private:
    struct HeadMap {
        std::vector<float> logits;  // packed lower triangle: row t starts at t(t+1)/2
        std::vector<float> lse;     // [T]
    };
    const HeadMap& map(int layer, int head) const;
    HeadMap& storage(int layer, int head) { return maps_[std::size_t(layer) * heads_ + head]; }
    friend class MemoryMapRecorder;

    int tokens_, layers_, heads_;
    std::vector<std::string> labels_;
    std::vector<HeadMap> maps_;  // [layers, heads]; empty when not recorded
};

}  // namespace rs::ui
