// The training length L that splits query positions into "inside" [0, L) and "beyond" [L, T):
// the user's --train-length, else the checkpoint's max_position_embeddings; where it came from is
// kept, so outputs can say it (no silent default).
#pragma once

#include <optional>
#include <string>

#include "head_stats.h"
#include "model_config.h"

namespace rs {

struct TrainLength {
    int value = 0;       // 0: not known (no inside/beyond buckets)
    std::string source;  // "--train-length", "max_position_embeddings", or why it is not known
};

// Throws UsageError for a requested length <= 0.
TrainLength train_length_of(const ModelConfig& config, std::optional<int> requested);

// Default HeadStatsOptions with the training length filled in.
HeadStatsOptions stats_options_with(const TrainLength& length);

// "L = 4096 (max_position_embeddings)" or "L not known (...)", for outputs.
std::string describe_train_length(int value, const std::string& source);

}  // namespace rs
