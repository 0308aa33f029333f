// The per-head statistics a study keeps, as named columns: the one mapping from RunStats (head
// statistics of one run) to the study file's "statistics" axis. New RunStats statistics are added
// here and nowhere else.
#pragma once

#include <string>
#include <vector>

#include "head_stats.h"

namespace rs {

// Column names for a study whose runs measure M(D) at `thresholds`: "M_16", ..., "mean_distance",
// "entropy".
std::vector<std::string> study_statistic_names(const std::vector<int>& thresholds);

// Every head's columns, [layers * heads * columns] layer-major, NaN for a head not observed (a
// NoPE layer's imaginary heads) or a threshold no query reached. Throws Error when the run's
// columns are not `names` (a run measured at other thresholds).
std::vector<double> study_statistic_values(const RunStats& stats,
                                           const std::vector<std::string>& names);

}  // namespace rs
