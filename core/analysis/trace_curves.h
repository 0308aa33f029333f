// Theory curves stored with a trace: the uniform-weight characteristic curves (exact sums and
// Ci/Si closed form) of the model's own spectrum, and each head's expected logit by distance from
// its measured frequency weights (RunStats::expected_logit), on one log-distance grid.
#pragma once

#include <vector>

#include "head_stats.h"
#include "rope.h"
#include "theory_curves.h"

namespace rs {

struct TraceCurves {
    CharacteristicCurves uniform;  // distance grid in uniform.distance [n]
    int layers = 0;
    int heads = 0;
    std::vector<double> expected_logit;  // [layers, heads, n]

    double expected(int layer, int head, std::size_t i) const {
        return expected_logit[(std::size_t(layer) * heads + head) * uniform.distance.size() + i];
    }
};

// Points of the distance grid: log-spaced from 1 to max(T - 1, 2).
constexpr int kTraceCurvePoints = 256;

// Each layer's expected logit uses the spectrum it ran with (RunInfo::rope_of: Gemma 3's
// local-RoPE layers their own); the uniform curves are those of `params`, the global RoPE.
TraceCurves make_trace_curves(const RopeParams& params, const RunInfo& run, const RunStats& stats);

}  // namespace rs
