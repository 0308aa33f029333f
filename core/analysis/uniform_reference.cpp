// Exact uniform-attention reference: each query's statistics have closed forms (counts of keys
// over t+1), summed over the bucket's queries in double.
#include "uniform_reference.h"

#include <algorithm>
#include <cmath>

#include "head_stats.h"
#include "query_sums.h"

namespace rs {

namespace {

// Keys at distance in [lo, hi) among distances 0 .. reach.
long keys_between(long lo, long hi, long reach) {
    return std::max(0L, std::min(hi - 1, reach) - lo + 1);
}

void add_uniform_query(QuerySums& q, const RunStats& g, long t) {
    const long K = g.sink_exclude;
    const double n = double(t + 1);  // keys 0 .. t
    q.rows += 1;
    q.entropy += std::log(n);
    q.distance += double(t) / 2;
    for (std::size_t i = 0; i < g.thresholds.size(); ++i)
        if (t >= g.thresholds[i]) {
            q.lrm[i] += double(t - g.thresholds[i] + 1) / n;
            q.lrm_n[i] += 1;
        }
    for (std::size_t i = 0; i < g.sink_counts.size(); ++i)
        if (t >= g.sink_counts[i]) {
            q.sink[i] += double(g.sink_counts[i]) / n;
            q.sink_n[i] += 1;
        }
    const auto& e = g.bin_edges;
    for (std::size_t b = 0; b + 1 < e.size(); ++b) q.bin[b] += keys_between(e[b], e[b + 1], t) / n;
    if (t < K) return;
    const double nx = double(t - K + 1);  // non-sink keys K .. t, distances 0 .. t-K
    q.rows_ex += 1;
    q.distance_ex += double(t - K) / 2;
    for (std::size_t i = 0; i < g.thresholds.size(); ++i)
        if (t - g.thresholds[i] >= K) {
            q.lrm_ex[i] += double(t - g.thresholds[i] - K + 1) / nx;
            q.lrm_ex_n[i] += 1;
        }
    for (std::size_t b = 0; b + 1 < e.size(); ++b)
        q.bin_ex[b] += keys_between(e[b], e[b + 1], t - K) / nx;
}

}  // namespace

std::vector<BucketStats> uniform_reference(const RunStats& g) {
    std::vector<BucketStats> out;
    const std::size_t bins = g.bin_edges.empty() ? 0 : g.bin_edges.size() - 1;
    for (const auto& b : g.buckets) {
        QuerySums q(g.thresholds.size(), g.sink_counts.size(), bins);
        for (long t = b.lo; t < b.hi; ++t) add_uniform_query(q, g, t);
        out.push_back(q.means());
    }
    return out;
}

}  // namespace rs
