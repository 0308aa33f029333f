// NLL by prediction position in a study: every text's mean next-token NLL in position buckets
// shared by the whole study, so texts (and checkpoints) aggregate bucket by bucket.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rs {

// Bucket edges of the predictions of texts up to `tokens` tokens long: prediction t (of token
// t + 1 from tokens 0..t) is in bucket b when edges[b] <= t < edges[b + 1]; the edges are 0, 16,
// 32, 64, ... doubling (as the noise experiment's position buckets) and end at tokens - 1.
// Empty when tokens < 2.
std::vector<std::int32_t> nll_position_edges(int tokens);

// The mean of `nll` ([T - 1], one per prediction) in each bucket; NaN where the text has no
// prediction in it.
std::vector<double> nll_by_position(std::span<const float> nll, std::span<const std::int32_t> edges);

// Throws Error naming the problem unless `edges` starts at 0, increases strictly and stays below
// 2^24 (what nll_position_edges writes).
void check_nll_position_edges(std::span<const std::int32_t> edges);

}  // namespace rs
