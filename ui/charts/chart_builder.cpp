// ChartSpec -> QChart: axis ranges with round ticks, series split at gaps, legend and markers.
#include "chart_builder.h"

#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QPainter>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "chart_legend.h"
#include "chart_title.h"

using namespace QtCharts;

namespace rs::ui {

namespace {

const QColor kGrid(225, 225, 225);
const QColor kAxisLine(120, 120, 120);
const QColor kText(40, 40, 40);
constexpr double kTitlePadding = 64;  // chart width a title line may not use (QtCharts pads it)

// 1, 2 or 5 times a power of ten, about span / target.
double nice_step(double span, int target) {
    const double raw = span / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    return (f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0) * mag;
}

QString linear_format(double step, double lo, double hi) {
    const double big = std::max(std::abs(lo), std::abs(hi));
    if (big >= 1e5 || (big > 0 && big < 1e-3)) return "%.3g";
    const int decimals = std::max(0, int(std::ceil(-std::log10(step) - 1e-9)));
    return QString("%.%1f").arg(decimals);
}

const ChartAxisSpec& axis_spec(const ChartSpec& spec, int which) {
    return which == 0 ? spec.x : which == 1 ? spec.y : *spec.y2;
}

// Extent of `v` without the points far beyond its 1-99% spread (see ignore_outliers).
std::pair<double, double> robust_extent(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    if (n < 20) return {v.front(), v.back()};
    const double q1 = v[std::size_t(0.01 * double(n - 1))];
    const double q99 = v[std::size_t(0.99 * double(n - 1))];
    const double far = 5.0 * (q99 - q1);
    const auto lo = std::lower_bound(v.begin(), v.end(), q1 - far);
    const auto hi = std::upper_bound(v.begin(), v.end(), q99 + far);
    return {*lo, *(hi - 1)};
}

// Data extent of the drawable points on one axis; nullopt when there are none.
std::optional<std::pair<double, double>> data_extent(const ChartSpec& spec, int which) {
    std::vector<double> values;
    for (const auto& s : spec.series) {
        if (which == 1 && s.secondary_y) continue;
        if (which == 2 && !s.secondary_y) continue;
        for (const auto& p : s.points)
            if (chart_point_drawable(spec, s, p)) values.push_back(which == 0 ? p.x() : p.y());
    }
    if (values.empty()) return std::nullopt;
    if (which > 0 && axis_spec(spec, which).ignore_outliers) return robust_extent(std::move(values));
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    return std::pair{*lo, *hi};
}

AxisRange resolve(const ChartAxisSpec& a, std::optional<std::pair<double, double>> extent) {
    AxisRange r;
    if (a.scale == AxisScale::Log) {
        // Automatic ends snap to powers of the base (where the labels are), then leave a little
        // room when a data point would sit exactly on the frame.
        const double b = a.log_base, lb = std::log(b);
        const double dlo = extent ? extent->first : 1.0, dhi = extent ? extent->second : b;
        double lo = a.min.value_or(std::pow(b, std::floor(std::log(dlo) / lb + 1e-9)));
        double hi = a.max.value_or(std::pow(b, std::ceil(std::log(dhi) / lb - 1e-9)));
        if (!(hi > lo)) hi = lo * b;
        if (!a.min && extent && dlo <= lo * (1 + 1e-9)) lo /= 1.25;
        if (!a.max && extent && dhi >= hi * (1 - 1e-9)) hi *= 1.25;
        r.min = lo;
        r.max = hi;
        r.step = 0.0;
        r.format = a.label_format.isEmpty() ? QString("%g") : a.label_format;
        return r;
    }
    double lo = extent ? extent->first : 0.0, hi = extent ? extent->second : 1.0;
    if (a.include_zero) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
    if (a.min) lo = *a.min;
    if (a.max) hi = *a.max;
    if (!(hi > lo)) {  // one value: a small range around it
        const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
        if (!a.min) lo -= pad;
        if (!a.max) hi += pad;
        if (!(hi > lo)) hi = lo + 1.0;
    }
    const double step = nice_step(hi - lo, 5);
    // Round automatic ends out to a tick so the axis starts and ends on a labelled value; where a
    // data point would then sit on the frame (half its marker clipped), leave 3 % more room.
    if (!a.min) lo = std::floor(lo / step + 1e-9) * step;
    if (!a.max) hi = std::ceil(hi / step - 1e-9) * step;
    const double room = 0.03 * (hi - lo);
    if (!a.min && extent && extent->first - lo < room / 2) lo -= room;
    if (!a.max && extent && hi - extent->second < room / 2) hi += room;
    r.min = lo;
    r.max = hi;
    r.step = step;
    r.format = a.label_format.isEmpty() ? linear_format(step, lo, hi) : a.label_format;
    return r;
}

QAbstractAxis* make_axis(const ChartAxisSpec& a, const AxisRange& r) {
    QAbstractAxis* axis = nullptr;
    if (a.scale == AxisScale::Log) {
        auto* log = new QLogValueAxis;
        log->setBase(a.log_base);
        log->setRange(r.min, r.max);
        log->setLabelFormat(r.format);
        // Base 10: minor lines at 2..9; other bases: one halfway (in log) between labels.
        log->setMinorTickCount(a.log_base == 10.0 ? 8 : 1);
        log->setMinorGridLineColor(QColor(240, 240, 240));
        axis = log;
    } else {
        auto* lin = new QValueAxis;
        lin->setRange(r.min, r.max);
        lin->setTickType(QValueAxis::TicksDynamic);
        lin->setTickAnchor(0.0);
        lin->setTickInterval(r.step);
        lin->setLabelFormat(r.format);
        axis = lin;
    }
    axis->setTitleText(a.title);
    axis->setTitleFont(chart_font(12));
    axis->setTitleBrush(kText);
    axis->setLabelsFont(chart_font(11));
    axis->setLabelsBrush(kText);
    axis->setGridLineColor(kGrid);
    axis->setLinePenColor(kAxisLine);
    return axis;
}

}  // namespace

QFont chart_font(int pixel_size, bool bold) {
    QFont f;
    f.setPixelSize(pixel_size);
    f.setBold(bold);
    return f;
}

AxisRange chart_axis_range(const ChartSpec& spec, int which) {
    if (spec.equal_axes && which < 2) {
        const auto ex = data_extent(spec, 0), ey = data_extent(spec, 1);
        std::optional<std::pair<double, double>> both = ex ? ex : ey;
        if (ex && ey)
            both = std::pair{std::min(ex->first, ey->first), std::max(ex->second, ey->second)};
        ChartAxisSpec merged = spec.x;
        merged.include_zero = spec.x.include_zero || spec.y.include_zero;
        return resolve(merged, both);
    }
    return resolve(axis_spec(spec, which), data_extent(spec, which));
}

BuiltChart build_chart(const ChartSpec& spec) {
    BuiltChart out;
    auto* chart = new QChart;
    out.chart = chart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setDropShadowEnabled(false);
    chart->setBackgroundBrush(Qt::white);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTitle(spec.title);
    chart->setTitleFont(chart_font(14, true));
    chart->setTitleBrush(kText);

    // The legend is ours (ui/charts/chart_legend.h): it wraps and shows each series' real pen.
    chart->legend()->hide();

    const AxisRange rx = chart_axis_range(spec, 0), ry = chart_axis_range(spec, 1);
    QAbstractAxis* ax = make_axis(spec.x, rx);
    QAbstractAxis* ay = make_axis(spec.y, ry);
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    QAbstractAxis* ay2 = nullptr;
    if (spec.y2) {
        ay2 = make_axis(*spec.y2, chart_axis_range(spec, 2));
        ay2->setGridLineVisible(false);
        chart->addAxis(ay2, Qt::AlignRight);
    }
    if (!spec.has_points()) {  // nothing to read off axes: leave the title and the empty message
        ax->setVisible(false);
        ay->setVisible(false);
        if (ay2) ay2->setVisible(false);
    }

    auto attach = [&](QXYSeries* series, int index) {
        const auto& s = spec.series[std::size_t(index)];
        chart->addSeries(series);
        series->attachAxis(ax);
        series->attachAxis(s.secondary_y && ay2 ? ay2 : ay);
        out.origin.emplace_back(series, index);
    };

    for (int i = 0; i < int(spec.series.size()); ++i) {
        const auto& s = spec.series[std::size_t(i)];
        if (s.kind != SeriesKind::Scatter) {
            // One QLineSeries per run of drawable points, so NaN (no data) shows as a gap.
            QVector<QPointF> run;
            auto flush = [&] {
                if (run.isEmpty()) return;
                auto* line = new QLineSeries;
                line->setName(s.name);
                QPen pen(s.color, s.width, s.pen_style, Qt::RoundCap, Qt::RoundJoin);
                line->setPen(pen);
                line->replace(run);
                attach(line, i);
                run.clear();
            };
            for (const auto& p : s.points) {
                if (chart_point_drawable(spec, s, p))
                    run.push_back(p);
                else
                    flush();
            }
            flush();
        }
        if (s.kind != SeriesKind::Line) {
            QVector<QPointF> pts;
            for (const auto& p : s.points)
                if (chart_point_drawable(spec, s, p)) pts.push_back(p);
            if (pts.isEmpty()) continue;
            auto* scatter = new QScatterSeries;
            scatter->setName(s.name);
            scatter->setMarkerShape(QScatterSeries::MarkerShapeCircle);
            scatter->setMarkerSize(s.marker_size);
            scatter->setColor(s.color);
            scatter->setBorderColor(s.color.darker(150));
            scatter->replace(pts);
            attach(scatter, i);
        }
    }

    for (const auto& m : spec.markers) {
        if (!std::isfinite(m.x) || m.x < rx.min || m.x > rx.max) continue;
        auto* line = new QLineSeries;
        line->setName(m.label);
        line->setPen(QPen(m.color, 1.5, Qt::DashLine));
        line->append(m.x, ry.min);
        line->append(m.x, ry.max);
        chart->addSeries(line);
        line->attachAxis(ax);
        line->attachAxis(ay);
    }
    return out;
}

double footnote_height(const ChartSpec& spec, double width) {
    if (spec.footnote.isEmpty()) return 0.0;
    const QFontMetricsF fm(chart_font(11));
    const QRectF r = fm.boundingRect(QRectF(0, 0, std::max(10.0, width - 16), 1e6),
                                     Qt::AlignLeft | Qt::TextWordWrap, spec.footnote);
    return r.height() + 6;
}

void render_chart_spec(const ChartSpec& spec, QPainter& painter, const QRectF& target) {
    const double foot = footnote_height(spec, target.width());
    const auto entries =
        spec.legend == LegendPlace::Hidden ? std::vector<LegendEntry>{} : legend_entries(spec);
    const bool right = spec.legend == LegendPlace::Right;
    const QSizeF legend = legend_size(entries, right ? target.width() / 3 : target.width(), right);
    QSizeF chart_size(target.width() - (right ? legend.width() : 0),
                      target.height() - foot - (right ? 0 : legend.height()));
    chart_size = chart_size.expandedTo(QSizeF(10, 10));
    QGraphicsScene scene;
    BuiltChart built = build_chart(spec);
    // Exports never elide the title (the chart's margins and the title's own padding excluded).
    built.chart->setTitle(fitted_chart_title(spec.title, built.chart->titleFont(),
                                             chart_size.width() - kTitlePadding));
    scene.addItem(built.chart);  // the scene owns the chart from here
    built.chart->setGeometry(QRectF(QPointF(0, 0), chart_size));
    // Lay the chart out now (normally deferred to the event loop) so a headless export is complete.
    built.chart->layout()->activate();
    scene.setSceneRect(QRectF(QPointF(0, 0), chart_size));
    painter.save();
    const QRectF chart_rect(target.topLeft(), chart_size);
    scene.render(&painter, chart_rect, scene.sceneRect(), Qt::IgnoreAspectRatio);
    if (!spec.has_points() && !spec.empty_message.isEmpty()) {
        painter.setFont(chart_font(13));
        painter.setPen(QColor(110, 110, 110));
        painter.drawText(chart_rect, Qt::AlignCenter | Qt::TextWordWrap, spec.empty_message);
    }
    if (right) {
        const double top = chart_rect.top() + (chart_rect.height() - legend.height()) / 2;
        paint_legend(painter, QRectF(chart_rect.right(), top, legend.width(), legend.height()),
                     entries, true);
    } else if (!entries.empty()) {
        paint_legend(painter,
                     QRectF(target.left(), chart_rect.bottom(), target.width(), legend.height()),
                     entries, false);
    }
    if (foot > 0) {
        painter.setFont(chart_font(11));
        painter.setPen(QColor(90, 90, 90));
        painter.drawText(
            QRectF(target.left() + 8, target.bottom() - foot, target.width() - 16, foot),
            Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, spec.footnote);
    }
    painter.restore();
}

}  // namespace rs::ui
