// Characteristic curves: exact sums over the RoPE spectrum, the Ci/Si closed form, and their gap.
#include "theory_curves.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.h"
#include "sici.h"

namespace rs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Below this the closed form's first series terms are exact to rounding (next terms ~x⁴, x³/18).
constexpr double kTinyDistance = 1e-8;

void check_grid(double max_distance, int points, double min_max) {
    if (points < 2) throw UsageError("a distance grid needs at least 2 points");
    if (!std::isfinite(max_distance) || !(max_distance > min_max))
        throw UsageError("the maximum distance must be a finite number > " +
                         std::to_string(int(min_max)));
}

void check_finite(std::span<const double> v, const char* what) {
    for (double x : v)
        if (!std::isfinite(x)) throw UsageError(std::string(what) + " must be finite numbers");
}

// The reason a spectrum has no closed form, or empty when the geometric (PI-scaled) one applies.
std::string closed_form_obstacle(const RopeParams& p, std::span<const double> weights) {
    if (p.yarn_factor > 0.0)
        return "upstream YaRN blends interpolated and original frequencies per dimension; "
               "no Ci/Si closed form";
    if (p.llama3) return "llama3 scaling rescales frequencies by wavelength; no Ci/Si closed form";
    if (!weights.empty() &&
        std::any_of(weights.begin(), weights.end(), [&](double w) { return w != weights[0]; }))
        return "the closed form needs uniform weights";
    return {};
}

CurveGap measure_gap(std::span<const double> distance, std::span<const double> sum,
                     std::span<const double> closed, double scale) {
    CurveGap g;
    for (std::size_t j = 0; j < distance.size(); ++j) {
        const double e = std::abs(sum[j] - closed[j]);
        if (e > g.max_abs) {
            g.max_abs = e;
            g.at_distance = distance[j];
        }
    }
    g.relative = scale > 0.0 ? g.max_abs / scale : kNaN;
    return g;
}

CurveGap no_gap() {
    return {kNaN, kNaN, kNaN};
}

}  // namespace

std::vector<double> log_distances(double max_distance, int points) {
    check_grid(max_distance, points, 1.0);
    std::vector<double> d(points);
    const double log_max = std::log(max_distance);
    for (int j = 0; j < points; ++j) d[j] = std::exp(log_max * j / (points - 1));
    d.front() = 1.0;
    d.back() = max_distance;  // exp(log(max)) need not round-trip
    return d;
}

std::vector<double> linear_distances(double max_distance, int points) {
    check_grid(max_distance, points, 0.0);
    std::vector<double> d(points);
    for (int j = 0; j < points; ++j) d[j] = max_distance * j / (points - 1);
    return d;
}

void discrete_sums(std::span<const double> inv_freq, std::span<const double> weights,
                   std::span<const double> distances, std::span<double> real,
                   std::span<double> imag) {
    if (!weights.empty() && weights.size() != inv_freq.size())
        throw UsageError("expected " + std::to_string(inv_freq.size()) +
                         " per-frequency weights, got " + std::to_string(weights.size()));
    if (real.size() != distances.size() || imag.size() != distances.size())
        throw UsageError("curve outputs must have one entry per distance");
    check_finite(distances, "distances");
    check_finite(weights, "weights");
    const long n = long(distances.size());
#pragma omp parallel for schedule(static) if (n * long(inv_freq.size()) > 100000)
    for (long j = 0; j < n; ++j) {
        double c = 0.0, s = 0.0;
        for (std::size_t i = 0; i < inv_freq.size(); ++i) {
            const double w = weights.empty() ? 1.0 : weights[i];
            const double phase = inv_freq[i] * distances[j];
            c += w * std::cos(phase);
            s += w * std::sin(phase);
        }
        real[j] = c;
        imag[j] = s;
    }
}

