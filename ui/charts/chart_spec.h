// What a 2-D chart shows, as plain data: series of points, axes (linear or log), legend, markers.
// Views build a ChartSpec from core values; ChartPanel turns it into pixels, so views never touch
// QtCharts and tests can check exactly what is plotted.
#pragma once

#include <QColor>
#include <QPointF>
#include <QString>
#include <optional>
#include <vector>

namespace rs::ui {

enum class AxisScale { Linear, Log };

struct ChartAxisSpec {
    QString title;  // with units, e.g. "distance Δ (tokens)"
    AxisScale scale = AxisScale::Linear;
    std::optional<double> min, max;  // unset: from the data (log axes snap to powers of ten)
    bool include_zero = false;       // linear auto range: always show 0
    // Linear y auto range: points far beyond the bulk (more than 5 times the 1-99% spread past
    // it, with 20 points or more) are left out of the range, so one spike cannot flatten a curve.
    bool ignore_outliers = false;
    QString label_format;            // printf-style ("%.2f"); empty: chosen from the range
    double log_base = 10.0;  // log axes: labels at powers of this base (2, 4 or 10 read well)
};

enum class SeriesKind {
    Line,     // polyline; NaN points break the line
    Scatter,  // markers only
    LineAndMarkers,
};

struct ChartSeriesSpec {
    QString name;  // legend entry and tooltip title
    SeriesKind kind = SeriesKind::Line;
    std::vector<QPointF>
        points;  // non-finite points (and non-positive ones on log axes) are skipped
    std::vector<QString> point_labels;  // optional, [points]: shown in the tooltip of each point
    QColor color = Qt::black;
    double width = 2.0;        // line width, in figure units (points on export)
    double marker_size = 7.0;  // Scatter / LineAndMarkers
    Qt::PenStyle pen_style = Qt::SolidLine;
    bool in_legend = true;
    bool secondary_y = false;  // plotted against ChartSpec::y2 (right-hand axis)
    int tag = -1;              // caller's id, reported back by ChartPanel::point_clicked
};

// A vertical line across the plot at x, e.g. the training context length.
struct ChartMarker {
    double x = 0.0;
    QString label;
    QColor color = Qt::darkGray;
};

enum class LegendPlace { Bottom, Right, Hidden };

struct ChartSpec {
    QString title;
    ChartAxisSpec x, y;
    std::optional<ChartAxisSpec> y2;  // secondary (right-hand) y axis
    std::vector<ChartSeriesSpec> series;
    std::vector<ChartMarker> markers;
    LegendPlace legend = LegendPlace::Bottom;
    QString footnote;         // one or two lines under the chart (how the values are normalised...)
    QString empty_message;    // shown instead of the plot when there is no series with points
    bool equal_axes = false;  // x and y share one range (scatter of two like quantities)

    bool has_points() const;
};

// The plotted data of a spec as long-format CSV: "series,<x title>,<y title>[,label]" with one row
// per plotted point (the points ChartPanel draws, so skipped ones are left out).
QString chart_csv(const ChartSpec& spec);

// Points of `s` that can be drawn on the spec's axes (finite; positive on log axes).
bool chart_point_drawable(const ChartSpec& spec, const ChartSeriesSpec& s, const QPointF& p);

}  // namespace rs::ui
