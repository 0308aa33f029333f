// Perplexity by position: per-token NLL averaged over consecutive windows of a long text, so a
// researcher sees how loss behaves at each position, including beyond the training length.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model.h"

namespace rs {

struct PositionNllOptions {
    int context = 0;  // tokens per window; 0 = the whole sequence as one window
    ProgressFn progress;  // (windows done, windows total)
};

struct PositionNll {
    int context = 0;
    int windows = 0;
    std::vector<double> mean_nll;  // [context-1]: mean over windows of -log p(token t+1 | window[0..t])
    std::vector<int> count;        // [context-1]: windows that reached position t
    double mean = 0.0;             // over all predictions
    // Mean NLL over positions [begin, end) (weighted by count) and its perplexity exp(.).
    double range_mean(int begin, int end) const;
};

// Splits `ids` into non-overlapping windows of `context` tokens (a last partial window of >= 2
// tokens included) and averages NLL by position. Throws UsageError if fewer than 2 tokens.
PositionNll nll_by_position(Model& model, std::span<const std::int32_t> ids, const PositionNllOptions& options);

}  // namespace rs
