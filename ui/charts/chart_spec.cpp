// ChartSpec helpers: which points are drawable and the plotted data as CSV.
#include "chart_spec.h"

#include <cmath>

#include "csv_text.h"

namespace rs::ui {

bool ChartSpec::has_points() const {
    for (const auto& s : series)
        for (const auto& p : s.points)
            if (chart_point_drawable(*this, s, p)) return true;
    return false;
}

bool chart_point_drawable(const ChartSpec& spec, const ChartSeriesSpec& s, const QPointF& p) {
    if (!std::isfinite(p.x()) || !std::isfinite(p.y())) return false;
    if (spec.x.scale == AxisScale::Log && p.x() <= 0) return false;
    const ChartAxisSpec& y = s.secondary_y && spec.y2 ? *spec.y2 : spec.y;
    if (y.scale == AxisScale::Log && p.y() <= 0) return false;
    return true;
}

QString chart_csv(const ChartSpec& spec) {
    bool labels = false;
    for (const auto& s : spec.series) labels = labels || !s.point_labels.empty();
    const QString x_title = spec.x.title.isEmpty() ? QString("x") : spec.x.title;
    const QString y_title = spec.y.title.isEmpty() ? QString("y") : spec.y.title;
    // With a secondary axis the y column holds values of two quantities; a column says which.
    QStringList header{"series", x_title, spec.y2 ? QString("y") : y_title};
    if (spec.y2) header << "y axis";
    if (labels) header << "label";
    CsvText csv(header);
    for (const auto& s : spec.series) {
        for (std::size_t i = 0; i < s.points.size(); ++i) {
            const QPointF& p = s.points[i];
            if (!chart_point_drawable(spec, s, p)) continue;
            QStringList row{s.name, csv_number(p.x()), csv_number(p.y())};
            if (spec.y2) row << (s.secondary_y ? spec.y2->title : y_title);
            if (labels) row << (i < s.point_labels.size() ? s.point_labels[i] : QString());
            csv.add_row(row);
        }
    }
    return csv.text();
}

}  // namespace rs::ui
