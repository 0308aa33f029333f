// Running sums of per-query statistics over a set of query positions, merged over the pieces of a
// bucket and turned into the bucket's means (BucketStats) at the end. Shared by the streaming
// probe and the exact uniform-attention reference, so both average the same way.
#pragma once

#include <cstddef>
#include <vector>

#include "query_buckets.h"

namespace rs {

struct QuerySums {
    long rows = 0;     // queries seen: mean_distance, entropy, bin_mass
    long rows_ex = 0;  // queries with a non-sink key (t >= sink_exclude)
    double entropy = 0, distance = 0, distance_ex = 0;
    std::vector<double> lrm, lrm_ex, sink;  // [thresholds], [thresholds], [sink_counts]
    std::vector<long> lrm_n, lrm_ex_n, sink_n;  // how many queries each sum holds
    std::vector<double> bin, bin_ex;            // [bins]

    QuerySums() = default;
    QuerySums(std::size_t thresholds, std::size_t sinks, std::size_t bins);
    void merge(const QuerySums& other);
    BucketStats means() const;  // NaN where a count is 0
};

}  // namespace rs
