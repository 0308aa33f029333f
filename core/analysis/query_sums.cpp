// Merging and normalising query sums.
#include "query_sums.h"

namespace rs {

QuerySums::QuerySums(std::size_t thresholds, std::size_t sinks, std::size_t bins)
    : lrm(thresholds, 0.0),
      lrm_ex(thresholds, 0.0),
      sink(sinks, 0.0),
      lrm_n(thresholds, 0),
      lrm_ex_n(thresholds, 0),
      sink_n(sinks, 0),
      bin(bins, 0.0),
      bin_ex(bins, 0.0) {}

namespace {

template <class T>
void add_into(std::vector<T>& to, const std::vector<T>& from) {
    for (std::size_t i = 0; i < to.size(); ++i) to[i] += from[i];
}

double ratio(double sum, long n) { return n > 0 ? sum / double(n) : BucketStats::kNaN; }

std::vector<double> ratios(const std::vector<double>& sum, const std::vector<long>& n) {
    std::vector<double> out(sum.size());
    for (std::size_t i = 0; i < sum.size(); ++i) out[i] = ratio(sum[i], n[i]);
    return out;
}

std::vector<double> ratios(const std::vector<double>& sum, long n) {
    std::vector<double> out(sum.size());
    for (std::size_t i = 0; i < sum.size(); ++i) out[i] = ratio(sum[i], n);
    return out;
}

}  // namespace

void QuerySums::merge(const QuerySums& o) {
    rows += o.rows;
    rows_ex += o.rows_ex;
    entropy += o.entropy;
    distance += o.distance;
    distance_ex += o.distance_ex;
    add_into(lrm, o.lrm);
    add_into(lrm_ex, o.lrm_ex);
    add_into(sink, o.sink);
    add_into(lrm_n, o.lrm_n);
    add_into(lrm_ex_n, o.lrm_ex_n);
    add_into(sink_n, o.sink_n);
    add_into(bin, o.bin);
    add_into(bin_ex, o.bin_ex);
}

BucketStats QuerySums::means() const {
    BucketStats b;
    b.long_range_mass = ratios(lrm, lrm_n);
    b.mean_distance = ratio(distance, rows);
    b.entropy = ratio(entropy, rows);
    b.sink_mass = ratios(sink, sink_n);
    b.long_range_mass_ex = ratios(lrm_ex, lrm_ex_n);
    b.mean_distance_ex = ratio(distance_ex, rows_ex);
    b.bin_mass = ratios(bin, rows);
    b.bin_mass_ex = ratios(bin_ex, rows_ex);
    return b;
}

}  // namespace rs
