// HeadsView: controls, the grid and the twin scatter, rebuilt together on a single-shot timer.
#include "heads_view.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSplitter>
#include <QVBoxLayout>
#include <cmath>

#include "chart_builder.h"
#include "chart_panel.h"
#include "colormap.h"
#include "csv_text.h"
#include "heads_grid.h"
#include "series_colors.h"

namespace rs::ui {

namespace {

constexpr double kTitleHeight = 30.0;
constexpr double kScatterWidth = 360.0;

QString kind_name(const HeadLayout* layout, int head) {
    if (!layout || head >= layout->analysis_heads()) return "head";
    const HeadInfo& h = layout->heads[std::size_t(head)];
    return h.imag ? (h.is_virtual ? "virtual imag" : "imag") : "real";
}

QColor layer_color(int layer, int layers) {
    if (layers <= 10) return palette_color(layer);
    return QColor(colormap_rgb(Colormap::Viridis, 0.9 * layer / std::max(1, layers - 1)));
}

}  // namespace

HeadsView::HeadsView(QWidget* parent) : QWidget(parent) {
    threshold_ = new QComboBox(this);
    threshold_->setToolTip(
        "Long-range mass M(D): mean over queries t >= D of the attention probability on keys at "
        "distance >= D");
    arrangement_ = new QComboBox(this);
    arrangement_->addItem("real | imaginary groups", int(HeadArrangement::Grouped));
    arrangement_->addItem("twins interleaved", int(HeadArrangement::Interleaved));
    fixed_scale_ = new QCheckBox("colour scale 0–1", this);
    fixed_scale_->setToolTip(
        "Fix the colour scale to 0..1 so runs can be compared; otherwise 0..max of this run");
    grid_ = new HeadsGrid(this);
    grid_->set_empty_message("No run yet: run text through a model to see per-head statistics.");
    scatter_ = new ChartPanel(this);
    scatter_->set_figure_name("twin_scatter");

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel("Long-range mass at", this));
    controls->addWidget(threshold_);
    controls->addSpacing(12);
    controls->addWidget(new QLabel("Columns", this));
    controls->addWidget(arrangement_);
    controls->addSpacing(12);
    controls->addWidget(fixed_scale_);
    controls->addStretch(1);
    split_ = new QSplitter(Qt::Horizontal, this);
    split_->addWidget(grid_);
    split_->addWidget(scatter_);
    split_->setChildrenCollapsible(false);
    connect(split_, &QSplitter::splitterMoved, this, [this] { user_split_ = true; });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split_, 1);

    refresh_.setSingleShot(true);
    refresh_.setInterval(0);
    connect(&refresh_, &QTimer::timeout, this, &HeadsView::refresh);
    connect(threshold_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &HeadsView::schedule);
    connect(arrangement_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &HeadsView::schedule);
    connect(fixed_scale_, &QCheckBox::toggled, this, &HeadsView::schedule);
    connect(grid_, &HeadsGrid::head_activated, this, &HeadsView::head_activated);
    connect(scatter_, &ChartPanel::point_clicked, this, [this](int tag, int, int point) {
        if (tag < 0 || point < 0 || point >= int(pairs_.size())) return;  // the diagonal
        // A point is a twin pair; it activates the imaginary head (the real one is a click away
        // in the grid), and the grid highlights it.
        set_selected_head(tag, pairs_[std::size_t(point)].imag);
        emit head_activated(tag, pairs_[std::size_t(point)].imag);
    });
    refresh();
}

void HeadsView::set_run(const RunStats* stats, const HeadLayout* layout) {
    const std::vector<int> old = stats_ ? stats_->thresholds : std::vector<int>{};
    const int old_index = threshold_->currentIndex();
    stats_.reset();
    layout_.reset();
    if (stats) stats_ = *stats;
    if (layout && stats && layout->analysis_heads() == stats->heads) layout_ = *layout;
    pairs_ = twin_pairs(this->layout());
    QSignalBlocker block(threshold_);
    threshold_->clear();
    if (stats_) {
        for (int d : stats_->thresholds) threshold_->addItem(QString("D = %1").arg(d), d);
        const int keep = stats_->thresholds == old ? old_index : int(stats_->thresholds.size()) / 2;
        threshold_->setCurrentIndex(stats_->thresholds.empty() ? -1 : keep);
    }
    grid_->set_selected(std::nullopt);
    schedule();
}

void HeadsView::set_threshold_index(int index) {
    threshold_->setCurrentIndex(index);
}
int HeadsView::threshold_index() const {
    return threshold_->currentIndex();
}

