// The paper's noise experiment: Gaussian noise of one standard deviation added to the real or the
// imaginary rotated queries (or both), sweeping sigma; reports the change in loss and in the
// long-range attention mass of real vs imaginary heads. Seeded and reproducible.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model.h"

namespace rs {

enum class NoiseTarget { Real, Imag, Both };
std::string noise_target_name(NoiseTarget t);  // "real", "imag", "both"

struct NoisePoint {
    double sigma = 0.0;
    NoiseTarget target = NoiseTarget::Both;
    double mean_nll = 0.0;
    double delta_nll = 0.0;  // mean_nll - baseline (sigma 0)
    // Mean over layers and over real (resp. imaginary) heads of M(D): [thresholds].
    std::vector<double> long_range_mass_real;
    std::vector<double> long_range_mass_imag;
    // Mean over the bucket's predictions of (NLL with noise - NLL without): [position buckets] and
    // [distance buckets + 1] (NoiseSweep); NaN for a bucket with no prediction. Empty in sweeps
    // stored before buckets existed.
    std::vector<double> delta_nll_by_position;
    std::vector<double> delta_nll_by_distance;
};

// The buckets of a sweep's per-token NLL (docs/trace-format.md, "Noise sweeps"). Prediction t
// (token t+1 from tokens 0..t) falls in position bucket b when position_edges[b] <= t <
// position_edges[b+1]; its distance is how far back token t+1 last occurred (t+1 - its previous
// position), in distance bucket b when distance_edges[b] <= distance < distance_edges[b+1], and in
// the extra last bucket when the token did not occur before.
struct NoiseBuckets {
    std::vector<int> position_edges;      // [nP + 1]: 0, 16, 32, 64, ... doubling, then T - 1
    std::vector<long> position_tokens;    // [nP] predictions per bucket
    std::vector<int> distance_edges;      // [nR + 1]: 1, 2, 4, ... doubling, then >= T
    std::vector<long> distance_tokens;    // [nR + 1] (last: first occurrences)
    std::vector<int> position_of;         // [T - 1] bucket of each prediction
    std::vector<int> distance_of;         // [T - 1]
};
NoiseBuckets noise_buckets(std::span<const std::int32_t> ids);

// Per-bucket mean of `values` ([T - 1]); NaN for an empty bucket.
std::vector<double> bucket_means(std::span<const double> values, std::span<const int> bucket_of,
                                 std::size_t buckets);

struct NoiseSweep {
    std::uint64_t seed = 0;
    int tokens = 0;
    std::vector<int> thresholds;
    double baseline_nll = 0.0;
    std::vector<double> baseline_mass_real;  // [thresholds]
    std::vector<double> baseline_mass_imag;  // [thresholds]
    std::vector<NoisePoint> points;          // one per (target, sigma)
    // The buckets of delta_nll_by_position / _by_distance and the baseline NLL in each (empty in
    // sweeps stored before buckets existed).
    std::vector<int> position_edges;
    std::vector<long> position_tokens;
    std::vector<double> baseline_nll_by_position;
    std::vector<int> distance_edges;
    std::vector<long> distance_tokens;
    std::vector<double> baseline_nll_by_distance;
};

// The paper's sigma grid, 0.2, 0.4, ..., 1.4 and 1.5 (`--sigmas paper`; docs/trace-format.md says
// where it comes from).
std::vector<double> paper_sigmas();

struct NoiseOptions {
    std::vector<double> sigmas{0.5, 1.0, 2.0};
    std::vector<NoiseTarget> targets{NoiseTarget::Real, NoiseTarget::Imag};
    std::uint64_t seed = 0;
    std::vector<int> thresholds;  // empty: default_mass_thresholds
    ProgressFn progress;          // (runs done, runs total)
};

// Runs the baseline and every (target, sigma) pair on `ids`. On vanilla RoPE the imaginary
// queries are the virtual heads: noise on them changes only the analysis, not the loss.
NoiseSweep run_noise_experiment(Model& model, std::span<const std::int32_t> ids, const NoiseOptions& options);

// One sweep per seed (options.seed ignored), the baseline run once and shared: sweep i equals
// run_noise_experiment with seed seeds[i]. Progress counts every run of every seed.
std::vector<NoiseSweep> run_noise_experiments(Model& model, std::span<const std::int32_t> ids,
                                              const NoiseOptions& options,
                                              std::span<const std::uint64_t> seeds);

}  // namespace rs
