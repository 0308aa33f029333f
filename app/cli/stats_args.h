// The statistics options `stats` and `trace` share: the D grid, sink counts, the sink exclusion,
// the training length and the query buckets, checked before the checkpoint opens.
#pragma once

#include <optional>
#include <vector>

#include "app/cli/command.h"
#include "head_stats.h"
#include "model_config.h"

namespace rs::cli {

struct StatsArgs {
    HeadStatsOptions options;         // train_length unset until resolve()
    std::optional<int> train_length;  // --train-length
};

const std::vector<Option>& stats_options();  // --thresholds ... --query-buckets
StatsArgs parse_stats_args(const Args& args);
// The options with the training length from --train-length or the config.
HeadStatsOptions resolve(const StatsArgs& a, const ModelConfig& config);

}  // namespace rs::cli
