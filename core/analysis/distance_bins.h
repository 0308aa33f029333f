// Log-spaced bins of query-key distance: [0,1), [1,2), [2,4), [4,8) ... up to the sequence length,
// so short range is resolved token by token and long range stays a handful of bins.
#pragma once

#include <vector>

namespace rs {

// Edges e_0 = 0 < e_1 = 1 < e_2 = 2 < e_3 = 4 < ... with the last edge >= tokens; bin b holds
// distances in [e_b, e_{b+1}).
std::vector<int> log_distance_edges(int tokens);

// Bin of a distance (0 <= distance < edges.back()).
int distance_bin(const std::vector<int>& edges, int distance);

}  // namespace rs
