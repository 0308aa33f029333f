// Noise sweeps summarised over seeds: sweeps of one design (same tokens, baseline, thresholds,
// buckets and (target, sigma) points) are replicates of one experiment with different seeds, and
// each quantity gets its mean and 95% t interval over them (seed_interval.h).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "noise_experiment.h"
#include "seed_interval.h"

namespace rs {

struct NoiseSummaryPoint {
    NoiseTarget target = NoiseTarget::Both;
    double sigma = 0.0;
    SeedInterval mean_nll, delta_nll;
    std::vector<SeedInterval> delta_nll_by_position;  // [position buckets]
    std::vector<SeedInterval> delta_nll_by_distance;  // [distance buckets + 1]
    std::vector<SeedInterval> mass_real, mass_imag;   // [thresholds]
};

struct NoiseSummary {
    std::vector<std::size_t> sweeps;  // indices into the summarised list
    std::vector<std::uint64_t> seeds;
    const NoiseSweep* first = nullptr;  // the design: tokens, thresholds, buckets, baseline
    std::vector<NoiseSummaryPoint> points;
};

// One summary per design, in order of first appearance. `sweeps` must outlive the result.
std::vector<NoiseSummary> summarize_noise(std::span<const NoiseSweep> sweeps);

}  // namespace rs
