// Aggregates over texts: mean, sample s.d. and a 95% percentile-bootstrap interval, from a
// documented, seedable generator so the resamples can be reproduced elsewhere (docs/study-format.md
// gives the numpy equivalent).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace rs {

// SplitMix64 (Steele, Lea, Flood 2014): state += 0x9E3779B97F4A7C15, then two xor-shift-multiply
// rounds of the state.
class SplitMix64 {
  public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next();

  private:
    std::uint64_t state_;
};

// The resample matrix of a series of n values: [resamples * n] row-major indices in [0, n), drawn
// from SplitMix64(seed) in that order, each floor(((x >> 11) * 2^-53) * n).
std::vector<std::uint32_t> bootstrap_indices(std::uint64_t seed, int n, int resamples);

struct Aggregate {
    int n = 0;         // finite values
    double mean = 0;   // sum in order / n; NaN when n = 0
    double sd = 0;     // sample s.d. (n - 1); NaN when n < 2
    double low = 0;    // 2.5% and 97.5% quantiles (linear interpolation, numpy's default) of the
    double high = 0;   // resample means; NaN when n < 2
};

// Aggregates of many series sharing one generator seed and resample count; every series of n
// finite values uses the same resample matrix (common random numbers), cached per n.
class Bootstrap {
  public:
    Bootstrap(int resamples, std::uint64_t seed) : resamples_(resamples), seed_(seed) {}
    // NaN values are left out (n counts the rest, in their order).
    Aggregate operator()(std::span<const double> values);

  private:
    const std::vector<std::uint32_t>& indices(int n);
    int resamples_;
    std::uint64_t seed_;
    std::map<int, std::vector<std::uint32_t>> cache_;
};

// numpy.quantile(sorted, q) with the default "linear" method; `sorted` ascending, non-empty.
double linear_quantile(std::span<const double> sorted, double q);

}  // namespace rs
