// Exact uniform-attention reference: each query's statistics have closed forms (counts of keys
// over the keys the query sees), summed over the bucket's queries in double.
#include "uniform_reference.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "attention_window.h"

#include "head_stats.h"
#include "query_sums.h"

namespace rs {

namespace {

// Keys at distance in [lo, hi) among distances 0 .. reach.
long keys_between(long lo, long hi, long reach) {
    return std::max(0L, std::min(hi - 1, reach) - lo + 1);
}

// Query t sees keys lo .. t (lo > 0 only in a sliding window): n keys at distances 0 .. t - lo.
void add_uniform_query(QuerySums& q, const RunStats& g, long t, int window) {
    const long K = g.sink_exclude, lo = first_visible_key(int(t), window);
    const double n = double(t - lo + 1);
    q.rows += 1;
    q.entropy += std::log(n);
    q.distance += double(t - lo) / 2;
    for (std::size_t i = 0; i < g.thresholds.size(); ++i)
        if (t >= g.thresholds[i]) {
            q.lrm[i] += double(std::max(0L, t - lo - g.thresholds[i] + 1)) / n;
            q.lrm_n[i] += 1;
        }
    for (std::size_t i = 0; i < g.sink_counts.size(); ++i)
        if (t >= g.sink_counts[i]) {
            q.sink[i] += double(std::max(0L, g.sink_counts[i] - lo)) / n;
            q.sink_n[i] += 1;
        }
    const auto& e = g.bin_edges;
    for (std::size_t b = 0; b + 1 < e.size(); ++b) q.bin[b] += keys_between(e[b], e[b + 1], t - lo) / n;
    if (t < K) return;
    const long first = std::max(K, lo);     // first visible non-sink key
    const double nx = double(t - first + 1);  // non-sink keys first .. t, distances 0 .. t-first
    q.rows_ex += 1;
    q.distance_ex += double(t - first) / 2;
    for (std::size_t i = 0; i < g.thresholds.size(); ++i)
        if (t - g.thresholds[i] >= K) {
            q.lrm_ex[i] += double(std::max(0L, t - g.thresholds[i] - first + 1)) / nx;
            q.lrm_ex_n[i] += 1;
        }
    for (std::size_t b = 0; b + 1 < e.size(); ++b)
        q.bin_ex[b] += keys_between(e[b], e[b + 1], t - first) / nx;
}

}  // namespace

std::vector<BucketStats> uniform_reference(const RunStats& g, int window) {
    std::vector<BucketStats> out;
    const std::size_t bins = g.bin_edges.empty() ? 0 : g.bin_edges.size() - 1;
    for (const auto& b : g.buckets) {
        QuerySums q(g.thresholds.size(), g.sink_counts.size(), bins);
        for (long t = b.lo; t < b.hi; ++t) add_uniform_query(q, g, t, window);
        out.push_back(q.means());
    }
    return out;
}

std::vector<std::pair<int, std::vector<BucketStats>>> windowed_uniform_references(const RunStats& g) {
    std::set<int> windows(g.layer_window.begin(), g.layer_window.end());
    windows.erase(0);
    std::vector<std::pair<int, std::vector<BucketStats>>> out;
    for (int w : windows) out.emplace_back(w, uniform_reference(g, w));
    return out;
}

}  // namespace rs
