// RunStats -> named per-head study columns.
#include "study_statistics.h"

#include <cmath>
#include <limits>

#include "error.h"
#include "train_length.h"

namespace rs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const char* const kSplitBuckets[] = {"inside", "beyond"};

// The columns of one set of queries (the whole run, or one bucket), each name after `prefix`.
void bucket_names(std::vector<std::string>& out, const std::string& prefix, const std::vector<int>& thresholds,
                  const std::vector<int>& sinks, int exclude) {
    const std::string ex = "ex" + std::to_string(exclude);
    for (int d : thresholds) out.push_back(prefix + "M_" + std::to_string(d));
    out.push_back(prefix + "mean_distance");
    if (prefix.empty()) out.push_back("entropy");
    for (int k : sinks) out.push_back(prefix + "sink_" + std::to_string(k));
    for (int d : thresholds) out.push_back(prefix + "M_" + ex + "_" + std::to_string(d));
    out.push_back(prefix + "mean_distance_" + ex);
}

void bucket_values(std::vector<double>& out, const BucketStats* b, std::size_t thresholds, std::size_t sinks,
                   bool whole_run) {
    const auto at = [](const std::vector<double>& v, std::size_t i) { return i < v.size() ? v[i] : kNaN; };
    for (std::size_t i = 0; i < thresholds; ++i) out.push_back(b ? at(b->long_range_mass, i) : kNaN);
    out.push_back(b ? b->mean_distance : kNaN);
    if (whole_run) out.push_back(b ? b->entropy : kNaN);
    for (std::size_t i = 0; i < sinks; ++i) out.push_back(b ? at(b->sink_mass, i) : kNaN);
    for (std::size_t i = 0; i < thresholds; ++i) out.push_back(b ? at(b->long_range_mass_ex, i) : kNaN);
    out.push_back(b ? b->mean_distance_ex : kNaN);
}

std::vector<std::string> names_of(const std::vector<int>& thresholds, const std::vector<int>& sinks, int exclude) {
    std::vector<std::string> names;
    bucket_names(names, "", thresholds, sinks, exclude);
    for (const char* bucket : kSplitBuckets) bucket_names(names, std::string(bucket) + "_", thresholds, sinks, exclude);
    return names;
}

int bucket_index(const RunStats& st, const std::string& name) {
    for (std::size_t i = 0; i < st.buckets.size(); ++i)
        if (st.buckets[i].name == name) return int(i);
    return -1;
}

}  // namespace

HeadStatsOptions study_stats_options(const ModelConfig& config, const std::vector<int>& thresholds) {
    HeadStatsOptions o = stats_options_with(train_length_of(config, std::nullopt));
    o.thresholds = thresholds;
    return o;
}

std::vector<std::string> study_statistic_names(const HeadStatsOptions& o) {
    return names_of(o.thresholds, o.sink_counts, o.sink_exclude);
}

std::vector<double> study_statistic_values(const RunStats& st, const std::vector<std::string>& names) {
    if (!st.has_buckets() || names_of(st.thresholds, st.sink_counts, st.sink_exclude) != names)
        throw Error("study: a run measured other statistics than the study's columns");
    const int split[] = {bucket_index(st, kSplitBuckets[0]), bucket_index(st, kSplitBuckets[1])};
    const std::size_t D = st.thresholds.size(), K = st.sink_counts.size();
    std::vector<double> out;
    out.reserve(std::size_t(st.layers) * st.heads * names.size());
    for (int l = 0; l < st.layers; ++l)
        for (int h = 0; h < st.heads; ++h) {
            const bool seen = st.observed.at(std::size_t(l) * st.heads + h);
            const HeadStats& s = st.at(l, h);
            // Bucket 0 is "all": the whole run's sink and sink-excluded values (head_stats.h).
            BucketStats whole = s.buckets.at(0);
            whole.long_range_mass = s.long_range_mass;
            whole.mean_distance = s.mean_distance;
            whole.entropy = s.entropy;
            bucket_values(out, seen ? &whole : nullptr, D, K, true);
            for (int b : split)
                bucket_values(out, seen && b >= 0 ? &s.buckets.at(std::size_t(b)) : nullptr, D, K, false);
        }
    return out;
}

}  // namespace rs
