// RoPE characteristic curves: the logit a head with agreeing query and key (q̃_i conj(k̃_i) = w_i)
// produces as a function of distance Δ, as exact discrete sums over the spectrum and, where the
// spectrum is geometric, as the Ci/Si closed form (design doc §1, "Characteristic curves").
//
//   real:  C(Δ) = Σ_i w_i cos(θ_i Δ)  ≈ (d / (2 ln b)) · [Ci(Δ/k) − Ci(Δ/(k b))]
//   imag:  S(Δ) = Σ_i w_i sin(θ_i Δ)  ≈ (d / (2 ln b)) · [Si(Δ/k) − Si(Δ/(k b))]
//
// with θ_i = b^(−2i/d) / k, d the rotary dimension (head_dim · partial_rotary_factor), b the base
// and k the linear position-interpolation factor (1 without). The closed form integrates the sum
// over i as if it were continuous (a left Riemann sum of ∫_0^1 cos(Δ b^−u) du), so the gap to the
// exact sum is ≈ ½[cos(Δ/k) − cos(Δ/(kb))] at short range (an end correction that does not shrink
// with d in absolute terms, only relative to d/2) and grows at long range where the high
// frequencies alias. Dimensions past the rotary dimension carry no Δ dependence and are left out.
//
// Scaled spectra without a closed form (upstream YaRN's per-frequency blend, HF llama3) keep their
// exact sums; their closed form is NaN with a note saying why. Non-uniform weights likewise.
//
// Amplitude choice: upstream YaRN multiplies cos and sin by s = 0.1 ln(factor) + 1 for both q and
// k, so its logits scale by s². The curves leave s² out by default: it is independent of Δ (an
// attention temperature, not a change of shape); leaving it out lets curves for different scalings
// be compared on the spectrum alone; and per-head weights measured from post-RoPE queries and keys
// already contain it, so adding it here would count it twice. `logit_scale` reports s², and
// CurveOptions::apply_logit_scale multiplies every curve by it for unit pre-RoPE q and k.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "rope.h"

namespace rs {

// Geometric grid of `points` distances from 1 to max_distance (inclusive); throws UsageError
// unless points >= 2 and max_distance > 1.
std::vector<double> log_distances(double max_distance, int points);
// Evenly spaced grid of `points` distances from 0 to max_distance (inclusive); same checks (> 0).
std::vector<double> linear_distances(double max_distance, int points);

// Exact sums for any spectrum. inv_freq: [n_freq]; weights: [n_freq], or empty for all ones;
// distances, real, imag: [n_dist]. Throws UsageError on mismatched sizes or non-finite input.
void discrete_sums(std::span<const double> inv_freq, std::span<const double> weights,
                   std::span<const double> distances, std::span<double> real,
                   std::span<double> imag);

struct CurvePoint {
    double real = 0.0;
    double imag = 0.0;
};

// The Ci/Si closed form for unit weights on θ_i = base^(−2i/rotary_dim) / pi_factor at one
// distance; Δ = 0 gives its limit (d/2, 0), negative Δ follows C even and S odd.
CurvePoint closed_form(double base, int rotary_dim, double pi_factor, double distance);

// How far the closed form is from the exact sum over a grid (NaN when there is no closed form).
struct CurveGap {
    double max_abs = 0.0;      // max over the grid of |sum − closed|
    double relative = 0.0;     // max_abs / Σ|w_i| (the curves' scale: C(0) for w_i >= 0)
    double at_distance = 0.0;  // the distance where max_abs occurs
};

struct CurveOptions {
    std::vector<double> weights;     // [rotary_dim/2] per-frequency w_i; empty means all ones
    bool apply_logit_scale = false;  // multiply the curves by logit_scale (see header comment)
};

struct CharacteristicCurves {
    double base = 0.0;
    int rotary_dim = 0;
    std::vector<double> distance;     // [n]
    std::vector<double> real_sum;     // [n] Σ w_i cos(θ_i Δ)
    std::vector<double> imag_sum;     // [n] Σ w_i sin(θ_i Δ)
    std::vector<double> real_closed;  // [n] Ci form, NaN when !has_closed_form
    std::vector<double> imag_closed;  // [n] Si form, NaN when !has_closed_form
    bool has_closed_form = false;
    std::string closed_form_note;  // why there is no closed form (empty when there is one)
    double logit_scale = 1.0;      // s² for upstream YaRN, 1 otherwise
    bool logit_scale_applied = false;
    CurveGap real_gap, imag_gap;
};

// Curves for one spectrum (p.theta is the base). Throws UsageError for impossible parameters,
// weights of the wrong length, or non-finite distances or weights.
CharacteristicCurves characteristic_curves(const RopeParams& p, std::span<const double> distances,
                                           const CurveOptions& options = {});

// One set of curves per base: `prototype` gives head_dim, partial rotary factor and scaling; its
// theta is replaced by each base in turn.
std::vector<CharacteristicCurves> curve_family(const RopeParams& prototype,
                                               std::span<const double> bases,
                                               std::span<const double> distances,
                                               const CurveOptions& options = {});

}  // namespace rs