void HeadsView::set_arrangement(HeadArrangement arrangement) {
    arrangement_->setCurrentIndex(arrangement_->findData(int(arrangement)));
}

HeadArrangement HeadsView::arrangement() const {
    return HeadArrangement(arrangement_->currentData().toInt());
}

void HeadsView::set_fixed_color_scale(bool fixed) {
    fixed_scale_->setChecked(fixed);
}

void HeadsView::set_selected_head(int layer, int head) {
    grid_->set_selected(HeadGridCell{layer, head});
}

void HeadsView::schedule() {
    refresh_.start();
}

void HeadsView::flush() {
    if (refresh_.isActive()) {
        refresh_.stop();
        refresh();
    }
    scatter_->flush();
}

double HeadsView::mass(int layer, int head) const {
    const int ti = threshold_->currentIndex();
    if (!stats_ || ti < 0 || layer < 0 || layer >= stats_->layers || head < 0 ||
        head >= stats_->heads)
        return std::nan("");
    const std::size_t i = std::size_t(layer) * stats_->heads + head;
    if (i < stats_->observed.size() && !stats_->observed[i]) return std::nan("");
    const auto& m = stats_->at(layer, head).long_range_mass;
    return std::size_t(ti) < m.size() ? m[std::size_t(ti)] : std::nan("");
}

QString HeadsView::threshold_title() const {
    const int ti = threshold_->currentIndex();
    if (!stats_ || ti < 0) return "M(D)";
    return QString("M(D=%1)").arg(stats_->thresholds[std::size_t(ti)]);
}

void HeadsView::refresh() {
    if (!stats_) {
        grid_->set_data(0, 0, {}, {});
        scatter_->set_spec(scatter_spec());
        return;
    }
    const int L = stats_->layers, H = stats_->heads;
    std::vector<double> values(std::size_t(L) * H);
    std::vector<QString> tips(values.size());
    double max_v = 0.0;
    for (int l = 0; l < L; ++l) {
        for (int h = 0; h < H; ++h) {
            const std::size_t i = std::size_t(l) * H + h;
            values[i] = mass(l, h);
            if (std::isfinite(values[i])) max_v = std::max(max_v, values[i]);
            const HeadStats& s = stats_->at(l, h);
            QString tip = QString("layer %1, %2").arg(l).arg(head_label(layout(), h));
            if (std::isfinite(values[i]))
                tip += QString("\n%1 = %2\nmean distance %3 tokens\nentropy %4 nats")
                           .arg(threshold_title())
                           .arg(values[i], 0, 'f', 4)
                           .arg(s.mean_distance, 0, 'f', 1)
                           .arg(s.entropy, 0, 'f', 3);
            else
                tip += "\nnot computed";
            tips[i] = tip;
        }
    }
    grid_->set_data(L, H, std::move(values), head_columns(layout(), H, arrangement()),
                    std::move(tips));
    // 0..max rounded up to 0.05, so small masses still use the whole colormap.
    const double hi =
        fixed_scale_->isChecked() ? 1.0 : std::max(0.05, std::ceil(max_v * 20.0 - 1e-9) / 20.0);
    grid_->set_color_range(0.0, hi);
    grid_->set_value_title(threshold_title());
    scatter_->set_spec(scatter_spec());
    size_split();
}

void HeadsView::size_split() {
    // The grid gets its natural width, but at least 40 % (a small model's grid would otherwise sit
    // tiny in a corner) and at most 60 %; the scatter the rest, until the user decides.
    if (user_split_) return;
    const int total = split_->width() - split_->handleWidth();
    const int grid_w =
        std::clamp(int(grid_->natural_size().width()) + 8, total * 2 / 5, total * 3 / 5);
    split_->setSizes({grid_w, std::max(0, total - grid_w)});
}

void HeadsView::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    size_split();
}

