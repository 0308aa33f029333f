// What the user changed on a chart by hand, kept apart from what the view plots: axis ranges,
// whether the automatic y range leaves outliers out, and hidden series. The adjusted spec is what
// the panel draws and what the view exports, with the changes said in its footnote.
#pragma once

#include <QStringList>
#include <optional>

#include "chart_spec.h"

namespace rs::ui {

struct AxisOverride {
    std::optional<double> min, max;  // unset: automatic
};

struct ChartAdjustments {
    AxisOverride x, y;
    // Linear y axes: the automatic range leaves out points far beyond the bulk of the data
    // (ChartAxisSpec::ignore_outliers); the footnote counts them.
    bool ignore_outliers = true;
    QStringList hidden;  // names of the series left out (legend clicks)
};

// `spec` with `a` applied: ranges set, hidden series removed, ignore_outliers on the linear y
// axes, and a footnote sentence for every series hidden and every point outside the ranges.
ChartSpec adjusted_chart(ChartSpec spec, const ChartAdjustments& a);

}  // namespace rs::ui
