// Least-recently-used cache of decoded per-head trace arrays (a head's queries or keys [T, d] as
// float, or its lse [T]), bounded in bytes: panning around one head's map then costs only the
// tile's arithmetic, not a re-read and re-decode of its queries and keys.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

namespace rs {

class TraceArrayCache {
  public:
    enum class Kind { Query, Key, Lse };
    using Array = std::shared_ptr<const std::vector<float>>;
    using Loader = std::function<std::vector<float>()>;

    explicit TraceArrayCache(std::size_t budget_bytes) : budget_(budget_bytes) {}

    // The cached array, or load() it, keep it, and evict the least recently used beyond the
    // budget (an array larger than the budget is returned but not kept).
    Array get(Kind kind, int layer, int index, const Loader& load);
    void set_budget(std::size_t bytes);
    std::size_t bytes() const { return bytes_; }

  private:
    using Key = std::tuple<int, int, int>;
    void evict();

    std::size_t budget_;
    std::size_t bytes_ = 0;
    std::list<std::pair<Key, Array>> order_;  // most recent first
    std::map<Key, std::list<std::pair<Key, Array>>::iterator> index_;
};

}  // namespace rs
