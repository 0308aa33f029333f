// What the decay-curves chart plots, as a pure function of its settings: the Ci/Si theory curves
// (exact sums and closed form) for a list of frequency bases, plus measured curves of chosen heads
// from a run (mean logit by distance bin and the expected logit from the head's frequency weights).
//
// Normalisation (so theory and measurement share one axis): every curve is divided by the value it
// would have at Δ = 0 if all frequency pairs were aligned.
//   theory:  C(Δ) / (d/2) and S(Δ) / (d/2), d the rotary dimension (1 = all pairs in phase);
//   a head:  (logit − passthrough) / (logit_scale · Σ_i |c_i|), c_i its frequency weights.
// A head whose c_i are real, equal and positive then lies exactly on the real theory curve, and its
// imaginary twin on the imaginary one.
#pragma once

#include <QString>
#include <optional>
#include <utility>
#include <vector>

#include "head_layout.h"
#include "head_stats.h"
#include "rope.h"
#include "chart_spec.h"

namespace rs::ui {

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
};

// "10000, 5e5 1M; 250k" -> bases (k/M/G suffixes allowed). Returns nullopt and sets *error (one
// sentence) for an empty list, a non-number, a base <= 1, or more than 8 bases.
std::optional<std::vector<double>> parse_base_list(const QString& text, QString* error);
// 10000 -> "10k", 500000 -> "500k", 1000000 -> "1M", 12345 -> "12345".
QString format_base(double base);

// Integer distances for the grid (positions are integers): every distance up to a few thousand
// points, then evenly (linear) or geometrically (log) spaced integers. Log grids start at 1.
std::vector<double> decay_distances(double max_distance, bool log_axis);

// The RopeParams of the theory curves for `base` (scaling applied as the settings say).
RopeParams decay_rope_params(const DecaySettings& s, double base);

// Measured curves of one head, on the normalised scale described above.
struct HeadDecayCurve {
    int layer = 0, head = 0;
    QString label;                  // "L1 h3 (q1 imag)"
    std::vector<QPointF> measured;  // (bin centre distance, normalised mean logit), bins with pairs
    std::vector<QPointF> expected;  // (distance, normalised expected logit)
    double scale = 0.0;  // logit_scale · Σ|c_i| the head was divided by (0: no weights)
};

// `inv_freq`: the model's spectrum (RopeSpectrum::inv_freq), which the head's weights belong to.
// Returns a curve with empty point lists when the head has no frequency weights or the spectrum
// does not match them.
HeadDecayCurve head_decay_curve(const RunStats& stats, const HeadLayout* layout,
                                const std::vector<double>& inv_freq, int layer, int head,
                                const std::vector<double>& distances);

// Where bin b of RunStats::bin_edges is measured: the mean distance of its causal pairs in a run of
// `tokens` tokens (distance δ occurs T − δ times, so short distances weigh more). NaN if empty.
double bin_centre(const std::vector<int>& edges, std::size_t b, int tokens);

// The whole chart. Throws rs::UsageError (one sentence) for impossible settings, e.g. an odd
// rotary dimension.
ChartSpec decay_chart(const DecaySettings& settings, const std::vector<HeadDecayCurve>& heads);

}  // namespace rs::ui
