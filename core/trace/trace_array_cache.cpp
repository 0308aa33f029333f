// LRU bookkeeping of the trace array cache.
#include "trace_array_cache.h"

namespace rs {

TraceArrayCache::Array TraceArrayCache::get(Kind kind, int layer, int index, const Loader& load) {
    const Key key{int(kind), layer, index};
    if (auto it = index_.find(key); it != index_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
    }
    auto array = std::make_shared<const std::vector<float>>(load());
    const std::size_t size = array->size() * sizeof(float);
    if (size > budget_) return array;
    order_.emplace_front(key, array);
    index_[key] = order_.begin();
    bytes_ += size;
    evict();
    return array;
}

void TraceArrayCache::set_budget(std::size_t bytes) {
    budget_ = bytes;
    evict();
}

void TraceArrayCache::evict() {
    while (bytes_ > budget_ && !order_.empty()) {
        bytes_ -= order_.back().second->size() * sizeof(float);
        index_.erase(order_.back().first);
        order_.pop_back();
    }
}

}  // namespace rs
