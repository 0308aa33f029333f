// Theory curves for a traced run.
#include "trace_curves.h"

#include <algorithm>

namespace rs {

TraceCurves make_trace_curves(const RopeParams& params, const RunInfo& run, const RunStats& stats) {
    TraceCurves c;
    const auto distances = log_distances(std::max(stats.tokens - 1, 2), kTraceCurvePoints);
    c.uniform = characteristic_curves(params, distances);
    c.layers = stats.layers;
    c.heads = stats.heads;
    c.expected_logit.resize(std::size_t(stats.layers) * stats.heads * distances.size());
    std::size_t at = 0;
    for (int l = 0; l < stats.layers; ++l)
        for (int h = 0; h < stats.heads; ++h)
            for (double dist : distances)
                c.expected_logit[at++] = stats.expected_logit(l, h, run.rope_of(l).inv_freq, dist);
    return c;
}

}  // namespace rs
