// ChartPanel: a QChartView rebuilt from the spec on a single-shot timer, plus tooltips and clicks
// mapped back to the spec's series and points.
#include "chart_panel.h"

#include <QCursor>
#include <QGridLayout>
#include <QLabel>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QXYSeries>
#include <limits>

#include "chart_builder.h"
#include "chart_legend.h"

using namespace QtCharts;

namespace rs::ui {

ChartPanel::ChartPanel(QWidget* parent) : QWidget(parent) {
    view_ = new QChartView(this);
    view_->setRenderHint(QPainter::Antialiasing);
    view_->setFrameShape(QFrame::NoFrame);
    empty_ = new QLabel(view_);
    empty_->setAlignment(Qt::AlignCenter);
    empty_->setWordWrap(true);
    empty_->setStyleSheet("color: #6e6e6e;");
    empty_->setFont(chart_font(13));
    empty_->hide();
    auto* overlay = new QVBoxLayout(view_);  // the empty-message label covers the whole chart
    overlay->addWidget(empty_);
    footnote_ = new QLabel(this);
    footnote_->setWordWrap(true);
    footnote_->setFont(chart_font(11));
    footnote_->setStyleSheet("color: #5a5a5a; padding: 0 8px 4px 8px;");
    footnote_->hide();
    bottom_legend_ = new ChartLegendWidget(this);
    right_legend_ = new ChartLegendWidget(this);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(view_, 0, 0);
    layout->addWidget(right_legend_, 0, 1, Qt::AlignVCenter);
    layout->addWidget(bottom_legend_, 1, 0, 1, 2);
    layout->addWidget(footnote_, 2, 0, 1, 2);
    layout->setRowStretch(0, 1);
    layout->setColumnStretch(0, 1);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);
    redraw_.setSingleShot(true);
    redraw_.setInterval(0);
    connect(&redraw_, &QTimer::timeout, this, &ChartPanel::rebuild);
    rebuild();
}

ChartPanel::~ChartPanel() = default;

void ChartPanel::set_spec(ChartSpec spec) {
    spec_ = std::move(spec);
    redraw_.start();
}

void ChartPanel::flush() {
    if (!redraw_.isActive()) return;
    redraw_.stop();
    rebuild();
}

void ChartPanel::rebuild() {
    BuiltChart built = build_chart(spec_);
    QChart* old = view_->chart();
    view_->setChart(built.chart);  // the view owns the new chart; the old one is ours to delete
    delete old;
    origin_ = std::move(built.origin);
    for (const auto& [drawn, index] : origin_) {
        connect(drawn, &QXYSeries::clicked, this,
                [this, s = drawn](const QPointF& p) { on_clicked(s, p); });
        connect(drawn, &QXYSeries::hovered, this,
                [this, s = drawn](const QPointF& p, bool state) { on_hovered(s, p, state); });
    }
    empty_->setText(spec_.empty_message);
    empty_->setVisible(!spec_.has_points() && !spec_.empty_message.isEmpty());
    const auto entries =
        spec_.legend == LegendPlace::Hidden ? std::vector<LegendEntry>{} : legend_entries(spec_);
    const bool right = spec_.legend == LegendPlace::Right;
    bottom_legend_->set_entries(right ? std::vector<LegendEntry>{} : entries, false);
    right_legend_->set_entries(right ? entries : std::vector<LegendEntry>{}, true);
    footnote_->setText(spec_.footnote);
    footnote_->setVisible(!spec_.footnote.isEmpty());
}

int ChartPanel::nearest_point(QXYSeries* drawn, int series, const QPointF& value) const {
    // Nearest on screen, so lin and log axes and unequal axis ranges behave the same.
    const auto& s = spec_.series[std::size_t(series)];
    const QPointF at = view_->chart()->mapToPosition(value, drawn);
    int best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    for (int i = 0; i < int(s.points.size()); ++i) {
        if (!chart_point_drawable(spec_, s, s.points[std::size_t(i)])) continue;
        const QPointF q = view_->chart()->mapToPosition(s.points[std::size_t(i)], drawn);
        const double d = (q - at).manhattanLength();
        if (d < best_d) best_d = d, best = i;
    }
    return best;
}

void ChartPanel::on_clicked(QXYSeries* drawn, const QPointF& value) {
    for (const auto& [s, index] : origin_) {
        if (s != drawn) continue;
        const int point = nearest_point(drawn, index, value);
        if (point >= 0) emit point_clicked(spec_.series[std::size_t(index)].tag, index, point);
        return;
    }
}

void ChartPanel::on_hovered(QXYSeries* drawn, const QPointF& value, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    for (const auto& [s, index] : origin_) {
        if (s != drawn) continue;
        const int point = nearest_point(drawn, index, value);
        if (point < 0) return;
        const auto& series = spec_.series[std::size_t(index)];
        const QPointF p = series.points[std::size_t(point)];
        QString text = series.name.isEmpty() ? QString() : series.name + "\n";
        if (std::size_t(point) < series.point_labels.size())
            text += series.point_labels[std::size_t(point)];
        else
            text += QString("%1 = %2\n%3 = %4")
                        .arg(spec_.x.title.isEmpty() ? "x" : spec_.x.title)
                        .arg(p.x(), 0, 'g', 6)
                        .arg(series.secondary_y && spec_.y2 ? spec_.y2->title : spec_.y.title)
                        .arg(p.y(), 0, 'g', 6);
        QToolTip::showText(QCursor::pos(), text, view_);
        return;
    }
}

QPoint ChartPanel::point_position(int series, int point) const {
    for (const auto& [drawn, index] : origin_) {
        if (index != series) continue;
        const auto& s = spec_.series[std::size_t(index)];
        if (point < 0 || point >= int(s.points.size())) return {-1, -1};
        const QPointF p = s.points[std::size_t(point)];
        if (!chart_point_drawable(spec_, s, p)) return {-1, -1};
        const QPointF scene = view_->chart()->mapToScene(view_->chart()->mapToPosition(p, drawn));
        return view_->mapTo(this, view_->mapFromScene(scene));
    }
    return {-1, -1};
}

void ChartPanel::render_figure(QPainter& painter, const QRectF& target) const {
    render_chart_spec(spec_, painter, target);
}

}  // namespace rs::ui
