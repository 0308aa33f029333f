// PerplexityView: PositionNll -> raw and smoothed loss-by-position series.
#include "perplexity_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <cmath>

#include "moving_average.h"
#include "series_colors.h"

namespace rs::ui {

PerplexityView::PerplexityView(QWidget* parent)
    : SingleChartView({620, 400}, "loss_by_position", parent) {
    scale_ = new QComboBox(this);
    scale_->addItem("NLL (nats)", int(LossScale::Nll));
    scale_->addItem("perplexity", int(LossScale::Perplexity));
    window_ = new QSpinBox(this);
    window_->setRange(1, 100000);
    window_->setValue(32);
    window_->setSuffix(" positions");
    window_->setToolTip("Centred moving-average window of the smoothed curve");
    marker_ = new QCheckBox("training length", this);
    marker_->setChecked(true);
    marker_->setToolTip("Vertical line at the model's training context length");
    log_x_ = new QCheckBox("log position", this);
    log_y_ = new QCheckBox("log y", this);
    log_y_->setToolTip(
        "Logarithmic loss axis: spikes of the perplexity no longer flatten the rest");
    controls()->addWidget(new QLabel("Show", this));
    controls()->addWidget(scale_);
    controls()->addSpacing(12);
    controls()->addWidget(new QLabel("Smoothing", this));
    controls()->addWidget(window_);
    controls()->addSpacing(12);
    controls()->addWidget(marker_);
    controls()->addWidget(log_x_);
    controls()->addWidget(log_y_);
    finish_controls();
    connect(scale_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &PerplexityView::schedule);
    connect(window_, qOverload<int>(&QSpinBox::valueChanged), this, &PerplexityView::schedule);
    connect(marker_, &QCheckBox::toggled, this, &PerplexityView::schedule);
    connect(log_x_, &QCheckBox::toggled, this, &PerplexityView::schedule);
    connect(log_y_, &QCheckBox::toggled, this, &PerplexityView::schedule);
    schedule();
}

void PerplexityView::set_nll(const PositionNll* nll) {
    nll_.reset();
    if (nll) nll_ = *nll;
    schedule();
}

void PerplexityView::set_training_context(int tokens) {
    training_context_ = std::max(0, tokens);
    marker_->setEnabled(training_context_ > 0);
    schedule();
}

void PerplexityView::set_scale(LossScale scale) {
    scale_->setCurrentIndex(scale_->findData(int(scale)));
}
LossScale PerplexityView::scale() const {
    return LossScale(scale_->currentData().toInt());
}
void PerplexityView::set_smoothing(int window) {
    window_->setValue(window);
}
int PerplexityView::smoothing() const {
    return window_->value();
}
void PerplexityView::set_log_position(bool log) {
    log_x_->setChecked(log);
}

void PerplexityView::set_log_loss(bool log) {
    log_y_->setChecked(log);
}

ChartSpec PerplexityView::spec() const {
    ChartSpec spec;
    const bool ppl = scale() == LossScale::Perplexity;
    spec.title = ppl ? "Perplexity by position" : "Loss by position";
    spec.x.title = "position (tokens of context)";
    spec.x.scale = log_x_->isChecked() ? AxisScale::Log : AxisScale::Linear;
    spec.y.title = ppl ? "perplexity exp(NLL)" : "NLL (nats)";
    spec.y.scale = log_y_->isChecked() ? AxisScale::Log : AxisScale::Linear;
    spec.empty_message = "No loss yet: compute perplexity by position on a text.";
    if (!nll_) return spec;
    const PositionNll& r = *nll_;
    std::vector<double> nll(r.mean_nll.size());
    for (std::size_t t = 0; t < nll.size(); ++t)
        nll[t] = t < r.count.size() && r.count[t] > 0 ? r.mean_nll[t] : std::nan("");
    const std::vector<double> smooth = moving_average(nll, window_->value());
    auto value = [ppl](double v) { return ppl ? std::exp(v) : v; };

    ChartSeriesSpec raw;
    raw.name =
        r.windows > 1 ? QString("mean over %1 windows").arg(r.windows) : QString("per position");
    raw.color = lighter_towards_white(real_color(), 0.45);
    raw.width = 1.0;
    ChartSeriesSpec avg;
    avg.name = QString("moving average (%1)").arg(window_->value());
    avg.color = QColor(0x0b, 0x3d, 0x6b);
    avg.width = 2.4;
    for (std::size_t t = 0; t < nll.size(); ++t) {
        raw.points.emplace_back(double(t + 1), value(nll[t]));
        avg.points.emplace_back(double(t + 1), value(smooth[t]));
    }
    spec.series.push_back(std::move(raw));
    if (window_->value() > 1) spec.series.push_back(std::move(avg));
    // Positions run to the window length: end the axis there (2048), not at the next round tick
    // (2500), which would leave a fifth of the plot empty.
    if (spec.x.scale == AxisScale::Linear)
        spec.x.max = double(std::max<std::size_t>(std::size_t(std::max(r.context, 1)), nll.size()));
    if (training_context_ > 0 && marker_->isChecked())
        spec.markers.push_back({double(training_context_),
                                QString("training length %1").arg(training_context_),
                                QColor(0xd6, 0x27, 0x28)});
    spec.footnote =
        QString(
            "%1 window%2 of %3 tokens; mean NLL %4 nats (perplexity %5). Position n: the "
            "loss of the token that follows the first n tokens of a window.")
            .arg(r.windows)
            .arg(r.windows == 1 ? "" : "s")
            .arg(r.context)
            .arg(r.mean, 0, 'f', 3)
            .arg(std::exp(r.mean), 0, 'f', 2);
    if (training_context_ > 0 && marker_->isChecked() && training_context_ > int(nll.size()))
        spec.footnote += QString(" The training length (%1) lies beyond the plotted positions.")
                             .arg(training_context_);
    return spec;
}

QString PerplexityView::figure_name() const {
    return scale() == LossScale::Perplexity ? "perplexity_by_position" : "loss_by_position";
}

QStringList PerplexityView::figure_parameters() const {
    return {QString("scale: %1").arg(scale() == LossScale::Nll ? "loss (nats)" : "perplexity"),
            QString("moving average: %1 positions").arg(smoothing()),
            QString("position axis: %1").arg(log_x_->isChecked() ? "log" : "linear"),
            QString("loss axis: %1").arg(log_y_->isChecked() ? "log" : "linear")};
}

}  // namespace rs::ui
