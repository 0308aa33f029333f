// Decay-curve data: integer distance grids, the normalised theory family and per-head curves.
#include "decay_curves.h"

#include <algorithm>
#include <cmath>

namespace rs {

namespace {

constexpr int kDenseLimit = 3000;    // every integer distance up to this many points
constexpr int kSparsePoints = 1500;  // points of a longer grid

void normalise(CharacteristicCurves& c) {
    const double norm = c.rotary_dim / 2.0;
    for (auto* curve : {&c.real_sum, &c.imag_sum, &c.real_closed, &c.imag_closed})
        for (double& v : *curve) v = v / norm;
    c.real_gap.max_abs /= norm;
    c.imag_gap.max_abs /= norm;
}

// logit_scale · Σ|c_i| of a head, or 0 when it has no usable weights.
double weight_scale(const RunStats& stats, const HeadStats& s) {
    double total = 0.0;
    for (std::size_t k = 0; k < s.freq_re.size(); ++k)
        total += std::hypot(s.freq_re[k], s.freq_im[k]);
    const double scale = double(stats.logit_scale) * total;
    return scale > 0 && std::isfinite(scale) ? scale : 0.0;
}

}  // namespace

DecayScaling decay_scaling_of(const RopeParams& p) {
    if (p.yarn_factor > 0) return DecayScaling::Yarn;
    return p.linear_factor != 1 ? DecayScaling::Linear : DecayScaling::None;
}

double decay_factor_of(const RopeParams& p) {
    return p.yarn_factor > 0 ? p.yarn_factor : p.linear_factor;
}

std::vector<double> decay_distances(double max_distance, bool log_axis) {
    const double top = std::floor(std::max(2.0, max_distance));
    std::vector<double> out;
    const double first = log_axis ? 1.0 : 0.0;
    if (top - first + 1 <= kDenseLimit) {
        for (double d = first; d <= top; d += 1.0) out.push_back(d);
        return out;
    }
    for (int i = 0; i < kSparsePoints; ++i) {
        const double u = double(i) / (kSparsePoints - 1);
        const double d = log_axis ? std::round(std::pow(top, u)) : std::round(top * u);
        if (out.empty() || d > out.back()) out.push_back(d);
    }
    return out;
}

RopeParams decay_rope_params(const DecaySettings& s, double base) {
    RopeParams p;
    p.theta = base;
    p.head_dim = s.head_dim;
    p.partial_rotary_factor = s.partial_rotary;
    if (s.scaling == DecayScaling::Linear) p.linear_factor = s.factor;
    if (s.scaling == DecayScaling::Yarn) p.yarn_factor = s.factor;
    return p;
}

std::vector<CharacteristicCurves> decay_theory(const DecaySettings& s) {
    if (s.bases.empty()) return {};
    const std::vector<double> distances = decay_distances(s.max_distance, s.log_distance);
    auto family = curve_family(decay_rope_params(s, s.bases.front()), s.bases, distances);
    if (s.local_base > 0) {  // Gemma 3's local layers: their own base, never scaled
        RopeParams local;
        local.theta = s.local_base;
        local.head_dim = s.head_dim;
        local.partial_rotary_factor = s.partial_rotary;
        const double base[] = {s.local_base};
        family.push_back(std::move(curve_family(local, base, distances).front()));
    }
    for (auto& c : family) normalise(c);
    return family;
}

double bin_centre(const std::vector<int>& edges, std::size_t b, int tokens) {
    if (b + 1 >= edges.size()) return std::nan("");
    double weighted = 0.0, pairs = 0.0;
    for (int d = edges[b]; d < edges[b + 1] && d < tokens; ++d) {
        weighted += double(d) * (tokens - d);
        pairs += tokens - d;
    }
    return pairs > 0 ? weighted / pairs : std::nan("");
}

HeadDecay head_decay(const RunStats& stats, const std::vector<double>& inv_freq, int layer,
                     int head, std::span<const double> distances) {
    HeadDecay c;
    c.layer = layer;
    c.head = head;
    if (layer < 0 || layer >= stats.layers || head < 0 || head >= stats.heads) return c;
    const std::size_t i = std::size_t(layer) * stats.heads + head;
    if (i < stats.observed.size() && !stats.observed[i]) return c;
    const HeadStats& s = stats.at(layer, head);
    if (s.freq_re.empty() || s.freq_re.size() != inv_freq.size()) return c;
    c.scale = weight_scale(stats, s);
    if (c.scale == 0.0) return c;
    for (std::size_t b = 0; b < s.bin_logit.size(); ++b) {
        if (b >= s.bin_pairs.size() || s.bin_pairs[b] <= 0 || !std::isfinite(s.bin_logit[b]))
            continue;
        c.measured.push_back({bin_centre(stats.bin_edges, b, stats.tokens),
                              (s.bin_logit[b] - s.passthrough) / c.scale});
    }
    for (double d : distances)
        c.expected.push_back(
            {d, (stats.expected_logit(layer, head, inv_freq, d) - s.passthrough) / c.scale});
    return c;
}

}  // namespace rs
