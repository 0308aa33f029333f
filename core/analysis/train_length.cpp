// Choosing and describing the training length of the query buckets.
#include "train_length.h"

#include "error.h"

namespace rs {

TrainLength train_length_of(const ModelConfig& config, std::optional<int> requested) {
    if (requested) {
        if (*requested <= 0)
            throw UsageError("--train-length must be a positive number of tokens, got " +
                             std::to_string(*requested));
        return {*requested, "--train-length"};
    }
    if (config.max_position_embeddings > 0)
        return {config.max_position_embeddings, "max_position_embeddings"};
    return {0, "config.json has no max_position_embeddings; pass --train-length"};
}

HeadStatsOptions stats_options_with(const TrainLength& length) {
    HeadStatsOptions o;
    o.train_length = length.value;
    o.train_length_source = length.source;
    return o;
}

std::string describe_train_length(int value, const std::string& source) {
    if (value <= 0) return "training length not known (" + source + ")";
    return "training length L = " + std::to_string(value) + " (" + source + ")";
}

}  // namespace rs
