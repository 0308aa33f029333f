// LongRangeView: mean M(D) curves of real vs imaginary heads per layer, built from RunStats.
#include "long_range_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <cmath>

#include "head_columns.h"
#include "series_colors.h"

namespace rs::ui {

namespace {

constexpr int kMaxHeadLines = 256;

}  // namespace

LongRangeView::LongRangeView(QWidget* parent)
    : SingleChartView({560, 400}, "long_range_mass", parent) {
    layer_ = new QComboBox(this);
    heads_ = new QCheckBox("individual heads", this);
    heads_->setToolTip(
        "Thin lines for every head (for all layers only when there are at most 256 heads)");
    controls()->addWidget(new QLabel("Layer", this));
    controls()->addWidget(layer_);
    controls()->addSpacing(12);
    controls()->addWidget(heads_);
    finish_controls();
    connect(layer_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &LongRangeView::schedule);
    connect(heads_, &QCheckBox::toggled, this, &LongRangeView::schedule);
    set_run(nullptr, nullptr);
}

void LongRangeView::set_run(const RunStats* stats, const HeadLayout* layout) {
    const int keep = layer();
    stats_.reset();
    layout_.reset();
    if (stats) stats_ = *stats;
    if (layout && stats && layout->analysis_heads() == stats->heads) layout_ = *layout;
    const QSignalBlocker block(layer_);
    layer_->clear();
    layer_->addItem("all layers (mean)", -1);
    if (stats_)
        for (int l = 0; l < stats_->layers; ++l) layer_->addItem(QString("layer %1").arg(l), l);
    const int index = layer_->findData(keep);
    layer_->setCurrentIndex(index >= 0 ? index : 0);
    schedule();
}

void LongRangeView::set_layer(int layer) {
    const int index = layer_->findData(layer);
    if (index >= 0) layer_->setCurrentIndex(index);
}

int LongRangeView::layer() const {
    return layer_->count() ? layer_->currentData().toInt() : -1;
}

void LongRangeView::set_show_heads(bool show) {
    heads_->setChecked(show);
}

ChartSpec LongRangeView::spec() const {
    ChartSpec spec;
    const int sel = layer();
    spec.title = sel < 0 ? QString("Attention mass beyond distance D (mean over layers)")
                         : QString("Attention mass beyond distance D (layer %1)").arg(sel);
    spec.x.title = "distance threshold D (tokens)";
    spec.x.scale = AxisScale::Log;
    spec.x.log_base = 4.0;  // the default thresholds are powers of 4
    spec.y.title = "long-range mass M(D)";
    spec.y.include_zero = true;
    spec.empty_message = "No run yet: run text through a model to see long-range mass.";
    if (!stats_) return spec;
    const RunStats& st = *stats_;
    const HeadLayout* lay = layout_ ? &*layout_ : nullptr;
    const int first = sel < 0 ? 0 : sel, last = sel < 0 ? st.layers : sel + 1;
    bool any_virtual = false;

    auto observed = [&](int l, int h) {
        const std::size_t i = std::size_t(l) * st.heads + h;
        return i >= st.observed.size() || st.observed[i];
    };
    auto imag = [&](int h) { return lay && lay->heads[std::size_t(h)].imag; };
    const int lines = (last - first) * st.heads;
    if (heads_->isChecked() && (sel >= 0 || lines <= kMaxHeadLines)) {
        for (int l = first; l < last; ++l)
            for (int h = 0; h < st.heads; ++h) {
                if (!observed(l, h)) continue;
                ChartSeriesSpec s;
                s.name = QString("L%1 %2").arg(l).arg(head_label(lay, h));
                s.in_legend = false;
                s.color = lighter_towards_white(imag(h) ? imag_color() : real_color(), 0.55);
                s.width = 1.0;
                for (std::size_t t = 0; t < st.thresholds.size(); ++t)
                    s.points.emplace_back(st.thresholds[t], st.at(l, h).long_range_mass[t]);
                spec.series.push_back(std::move(s));
            }
        spec.footnote = "Thin lines: individual heads.";
    } else if (heads_->isChecked()) {
        spec.footnote =
            QString("Individual heads are drawn for one layer at a time (%1 heads in all layers).")
                .arg(lines);
    }
    for (int kind = 0; kind < 2; ++kind) {
        ChartSeriesSpec s;
        s.kind = SeriesKind::LineAndMarkers;
        s.color = kind == 0 ? real_color() : imag_color();
        s.width = 2.6;
        for (std::size_t t = 0; t < st.thresholds.size(); ++t) {
            double sum = 0.0;
            int n = 0;
            for (int l = first; l < last; ++l)
                for (int h = 0; h < st.heads; ++h) {
                    if (imag(h) != (kind == 1) || !observed(l, h)) continue;
                    const double m = st.at(l, h).long_range_mass[t];
                    if (!std::isfinite(m)) continue;
                    sum += m;
                    ++n;
                    any_virtual =
                        any_virtual || (kind == 1 && lay->heads[std::size_t(h)].is_virtual);
                }
            s.points.emplace_back(st.thresholds[t], n ? sum / n : std::nan(""));
        }
        s.name = kind == 0     ? "real heads (mean)"
                 : any_virtual ? "virtual imaginary heads (mean)"
                               : "imaginary heads (mean)";
        spec.series.push_back(std::move(s));
    }
    if (any_virtual)
        spec.footnote +=
            QString(spec.footnote.isEmpty() ? "" : " ") +
            "Virtual imaginary heads are computed for analysis; the model does not use them.";
    QString tokens = QString("%1 tokens").arg(st.tokens);
    spec.title += " — " + tokens;
    return spec;
}

QString LongRangeView::figure_name() const {
    const int sel = layer();
    return sel < 0 ? QString("long_range_mass_all_layers")
                   : QString("long_range_mass_L%1").arg(sel);
}

QStringList LongRangeView::figure_parameters() const {
    return {layer() < 0 ? QString("layers: mean over all") : QString("layer: %1").arg(layer()),
            QString("per-head lines: %1").arg(heads_->isChecked() ? "shown" : "hidden")};
}

}  // namespace rs::ui
