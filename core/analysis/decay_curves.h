// What the decay-curves view plots, as plain numbers: the Ci/Si theory curves (exact sums and
// closed form) for a list of frequency bases, and measured curves of chosen heads from a run (mean
// logit by distance bin and the expected logit from the head's frequency weights).
//
// Normalisation (so theory and measurement share one axis): every curve is divided by the value it
// would have at Δ = 0 if all frequency pairs were aligned.
//   theory:  C(Δ) / (d/2) and S(Δ) / (d/2), d the rotary dimension (1 = all pairs in phase);
//   a head:  (logit − passthrough) / (logit_scale · Σ_i |c_i|), c_i its frequency weights.
// A head whose c_i are real, equal and positive then lies exactly on the real theory curve, and its
// imaginary twin on the imaginary one.
//
// Why not the curves a trace stores (trace_curves.h): those are the model's own spectrum only, on a
// 256-point log grid of fractional distances up to T − 1 and unnormalised, made once when the trace
// is written; the view draws any bases, head dim, rotary fraction and scaling the user sets, on an
// integer grid up to a maximum distance far beyond T. Neither the theory nor the heads' expected
// curves can be read from the stored grid without resampling, so they are computed here.
#pragma once

#include <span>
#include <vector>

#include "head_stats.h"
#include "number_list.h"
#include "rope.h"
#include "theory_curves.h"

namespace rs {

enum class DecayScaling { None, Linear, Yarn };

struct DecaySettings {
    std::vector<double> bases{10000.0, 500000.0, 1000000.0};
    int head_dim = 128;
    double partial_rotary = 1.0;
    DecayScaling scaling = DecayScaling::None;
    double factor = 1.0;      // PI factor, or upstream YaRN factor
    bool discrete = true;     // exact sums over the spectrum
    bool closed_form = true;  // Ci/Si closed form (where the spectrum has one)
    bool log_distance = true;
    double max_distance = 32768.0;
    // One more base drawn without the scaling above: Gemma 3's sliding-window layers rotate with
    // an unscaled local RoPE (rope_local_base_freq) while its full layers use the scaled one.
    // 0 = none.
    double local_base = 0.0;
};

// The bases a view compares: each > 1, at most 8 at once (one colour each).
inline constexpr NumberListBounds kDecayBaseBounds{1.0, true, 8};

// The scaling a model's RoPE uses, and its factor (1 without scaling), as the settings name them.
DecayScaling decay_scaling_of(const RopeParams& p);
double decay_factor_of(const RopeParams& p);

// Integer distances for the grid (positions are integers): every distance up to a few thousand
// points, then evenly (linear) or geometrically (log) spaced integers. Log grids start at 1.
std::vector<double> decay_distances(double max_distance, bool log_axis);

// The RopeParams of the theory curves for `base` (scaling applied as the settings say).
RopeParams decay_rope_params(const DecaySettings& s, double base);

// The theory curves of every base on the settings' grid, normalised: the sums, the closed form and
// the gaps' max_abs are divided by d/2 (the relative gaps are unchanged); then, when local_base >
// 0, one more entry for it without scaling. Empty without bases; throws rs::UsageError for
// impossible settings, e.g. an odd rotary dimension.
std::vector<CharacteristicCurves> decay_theory(const DecaySettings& s);

struct DecayPoint {
    double distance = 0.0;
    double value = 0.0;  // normalised logit
};

// Measured curves of one head, on the normalised scale described above.
struct HeadDecay {
    int layer = 0, head = 0;
    std::vector<DecayPoint> measured;  // (bin centre distance, normalised mean logit), bins with pairs
    std::vector<DecayPoint> expected;  // (distance, normalised expected logit)
    double scale = 0.0;  // logit_scale · Σ|c_i| the head was divided by (0: no weights)
};

// `inv_freq`: the model's spectrum (RopeSpectrum::inv_freq), which the head's weights belong to.
// Returns a curve with empty point lists when the head is not in the run, was not observed, has no
// frequency weights or the spectrum does not match them.
HeadDecay head_decay(const RunStats& stats, const std::vector<double>& inv_freq, int layer,
                     int head, std::span<const double> distances);

// Where bin b of RunStats::bin_edges is measured: the mean distance of its causal pairs in a run of
// `tokens` tokens (distance δ occurs T − δ times, so short distances weigh more). NaN if empty.
double bin_centre(const std::vector<int>& edges, std::size_t b, int tokens);

}  // namespace rs
