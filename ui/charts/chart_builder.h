// Turns a ChartSpec into a QtCharts QChart: the one place (with chart_panel.cpp) that knows the
// QtCharts API, so the charting library can be replaced without touching any view.
#pragma once

#include <QFont>
#include <QRectF>
#include <vector>

#include "chart_spec.h"

class QPainter;
namespace QtCharts {
class QChart;
class QXYSeries;
}  // namespace QtCharts

namespace rs::ui {

// Resolved range and ticks of one axis.
struct AxisRange {
    double min = 0.0, max = 1.0;
    double step = 0.0;  // linear: distance between ticks (anchored at 0); 0 on log axes
    QString format;     // label format
};

// Range of the x (which = 0), y (1) or secondary y (2) axis of `spec`, from its settings or data.
AxisRange chart_axis_range(const ChartSpec& spec, int which);

struct BuiltChart {
    QtCharts::QChart* chart = nullptr;  // owned by the caller (or the QChartView it is given to)
    // Which spec series each QtCharts series draws (a spec series may need several: NaN gaps,
    // markers on a line), so clicks can be traced back to the caller's data.
    std::vector<std::pair<QtCharts::QXYSeries*, int>> origin;
};

BuiltChart build_chart(const ChartSpec& spec);

// Fonts shared by charts and the views' own painting (pixel sizes: figure units on export).
QFont chart_font(int pixel_size, bool bold = false);

// Paints `spec` into `target` as vector graphics (title, axes, legend, footnote), by laying out a
// fresh QChart at the target size in its own scene and rendering that scene.
void render_chart_spec(const ChartSpec& spec, QPainter& painter, const QRectF& target);

// Height the footnote of `spec` takes at `width` (0 without a footnote).
double footnote_height(const ChartSpec& spec, double width);

}  // namespace rs::ui
