// The decay-curves chart: core's curves (core/analysis/decay_curves.h, where the normalisation is
// described) turned into chart series with names, colours, pen styles and a footnote.
#pragma once

#include <QString>
#include <vector>

#include "chart_spec.h"
#include "decay_curves.h"
#include "head_layout.h"

namespace rs::ui {

// 10000 -> "10k", 500000 -> "500k", 1000000 -> "1M", 12345 -> "12345".
QString format_base(double base);

// One head's curves as the chart draws them.
struct HeadDecayCurve {
    int layer = 0, head = 0;
    QString label;                  // "L1 h3 (q1 imag)"
    std::vector<QPointF> measured;  // (bin centre distance, normalised mean logit), bins with pairs
    std::vector<QPointF> expected;  // (distance, normalised expected logit)
    double scale = 0.0;  // logit_scale · Σ|c_i| the head was divided by (0: no weights)
};

// head_decay() of core, labelled with the head's name in `layout` (nullptr: plain index).
HeadDecayCurve head_decay_curve(const RunStats& stats, const HeadLayout* layout,
                                const std::vector<double>& inv_freq, int layer, int head,
                                const std::vector<double>& distances);

// The whole chart. Throws rs::UsageError (one sentence) for impossible settings, e.g. an odd
// rotary dimension.
ChartSpec decay_chart(const DecaySettings& settings, const std::vector<HeadDecayCurve>& heads);

}  // namespace rs::ui