CurvePoint closed_form(double base, int rotary_dim, double pi_factor, double distance) {
    if (!(base > 1.0) || !std::isfinite(base)) throw UsageError("the RoPE base must be > 1");
    if (rotary_dim < 2 || rotary_dim % 2) throw UsageError("the rotary dimension must be even");
    if (!(pi_factor > 0.0) || !std::isfinite(pi_factor))
        throw UsageError("the position interpolation factor must be > 0");
    if (!std::isfinite(distance)) throw UsageError("distances must be finite numbers");
    const double amplitude = rotary_dim / (2.0 * std::log(base));
    const double x = std::abs(distance) / pi_factor;
    CurvePoint v;
    if (x < kTinyDistance) {
        // Leading series terms: Ci(x) − Ci(x/b) = ln b − (x²/4)(1 − 1/b²) + O(x⁴), Si(x) − Si(x/b)
        // = x(1 − 1/b) + O(x³); also keeps x/b from underflowing to 0, where Ci is undefined.
        v = {amplitude * (std::log(base) - x * x / 4 * (1 - 1 / (base * base))),
             amplitude * x * (1 - 1 / base)};
        if (x == 0.0) v.real = rotary_dim / 2.0;  // exact, not rounded through ln b
    } else {
        const SiCi hi = sine_cosine_integrals(x);
        const SiCi lo = sine_cosine_integrals(x / base);
        v = {amplitude * (hi.ci - lo.ci), amplitude * (hi.si - lo.si)};
    }
    if (distance < 0) v.imag = -v.imag;
    return v;
}

namespace {

// Σ|w_i| over the spectrum: C(0) for non-negative weights, the scale the gap is relative to.
double weight_mass(std::span<const double> weights, int half) {
    if (weights.empty()) return half;
    double m = 0.0;
    for (double w : weights) m += std::abs(w);
    return m;
}

// The closed form times the common weight, or NaN throughout when there is none.
void fill_closed_form(CharacteristicCurves& c, const RopeParams& p, double weight) {
    const std::size_t n = c.distance.size();
    c.real_closed.assign(n, kNaN);
    c.imag_closed.assign(n, kNaN);
    if (!c.has_closed_form) return;
    for (std::size_t j = 0; j < n; ++j) {
        const CurvePoint v = closed_form(p.theta, c.rotary_dim, p.linear_factor, c.distance[j]);
        c.real_closed[j] = weight * v.real;
        c.imag_closed[j] = weight * v.imag;
    }
}

}  // namespace

CharacteristicCurves characteristic_curves(const RopeParams& p, std::span<const double> distances,
                                           const CurveOptions& options) {
    const RopeSpectrum spec = make_rope_spectrum(p);
    CharacteristicCurves c;
    c.base = p.theta;
    c.rotary_dim = spec.rotary_dim;
    c.distance.assign(distances.begin(), distances.end());
    c.real_sum.resize(distances.size());
    c.imag_sum.resize(distances.size());
    discrete_sums(spec.inv_freq, options.weights, distances, c.real_sum, c.imag_sum);
    c.logit_scale = double(spec.cos_sin_scale) * double(spec.cos_sin_scale);
    c.logit_scale_applied = options.apply_logit_scale;
    c.closed_form_note = closed_form_obstacle(p, options.weights);
    c.has_closed_form = c.closed_form_note.empty();
    fill_closed_form(c, p, options.weights.empty() ? 1.0 : options.weights[0]);

    const double amplitude = options.apply_logit_scale ? c.logit_scale : 1.0;
    for (auto* curve : {&c.real_sum, &c.imag_sum, &c.real_closed, &c.imag_closed})
        for (double& v : *curve) v *= amplitude;
    const double scale = amplitude * weight_mass(options.weights, spec.half());
    c.real_gap =
        c.has_closed_form ? measure_gap(distances, c.real_sum, c.real_closed, scale) : no_gap();
    c.imag_gap =
        c.has_closed_form ? measure_gap(distances, c.imag_sum, c.imag_closed, scale) : no_gap();
    return c;
}

std::vector<CharacteristicCurves> curve_family(const RopeParams& prototype,
                                               std::span<const double> bases,
                                               std::span<const double> distances,
                                               const CurveOptions& options) {
    if (bases.empty()) throw UsageError("give at least one RoPE base");
    std::vector<CharacteristicCurves> family;
    family.reserve(bases.size());
    for (double b : bases) {
        RopeParams p = prototype;
        p.theta = b;
        family.push_back(characteristic_curves(p, distances, options));
    }
    return family;
}

}  // namespace rs
