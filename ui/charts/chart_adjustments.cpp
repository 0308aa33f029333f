// Applies the user's chart adjustments to a spec and states them in its footnote.
#include "chart_adjustments.h"

#include <algorithm>

#include "chart_builder.h"

namespace rs::ui {

namespace {

void apply(ChartAxisSpec& axis, const AxisOverride& o) {
    if (o.min) axis.min = o.min;
    if (o.max) axis.max = o.max;
}

void add_sentence(ChartSpec& spec, const QString& sentence) {
    spec.footnote += (spec.footnote.isEmpty() ? "" : " ") + sentence;
}

// Drawable points of the series plotted against `which` (1: y, 2: y2) outside the drawn range,
// or outside the x range.
int points_outside(const ChartSpec& spec, int which) {
    const AxisRange r = chart_axis_range(spec, which);
    int n = 0;
    for (const auto& s : spec.series) {
        if (which > 0 && (which == 2) != (s.secondary_y && spec.y2)) continue;
        for (const auto& p : s.points) {
            if (!chart_point_drawable(spec, s, p)) continue;
            const double v = which == 0 ? p.x() : p.y();
            n += v < r.min || v > r.max;
        }
    }
    return n;
}

}  // namespace

ChartSpec adjusted_chart(ChartSpec spec, const ChartAdjustments& a) {
    const bool fixed_y = spec.y.min || spec.y.max;
    apply(spec.x, a.x);
    apply(spec.y, a.y);
    const bool robust = a.ignore_outliers && !spec.equal_axes;
    spec.y.ignore_outliers = robust && spec.y.scale == AxisScale::Linear;
    if (spec.y2) spec.y2->ignore_outliers = robust && spec.y2->scale == AxisScale::Linear;

    QStringList hidden;
    const auto gone = std::remove_if(spec.series.begin(), spec.series.end(), [&](const auto& s) {
        const bool hide = !s.name.isEmpty() && a.hidden.contains(s.name);
        if (hide && !hidden.contains(s.name)) hidden << s.name;
        return hide;
    });
    spec.series.erase(gone, spec.series.end());
    if (!hidden.isEmpty()) add_sentence(spec, "Hidden series (not shown): " + hidden.join(", ") + ".");

    const int off_x = a.x.min || a.x.max ? points_outside(spec, 0) : 0;
    int off_y = points_outside(spec, 1);
    if (spec.y2) off_y += points_outside(spec, 2);
    const bool set_y = a.y.min || a.y.max;
    if (off_y > 0)
        add_sentence(spec, QString("%1 point%2 beyond the y range %3 not shown (%4).")
                               .arg(off_y)
                               .arg(off_y == 1 ? "" : "s")
                               .arg(off_y == 1 ? "is" : "are")
                               .arg(set_y     ? "range set by hand"
                                    : fixed_y ? "the chart's fixed range"
                                              : "outliers left out of the automatic range"));
    if (off_x > 0)
        add_sentence(spec, QString("%1 point%2 beyond the x range set by hand %3 not shown.")
                               .arg(off_x)
                               .arg(off_x == 1 ? "" : "s")
                               .arg(off_x == 1 ? "is" : "are"));
    return spec;
}

}  // namespace rs::ui
