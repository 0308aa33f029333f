// TileSource over an open trace: exact tiles and pooled overviews straight from the HDF5 file.
// The reader is used by one thread at a time, so calls are serialised with a mutex.
#pragma once

#include <memory>
#include <mutex>

#include "trace_reader.h"
#include "tile_source.h"

namespace rs::ui {

class TraceTileSource : public TileSource {
public:
    explicit TraceTileSource(std::shared_ptr<TraceReader> reader);

    int tokens() const override;
    int layers() const override;
    int heads() const override;
    MapTile tile(int layer, int head, const MapRegion& region) const override;
    MapOverview overview(int layer, int head, int max_side) const override;
    std::string token_label(int position) const override;
    bool layer_has_rope(int layer) const override;
    int layer_window(int layer) const override;
    std::vector<std::string> warnings() const override;

  private:
    // After each read, under mu_: the GUI thread asks for warnings without waiting for a tile.
    void copy_warnings() const;

    std::shared_ptr<TraceReader> reader_;
    mutable std::mutex mu_;
    mutable std::mutex warnings_mu_;
    mutable std::vector<std::string> warnings_;
};

}  // namespace rs::ui
