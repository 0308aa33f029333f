// A small least-recently-used cache of exact tiles and overviews, bounded in bytes, so panning
// back and forth or flipping between heads does not recompute what was just on screen. GUI thread
// only (the fetcher's worker never touches it).
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <tuple>

#include "tile_source.h"

namespace rs::ui {

struct TileKey {
    int layer = 0, head = 0;
    bool overview = false;
    MapRegion region;  // tiles
    int max_side = 0;  // overviews

    auto tie() const {
        return std::tie(layer, head, overview, region.row0, region.row1, region.col0, region.col1,
                        region.stride, max_side);
    }
    bool operator<(const TileKey& o) const { return tie() < o.tie(); }
    bool operator==(const TileKey& o) const { return tie() == o.tie(); }
};

class TileCache {
  public:
    explicit TileCache(std::size_t max_bytes = std::size_t(64) << 20) : max_bytes_(max_bytes) {}

    std::shared_ptr<const MapTile> tile(const TileKey& key);  // null when absent; marks it used
    std::shared_ptr<const MapOverview> overview(const TileKey& key);
    void put(const TileKey& key, std::shared_ptr<const MapTile> tile);
    void put(const TileKey& key, std::shared_ptr<const MapOverview> overview);
    void clear();

    std::size_t bytes() const { return bytes_; }
    std::size_t size() const { return entries_.size(); }
    std::size_t max_bytes() const { return max_bytes_; }

  private:
    struct Entry {
        TileKey key;
        std::shared_ptr<const MapTile> tile;
        std::shared_ptr<const MapOverview> overview;
        std::size_t bytes = 0;
    };
    using List = std::list<Entry>;

    Entry* find(const TileKey& key);
    void insert(Entry entry);

    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    List entries_;  // most recently used first
    std::map<TileKey, List::iterator> index_;
};

}  // namespace rs::ui
