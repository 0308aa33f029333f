// Power-of-two distance bin edges.
#include "distance_bins.h"

#include <algorithm>

namespace rs {

std::vector<int> log_distance_edges(int tokens) {
    std::vector<int> edges{0, 1};
    while (edges.back() < tokens) edges.push_back(edges.back() * 2);
    if (edges.size() == 2 && tokens <= 1) return edges;
    return edges;
}

int distance_bin(const std::vector<int>& edges, int distance) {
    return int(std::upper_bound(edges.begin(), edges.end(), distance) - edges.begin()) - 1;
}

}  // namespace rs
