// The per-head statistics a study keeps, as named columns: the one mapping from RunStats (head
// statistics of one run) to the study file's "statistics" axis. New RunStats statistics are added
// here and nowhere else.
#pragma once

#include <string>
#include <vector>

#include "head_stats.h"
#include "model_config.h"

namespace rs {

// What every unit's HeadStatsProbe measures: M(D) at `thresholds`, the default sink counts and
// exclusion, and "inside"/"beyond" split at the checkpoint's max_position_embeddings.
HeadStatsOptions study_stats_options(const ModelConfig& config, const std::vector<int>& thresholds);

// Column names for runs measured with `options`: "M_16", ..., "mean_distance", "entropy", then
// "sink_1", "sink_4", "M_ex4_16", ..., "mean_distance_ex4", then the same M(D), mean distance,
// sink and sink-excluded columns over the queries inside and beyond the training length
// ("inside_M_16", ..., "beyond_mean_distance_ex4").
std::vector<std::string> study_statistic_names(const HeadStatsOptions& options);

// Every head's columns, [layers * heads * columns] layer-major, NaN for a head not observed (a
// NoPE layer's imaginary heads), a threshold no query reached, or a bucket with no query (no
// query beyond the training length, or none known). Throws Error when the run's columns are not
// `names` (a run measured at other thresholds or sink counts).
std::vector<double> study_statistic_values(const RunStats& stats,
                                           const std::vector<std::string>& names);

}  // namespace rs
