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
};

struct NoiseSweep {
    std::uint64_t seed = 0;
    int tokens = 0;
    std::vector<int> thresholds;
    double baseline_nll = 0.0;
    std::vector<double> baseline_mass_real;  // [thresholds]
    std::vector<double> baseline_mass_imag;  // [thresholds]
    std::vector<NoisePoint> points;          // one per (target, sigma)
};

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

}  // namespace rs