ChartSpec HeadsView::scatter_spec() const {
    ChartSpec spec;
    spec.title = "Real vs imaginary twins";
    const QString m = threshold_title();
    spec.x.title = "real head " + m;
    spec.y.title = "imaginary head " + m;
    spec.x.include_zero = spec.y.include_zero = true;
    spec.equal_axes = true;
    spec.legend = LegendPlace::Bottom;
    if (!stats_) {
        spec.empty_message = "no run";
        return spec;
    }
    if (pairs_.empty()) {
        spec.empty_message = "this model has no real/imaginary twin heads";
        return spec;
    }
    spec.empty_message = "no imaginary heads were computed in this run";
    const HeadLayout* lay = layout();
    double hi = 0.0;
    for (int l = 0; l < stats_->layers; ++l) {
        ChartSeriesSpec s;
        s.name = QString("layer %1").arg(l);
        s.kind = SeriesKind::Scatter;
        s.color = layer_color(l, stats_->layers);
        s.marker_size = 8.0;
        s.tag = l;
        s.in_legend = stats_->layers <= 10;
        for (const TwinPair& p : pairs_) {
            const double re = mass(l, p.real), im = mass(l, p.imag);
            s.points.emplace_back(re, im);
            s.point_labels.push_back(
                QString("L%1 q%2: real %3, imag %4%5")
                    .arg(l)
                    .arg(lay->heads[std::size_t(p.real)].query_head)
                    .arg(re, 0, 'f', 4)
                    .arg(im, 0, 'f', 4)
                    .arg(lay->heads[std::size_t(p.imag)].is_virtual ? " (virtual)" : ""));
            if (std::isfinite(re)) hi = std::max(hi, re);
            if (std::isfinite(im)) hi = std::max(hi, im);
        }
        spec.series.push_back(std::move(s));
    }
    if (stats_->layers > 10) spec.footnote = "Colour: layer (dark = first, yellow = last).";
    ChartSeriesSpec diag;
    diag.name = "imag = real";
    diag.color = QColor(150, 150, 150);
    diag.width = 1.2;
    diag.pen_style = Qt::DashLine;
    const double top = hi > 0 ? hi * 1.05 : 1.0;
    diag.points = {QPointF(0, 0), QPointF(top, top)};
    spec.series.push_back(std::move(diag));
    return spec;
}

QSizeF HeadsView::figure_size() const {
    const QSizeF g = grid_->natural_size();
    return {g.width() + kScatterWidth + 10, kTitleHeight + std::max(g.height(), 340.0)};
}

void HeadsView::render_figure(QPainter& painter, const QRectF& target) const {
    painter.save();
    painter.setFont(chart_font(14, true));
    painter.setPen(QColor(40, 40, 40));
    painter.drawText(
        QRectF(target.left(), target.top(), target.width(), kTitleHeight), Qt::AlignCenter,
        QString("Long-range attention mass %1 by layer and head").arg(threshold_title()));
    const QSizeF natural = figure_size();
    const double sx = target.width() / natural.width();  // stretch the parts with the target
    const double grid_w = (natural.width() - kScatterWidth - 10) * sx;
    const QRectF body(target.left(), target.top() + kTitleHeight, target.width(),
                      target.height() - kTitleHeight);
    grid_->render(painter, QRectF(body.left(), body.top(), grid_w, body.height()), false);
    render_chart_spec(
        scatter_->adjusted(scatter_spec()), painter,
        QRectF(body.left() + grid_w + 10 * sx, body.top(), kScatterWidth * sx, body.height()));
    painter.restore();
}

QString HeadsView::figure_csv() const {
    QStringList header{"layer", "head", "label", "kind", "twin", "observed"};
    if (stats_)
        for (int d : stats_->thresholds) header << QString("M(D=%1)").arg(d);
    header << "mean_distance"
           << "entropy";
    CsvText csv(header);
    if (!stats_) return csv.text();
    const HeadLayout* lay = layout();
    for (int l = 0; l < stats_->layers; ++l) {
        for (int h = 0; h < stats_->heads; ++h) {
            const std::size_t i = std::size_t(l) * stats_->heads + h;
            const bool observed = i >= stats_->observed.size() || stats_->observed[i];
            const HeadStats& s = stats_->at(l, h);
            const int twin = lay ? lay->heads[std::size_t(h)].twin : -1;
            QStringList row{QString::number(l),
                            QString::number(h),
                            lay ? QString::fromStdString(lay->label(h)) : QString("h%1").arg(h),
                            kind_name(lay, h),
                            QString::number(twin),
                            observed ? "1" : "0"};
            for (std::size_t t = 0; t < stats_->thresholds.size(); ++t)
                row << csv_number(observed && t < s.long_range_mass.size() ? s.long_range_mass[t]
                                                                           : std::nan(""));
            row << csv_number(observed ? s.mean_distance : std::nan(""))
                << csv_number(observed ? s.entropy : std::nan(""));
            csv.add_row(row);
        }
    }
    return csv.text();
}

QString HeadsView::figure_name() const {
    const int ti = threshold_->currentIndex();
    if (!stats_ || ti < 0) return "heads_long_range_mass";
    return QString("heads_long_range_mass_D%1").arg(stats_->thresholds[std::size_t(ti)]);
}

}  // namespace rs::ui
