// What the noise-running commands (noise, trace --noise) share: the sigma grid (a list or the
// paper's preset), the seeds (a count or a list), and the tidy table of a trace's or a run's
// sweeps summarised over seeds with 95% intervals (export --what noise, noise --out).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "noise_experiment.h"

namespace rs::cli {

// "paper" (paper_sigmas()) or a comma-separated list of numbers >= 0, for --<option>.
std::vector<double> parse_sigmas(const std::string& text, const std::string& option);

// The sigma list of --sigma / --sigmas (alternatives; giving both is refused), or nullopt.
std::optional<std::vector<double>> sigma_option(const Args& args);

// --seeds N (N seeds from --seed on) or --seeds A,B,C (these seeds); without --seeds, --seed alone.
// Refuses --seed together with a --seeds list.
std::vector<std::uint64_t> parse_seeds(const Args& args);

// One row of the tidy noise table: (CSV text, JSON value) per column.
using NoiseCells = std::vector<std::pair<std::string, nlohmann::json>>;
std::vector<std::string> noise_table_header();
// Per experiment (sweeps of one design, over seeds), per (target, sigma), per quantity and bucket:
// n seeds, mean, s.d. and the 95% t interval.
std::vector<NoiseCells> noise_table_rows(std::span<const NoiseSweep> sweeps);

// The options of the grid and the seeds, for the command tables.
std::vector<Option> noise_grid_options(const std::string& prefix);

}  // namespace rs::cli
