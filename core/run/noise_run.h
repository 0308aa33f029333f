// The noise sweep of a run, with its memory check: every caller (`ropescope-cli noise`, the noise
// view of `ropescope-cli render`, the GUI's noise experiment, a trace with --noise) runs it here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "checkpoint.h"
#include "model.h"
#include "noise_experiment.h"
#include "run_budget.h"

namespace rs {

// Runs the sweep on the open `model` after checking that its runs fit in memory (ResourceError,
// before any run, when they do not).
NoiseSweep run_noise_sweep(Model& model, std::span<const std::int32_t> ids,
                           const NoiseOptions& options);

// Opens the model for the sweep as memory allows (noise_plan: resident layers when they fit; the
// budget, with its notes, goes to `on_budget` first) and runs it. Throws ResourceError before the
// model loads when the sweep cannot fit.
NoiseSweep run_noise_sweep(const std::shared_ptr<const Checkpoint>& checkpoint,
                           std::span<const std::int32_t> ids, const NoiseOptions& options,
                           const std::function<void(const RunBudget&)>& on_budget = {});

// Several seeds sharing one baseline run (run_noise_experiments), with the same memory check.
std::vector<NoiseSweep> run_noise_sweeps(Model& model, std::span<const std::int32_t> ids,
                                         const NoiseOptions& options,
                                         std::span<const std::uint64_t> seeds);
std::vector<NoiseSweep> run_noise_sweeps(const std::shared_ptr<const Checkpoint>& checkpoint,
                                         std::span<const std::int32_t> ids,
                                         const NoiseOptions& options,
                                         std::span<const std::uint64_t> seeds,
                                         const std::function<void(const RunBudget&)>& on_budget = {});

}  // namespace rs
