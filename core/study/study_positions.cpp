// Prediction-position buckets of a study's NLL.
#include "study_positions.h"

#include <limits>
#include <string>

#include "error.h"

namespace rs {

std::vector<std::int32_t> nll_position_edges(int tokens) {
    if (tokens < 2) return {};
    const std::int32_t end = tokens - 1;
    std::vector<std::int32_t> e{0};
    for (long v = 16; v < end; v *= 2) e.push_back(std::int32_t(v));
    e.push_back(end);
    return e;
}

std::vector<double> nll_by_position(std::span<const float> nll, std::span<const std::int32_t> edges) {
    std::vector<double> out;
    for (std::size_t b = 0; b + 1 < edges.size(); ++b) {
        double sum = 0;
        long n = 0;
        for (long t = edges[b]; t < edges[b + 1] && t < long(nll.size()); ++t) sum += nll[std::size_t(t)], ++n;
        out.push_back(n ? sum / double(n) : std::numeric_limits<double>::quiet_NaN());
    }
    return out;
}

void check_nll_position_edges(std::span<const std::int32_t> edges) {
    if (edges.empty()) return;
    if (edges.size() < 2 || edges.front() != 0)
        throw Error("nll_position_edges must start at 0 and hold at least two edges");
    for (std::size_t i = 1; i < edges.size(); ++i)
        if (edges[i] <= edges[i - 1] || edges[i] >= (1 << 24))
            throw Error("nll_position_edges must increase strictly and stay below 2^24 (edge " +
                        std::to_string(i) + " is " + std::to_string(edges[i]) + ")");
}

}  // namespace rs
