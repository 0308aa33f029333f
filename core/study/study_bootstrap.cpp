// The bootstrap generator and the aggregate of one series.
#include "study_bootstrap.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rs {

std::uint64_t SplitMix64::next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::vector<std::uint32_t> bootstrap_indices(std::uint64_t seed, int n, int resamples) {
    SplitMix64 g(seed);
    std::vector<std::uint32_t> out(std::size_t(resamples) * std::size_t(n));
    for (auto& i : out) {
        const double u = double(g.next() >> 11) * 0x1p-53;
        i = std::uint32_t(u * double(n));
    }
    return out;
}

double linear_quantile(std::span<const double> sorted, double q) {
    const double h = double(sorted.size() - 1) * q;
    const std::size_t lo = std::size_t(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

const std::vector<std::uint32_t>& Bootstrap::indices(int n) {
    auto it = cache_.find(n);
    if (it == cache_.end()) it = cache_.emplace(n, bootstrap_indices(seed_, n, resamples_)).first;
    return it->second;
}

Aggregate Bootstrap::operator()(std::span<const double> values) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> x;
    for (double v : values)
        if (!std::isnan(v)) x.push_back(v);
    Aggregate a;
    a.n = int(x.size());
    a.mean = a.sd = a.low = a.high = nan;
    if (x.empty()) return a;
    double sum = 0;
    for (double v : x) sum += v;
    a.mean = sum / double(x.size());
    if (x.size() < 2 || resamples_ < 1) return a;
    double ss = 0;
    for (double v : x) ss += (v - a.mean) * (v - a.mean);
    a.sd = std::sqrt(ss / double(x.size() - 1));
    const auto& idx = indices(a.n);
    std::vector<double> means(static_cast<std::size_t>(resamples_));
    for (std::size_t b = 0; b < means.size(); ++b) {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) s += x[idx[b * x.size() + i]];
        means[b] = s / double(x.size());
    }
    std::sort(means.begin(), means.end());
    a.low = linear_quantile(means, 0.025);
    a.high = linear_quantile(means, 0.975);
    return a;
}

}  // namespace rs
