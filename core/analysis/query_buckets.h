// Query-position buckets: the ranges of query positions every per-head statistic is also split by
// ("all", "inside"/"beyond" the training length, and log-spaced ranges), and the statistics of one
// head over one bucket (definitions in head_stats.h).
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace rs {

struct QueryBucket {
    std::string name;  // "all", "inside", "beyond", "q64_128"
    int lo = 0, hi = 0;  // query positions t in [lo, hi); empty when lo == hi
};

// One head's statistics over the queries of one bucket; NaN where no query of the bucket counts.
struct BucketStats {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> long_range_mass;     // [thresholds] M(D)
    double mean_distance = kNaN;
    double entropy = kNaN;                   // nats
    std::vector<double> sink_mass;           // [sink_counts]
    std::vector<double> long_range_mass_ex;  // [thresholds] sink-excluded M(D)
    double mean_distance_ex = kNaN;          // sink-excluded mean distance
    std::vector<double> bin_mass;            // [bins]
    std::vector<double> bin_mass_ex;         // [bins] sink-excluded, renormalised
};

// Log-spaced upper edges 64, 128, 256, ... below `tokens`: buckets [0,64), [64,128), ...
std::vector<int> default_query_bucket_edges(int tokens);

// "all" = [0, T); when train_length > 0 "inside" = [0, min(L, T)) and "beyond" = [min(L, T), T)
// (empty when T <= L); then one bucket per range between 0, the `edges` below T, and T.
// Throws UsageError for non-positive or unsorted edges.
std::vector<QueryBucket> make_query_buckets(int tokens, int train_length,
                                            const std::vector<int>& edges);

}  // namespace rs
