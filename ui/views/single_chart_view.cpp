// SingleChartView: layout, batched refresh and export shared by the one-chart views.
#include "single_chart_view.h"

#include <QHBoxLayout>
#include <QVBoxLayout>

#include "chart_builder.h"
#include "chart_panel.h"

namespace rs::ui {

SingleChartView::SingleChartView(const QSizeF& figure_size, const QString& figure_name,
                                 QWidget* parent)
    : QWidget(parent), figure_size_(figure_size), controls_(new QHBoxLayout) {
    chart_ = new ChartPanel(this);
    chart_->set_figure_name(figure_name);
    chart_->set_figure_size(figure_size);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls_);
    layout->addWidget(chart_, 1);
    refresh_.setSingleShot(true);
    refresh_.setInterval(0);
    connect(&refresh_, &QTimer::timeout, this, &SingleChartView::refresh);
}

void SingleChartView::finish_controls() {
    controls_->addStretch(1);
}

void SingleChartView::schedule() {
    refresh_.start();
}

void SingleChartView::flush() {
    if (refresh_.isActive()) {
        refresh_.stop();
        refresh();
    }
    chart_->flush();
}

void SingleChartView::refresh() {
    chart_->set_spec(spec());
}

void SingleChartView::render_figure(QPainter& painter, const QRectF& target) const {
    render_chart_spec(chart_->adjusted(spec()), painter, target);
}

QString SingleChartView::figure_csv() const {
    return chart_csv(chart_->adjusted(spec()));
}

}  // namespace rs::ui
