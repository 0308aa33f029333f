// Grouping noise sweeps into replicate sets and their per-quantity seed intervals.
#include "noise_summary.h"

namespace rs {

namespace {

bool same_design(const NoiseSweep& a, const NoiseSweep& b) {
    if (a.tokens != b.tokens || a.baseline_nll != b.baseline_nll || a.thresholds != b.thresholds ||
        a.position_edges != b.position_edges || a.distance_edges != b.distance_edges ||
        a.points.size() != b.points.size())
        return false;
    for (std::size_t i = 0; i < a.points.size(); ++i)
        if (a.points[i].sigma != b.points[i].sigma || a.points[i].target != b.points[i].target)
            return false;
    return true;
}

// Interval over the group of element `k` of the vector `get(point)` of point `p` (NaN where a
// sweep lacks it).
template <class Get>
std::vector<SeedInterval> intervals(const std::vector<const NoiseSweep*>& group, std::size_t p, Get get) {
    const std::size_t n = get(group.front()->points[p]).size();
    std::vector<SeedInterval> out;
    for (std::size_t k = 0; k < n; ++k) {
        std::vector<double> v;
        for (const NoiseSweep* s : group) v.push_back(get(s->points[p])[k]);
        out.push_back(seed_interval_95(v));
    }
    return out;
}

NoiseSummary summarize(const std::vector<const NoiseSweep*>& group) {
    NoiseSummary out;
    out.first = group.front();
    for (const NoiseSweep* s : group) out.seeds.push_back(s->seed);
    for (std::size_t p = 0; p < out.first->points.size(); ++p) {
        NoiseSummaryPoint sp;
        sp.target = out.first->points[p].target;
        sp.sigma = out.first->points[p].sigma;
        std::vector<double> mean, delta;
        for (const NoiseSweep* s : group) {
            mean.push_back(s->points[p].mean_nll);
            delta.push_back(s->points[p].delta_nll);
        }
        sp.mean_nll = seed_interval_95(mean);
        sp.delta_nll = seed_interval_95(delta);
        sp.delta_nll_by_position = intervals(group, p, [](const NoisePoint& x) -> const auto& { return x.delta_nll_by_position; });
        sp.delta_nll_by_distance = intervals(group, p, [](const NoisePoint& x) -> const auto& { return x.delta_nll_by_distance; });
        sp.mass_real = intervals(group, p, [](const NoisePoint& x) -> const auto& { return x.long_range_mass_real; });
        sp.mass_imag = intervals(group, p, [](const NoisePoint& x) -> const auto& { return x.long_range_mass_imag; });
        out.points.push_back(std::move(sp));
    }
    return out;
}

}  // namespace

std::vector<NoiseSummary> summarize_noise(std::span<const NoiseSweep> sweeps) {
    std::vector<std::vector<const NoiseSweep*>> groups;
    std::vector<std::vector<std::size_t>> index;
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
        std::size_t g = 0;
        while (g < groups.size() && !same_design(*groups[g].front(), sweeps[i])) ++g;
        if (g == groups.size()) {
            groups.emplace_back();
            index.emplace_back();
        }
        groups[g].push_back(&sweeps[i]);
        index[g].push_back(i);
    }
    std::vector<NoiseSummary> out;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        out.push_back(summarize(groups[g]));
        out.back().sweeps = index[g];
    }
    return out;
}

}  // namespace rs
