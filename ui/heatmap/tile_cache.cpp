// LRU bookkeeping of the tile cache: a list in use order plus an index into it.
#include "tile_cache.h"

namespace rs::ui {

TileCache::Entry* TileCache::find(const TileKey& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);  // now the most recently used
    return &entries_.front();
}

std::shared_ptr<const MapTile> TileCache::tile(const TileKey& key) {
    const Entry* e = find(key);
    return e ? e->tile : nullptr;
}

std::shared_ptr<const MapOverview> TileCache::overview(const TileKey& key) {
    const Entry* e = find(key);
    return e ? e->overview : nullptr;
}

void TileCache::insert(Entry entry) {
    if (const auto it = index_.find(entry.key); it != index_.end()) {
        bytes_ -= it->second->bytes;
        entries_.erase(it->second);
        index_.erase(it);
    }
    bytes_ += entry.bytes;
    entries_.push_front(std::move(entry));
    index_[entries_.front().key] = entries_.begin();
    // Evict from the cold end, but always keep the entry just added.
    while (bytes_ > max_bytes_ && entries_.size() > 1) {
        bytes_ -= entries_.back().bytes;
        index_.erase(entries_.back().key);
        entries_.pop_back();
    }
}

void TileCache::put(const TileKey& key, std::shared_ptr<const MapTile> tile) {
    if (!tile) return;
    const std::size_t bytes =
        (tile->prob.size() + tile->logit.size()) * sizeof(float) + sizeof(MapTile);
    insert({key, std::move(tile), nullptr, bytes});
}

void TileCache::put(const TileKey& key, std::shared_ptr<const MapOverview> overview) {
    if (!overview) return;
    const std::size_t bytes = overview->mean_prob.size() * sizeof(float) + sizeof(MapOverview);
    insert({key, nullptr, std::move(overview), bytes});
}

void TileCache::clear() {
    entries_.clear();
    index_.clear();
    bytes_ = 0;
}

}  // namespace rs::ui
