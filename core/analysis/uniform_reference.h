// The uniform-attention reference of the bucketed statistics: the values a position-blind head
// that attends uniformly over its causal prefix, p(t,s) = 1/(t+1), gets in each query bucket —
// computed exactly, query by query, with the definitions of head_stats.h.
#pragma once

#include <utility>
#include <vector>

#include "query_buckets.h"

namespace rs {

struct RunStats;

// One BucketStats per bucket of `grid` (its tokens, thresholds, sink_counts, sink_exclude,
// bin_edges and buckets); with a sliding window W > 0, uniform over the W keys the query sees,
// p(t,s) = 1/min(t+1, W) for t - W < s <= t.
std::vector<BucketStats> uniform_reference(const RunStats& grid, int window = 0);

// uniform_reference(grid, W) for every window W > 0 of grid.layer_window, sorted by W.
std::vector<std::pair<int, std::vector<BucketStats>>> windowed_uniform_references(const RunStats& grid);

}  // namespace rs
