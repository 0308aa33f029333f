// The uniform-attention reference of the bucketed statistics: the values a position-blind head
// that attends uniformly over its causal prefix, p(t,s) = 1/(t+1), gets in each query bucket —
// computed exactly, query by query, with the definitions of head_stats.h.
#pragma once

#include <vector>

#include "query_buckets.h"

namespace rs {

struct RunStats;

// One BucketStats per bucket of `grid` (its tokens, thresholds, sink_counts, sink_exclude,
// bin_edges and buckets).
std::vector<BucketStats> uniform_reference(const RunStats& grid);

}  // namespace rs
