// NoiseView: NoiseSweep -> Δloss and M(D) against sigma, one colour per noise target.
#include "noise_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "chart_builder.h"
#include "chart_panel.h"
#include "csv_text.h"
#include "noise_summary.h"
#include "series_colors.h"

namespace rs::ui {

namespace {

QColor target_color(NoiseTarget t) {
    return t == NoiseTarget::Real   ? real_color()
           : t == NoiseTarget::Imag ? imag_color()
                                    : both_color();
}

QString target_text(NoiseTarget t) {
    return t == NoiseTarget::Real   ? "noise on real"
           : t == NoiseTarget::Imag ? "noise on imaginary"
                                    : "noise on both";
}

// Targets in the sweep, in a fixed order, and each one's points sorted by sigma.
std::vector<std::pair<NoiseTarget, std::vector<const NoisePoint*>>> by_target(
    const NoiseSweep& sweep) {
    std::vector<std::pair<NoiseTarget, std::vector<const NoisePoint*>>> out;
    for (NoiseTarget t : {NoiseTarget::Real, NoiseTarget::Imag, NoiseTarget::Both}) {
        std::vector<const NoisePoint*> pts;
        for (const NoisePoint& p : sweep.points)
            if (p.target == t) pts.push_back(&p);
        if (pts.empty()) continue;
        std::stable_sort(pts.begin(), pts.end(), [](const NoisePoint* a, const NoisePoint* b) {
            return a->sigma < b->sigma;
        });
        out.emplace_back(t, std::move(pts));
    }
    return out;
}

constexpr double kChartGap = 12.0;

}  // namespace

NoiseView::NoiseView(QWidget* parent) : QWidget(parent) {
    threshold_ = new QComboBox(this);
    threshold_->setToolTip("Distance threshold D of the long-range mass chart");
    loss_ = new ChartPanel(this);
    loss_->set_figure_name("noise_delta_loss");
    mass_ = new ChartPanel(this);
    mass_->set_figure_name("noise_long_range_mass");
    breakdown_ = new QComboBox(this);
    breakdown_->setObjectName("noise_breakdown");
    breakdown_->addItem("Δ loss by σ", int(Breakdown::Sigma));
    breakdown_->addItem("Δ loss by query position", int(Breakdown::Position));
    breakdown_->addItem("Δ loss by distance to the token's last occurrence", int(Breakdown::Distance));
    breakdown_->setToolTip("Buckets: the largest σ of the sweep; docs/trace-format.md defines them");
    auto* controls = new QHBoxLayout;
    controls->addWidget(breakdown_);
    controls->addSpacing(12);
    controls->addWidget(new QLabel("Long-range mass at", this));
    controls->addWidget(threshold_);
    controls->addStretch(1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(loss_);
    split->addWidget(mass_);
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split, 1);
    refresh_.setSingleShot(true);
    refresh_.setInterval(0);
    connect(&refresh_, &QTimer::timeout, this, &NoiseView::refresh);
    connect(threshold_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            &NoiseView::schedule);
    connect(breakdown_, qOverload<int>(&QComboBox::currentIndexChanged), this, &NoiseView::schedule);
    refresh();
}

void NoiseView::set_breakdown(Breakdown b) {
    breakdown_->setCurrentIndex(breakdown_->findData(int(b)));
}

void NoiseView::set_sweeps(const std::vector<NoiseSweep>& sweeps, const HeadLayout* layout) {
    set_sweep(sweeps.empty() ? nullptr : &sweeps.back(), layout);
    if (sweeps.empty()) return;
    for (const NoiseSummary& s : summarize_noise(sweeps))
        if (s.sweeps.back() == sweeps.size() - 1) {
            replicates_.clear();
            for (std::size_t i : s.sweeps) replicates_.push_back(sweeps[i]);
        }
    schedule();
}

void NoiseView::set_sweep(const NoiseSweep* sweep, const HeadLayout* layout) {
    const std::vector<int> old = sweep_ ? sweep_->thresholds : std::vector<int>{};
    const int old_index = threshold_->currentIndex();
    sweep_.reset();
    replicates_.clear();
    if (sweep) {
        sweep_ = *sweep;
        replicates_.push_back(*sweep);
    }
    virtual_imag_ = layout && layout->variant == Variant::Rope;
    const QSignalBlocker block(threshold_);
    threshold_->clear();
    if (sweep_) {
        for (int d : sweep_->thresholds) threshold_->addItem(QString("D = %1").arg(d), d);
        const int keep = sweep_->thresholds == old ? old_index : int(sweep_->thresholds.size()) / 2;
        threshold_->setCurrentIndex(sweep_->thresholds.empty() ? -1 : keep);
    }
    schedule();
}

void NoiseView::set_threshold_index(int index) {
    threshold_->setCurrentIndex(index);
}
int NoiseView::threshold_index() const {
    return threshold_->currentIndex();
}

namespace {
// What an empty Noise tab says: how to get a sweep, from the GUI or the command line.
const char* const kNoSweepYet =
    "No noise experiment yet. With a checkpoint and a trace of it open, choose Run ▸ Noise "
    "experiment… (Ctrl+N), or make a trace with `ropescope-cli trace … --noise 0.5,1,2`.";
}  // namespace

QString NoiseView::threshold_text() const {
    const int ti = threshold_index();
    return sweep_ && ti >= 0 ? QString("M(D=%1)").arg(sweep_->thresholds[std::size_t(ti)])
                             : QString("M(D)");
}

// Mean Δ loss against sigma per target; with several seeds, the mean over them and dashed 95%
// interval bounds.
void NoiseView::add_sigma_series(ChartSpec& spec) const {
    const NoiseSummary sum = summarize_noise(replicates_).front();
    for (const auto& [target, points] : by_target(*sweep_)) {
        ChartSeriesSpec s, lo, hi;
        s.name = target_text(target);
        s.kind = SeriesKind::LineAndMarkers;
        s.color = target_color(target);
        s.width = 2.2;
        s.tag = int(target);
        lo.name = target_text(target) + QString(": 95% interval over %1 seeds").arg(replicates_.size());
        lo.color = target_color(target);
        lo.width = 1.0;
        lo.pen_style = Qt::DashLine;
        hi = lo;
        hi.in_legend = false;
        if (points.front()->sigma > 0) {  // the baseline itself
            s.points.emplace_back(0.0, 0.0);
            lo.points.emplace_back(0.0, 0.0);
            hi.points.emplace_back(0.0, 0.0);
        }
        for (const NoisePoint* p : points) {
            const auto& ci = sum.points[std::size_t(p - sweep_->points.data())].delta_nll;
            s.points.emplace_back(p->sigma, ci.mean);
            lo.points.emplace_back(p->sigma, ci.lo);
            hi.points.emplace_back(p->sigma, ci.hi);
        }
        spec.series.push_back(std::move(s));
        if (replicates_.size() > 1) {
            spec.series.push_back(std::move(lo));
            spec.series.push_back(std::move(hi));
        }
    }
}

// Δ loss by bucket at the sweep's largest sigma, one series per target (mean over seeds).
ChartSpec NoiseView::bucket_spec(Breakdown b) const {
    ChartSpec spec;
    const bool pos = b == Breakdown::Position;
    spec.title = pos ? "Loss under query noise, by query position" : "Loss under query noise, by distance";
    spec.x.title = pos ? "query position (bucket middle)" : "distance to the token's last occurrence (bucket middle)";
    spec.x.scale = AxisScale::Log;
    spec.x.log_base = 2.0;
    spec.y.title = "Δ loss (nats per token)";
    spec.y.include_zero = true;
    spec.empty_message = sweep_ ? "This sweep was stored without buckets (before they existed)." : kNoSweepYet;
    if (!sweep_ || sweep_->position_edges.empty()) return spec;
    const NoiseSummary sum = summarize_noise(replicates_).front();
    const std::vector<int>& edges = pos ? sweep_->position_edges : sweep_->distance_edges;
    double sigma = 0;
    for (const auto& p : sweep_->points) sigma = std::max(sigma, p.sigma);
    QString first_occurrence;
    for (std::size_t i = 0; i < sum.points.size(); ++i) {
        const NoiseSummaryPoint& p = sum.points[i];
        if (p.sigma != sigma) continue;
        ChartSeriesSpec s;
        s.name = target_text(p.target) + QString(", σ = %1").arg(sigma);
        s.kind = SeriesKind::LineAndMarkers;
        s.color = target_color(p.target);
        const auto& ci = pos ? p.delta_nll_by_position : p.delta_nll_by_distance;
        for (std::size_t k = 0; k + 1 < edges.size(); ++k)
            s.points.emplace_back(0.5 * (edges[k] + edges[k + 1]), ci[k].mean);
        if (!pos) first_occurrence += QString(" %1 %2;").arg(target_text(p.target)).arg(ci.back().mean, 0, 'f', 4);
        spec.series.push_back(std::move(s));
    }
    spec.footnote = QString("Mean over %1 seed(s) of the change in NLL of the predictions in each bucket.")
                        .arg(replicates_.size());
    if (!pos) spec.footnote += " Tokens not seen before:" + first_occurrence;
    return spec;
}

ChartSpec NoiseView::loss_spec() const {
    const auto b = Breakdown(breakdown_->currentData().toInt());
    if (b != Breakdown::Sigma) return bucket_spec(b);
    ChartSpec spec;
    spec.title = "Loss under query noise";
    spec.x.title = "noise σ (added to each rotated query component)";
    spec.x.include_zero = true;
    spec.y.title = "Δ loss (nats per token)";
    spec.y.include_zero = true;
    spec.empty_message = kNoSweepYet;
    if (!sweep_) return spec;
    add_sigma_series(spec);
    QString seeds;
    for (const auto& r : replicates_) seeds += (seeds.isEmpty() ? "" : ", ") + QString::number(r.seed);
    spec.footnote = QString("Baseline NLL %1 nats over %2 tokens, seed %3.")
                        .arg(sweep_->baseline_nll, 0, 'f', 4)
                        .arg(sweep_->tokens)
                        .arg(seeds);
    if (replicates_.size() > 1)
        spec.footnote = QString("Baseline NLL %1 nats over %2 tokens; mean over seeds %3, dashed: 95% "
                                "Student t interval.")
                            .arg(sweep_->baseline_nll, 0, 'f', 4)
                            .arg(sweep_->tokens)
                            .arg(seeds);
    if (virtual_imag_)
        spec.footnote +=
            " Vanilla RoPE: its imaginary heads are virtual, so noise on them cannot change the "
            "loss.";
    return spec;
}

ChartSpec NoiseView::mass_spec() const {
    ChartSpec spec;
    spec.title = "Long-range mass under query noise";
    spec.x.title = "noise σ (added to each rotated query component)";
    spec.x.include_zero = true;
    spec.y.title = "mean long-range mass " + threshold_text();  // not from 0: the changes are small
    spec.empty_message = kNoSweepYet;
    const int ti = threshold_index();
    if (!sweep_ || ti < 0) return spec;
    const std::size_t t = std::size_t(ti);
    const NoiseSummary sum = summarize_noise(replicates_).front();
    for (const auto& [target, points] : by_target(*sweep_)) {
        for (int kind = 0; kind < 2; ++kind) {
            ChartSeriesSpec s;
            s.name = target_text(target) + (kind == 0 ? ": real heads" : ": imaginary heads");
            s.kind = SeriesKind::LineAndMarkers;
            s.color = target_color(target);
            s.width = 2.0;
            s.marker_size = kind == 0 ? 7.0 : 6.0;
            s.pen_style = kind == 0 ? Qt::SolidLine : Qt::DashLine;
            s.tag = int(target) * 2 + kind;
            const auto& base = kind == 0 ? sweep_->baseline_mass_real : sweep_->baseline_mass_imag;
            if (points.front()->sigma > 0 && t < base.size()) s.points.emplace_back(0.0, base[t]);
            for (const NoisePoint* p : points) {  // the mean over seeds, like the loss chart
                const NoiseSummaryPoint& q = sum.points[std::size_t(p - sweep_->points.data())];
                const auto& m = kind == 0 ? q.mass_real : q.mass_imag;
                s.points.emplace_back(p->sigma, t < m.size() ? m[t].mean : std::nan(""));
            }
            spec.series.push_back(std::move(s));
        }
    }
    spec.footnote = "Solid: real heads; dashed: imaginary heads (mean over layers and heads";
    spec.footnote += replicates_.size() > 1 ? QString(", then over %1 seeds).").arg(replicates_.size()) : ").";
    return spec;
}

void NoiseView::schedule() {
    refresh_.start();
}

void NoiseView::flush() {
    if (refresh_.isActive()) {
        refresh_.stop();
        refresh();
    }
    loss_->flush();
    mass_->flush();
}

void NoiseView::refresh() {
    loss_->set_spec(loss_spec());
    mass_->set_spec(mass_spec());
}

void NoiseView::render_figure(QPainter& painter, const QRectF& target) const {
    const double half = (target.width() - kChartGap) / 2;
    render_chart_spec(loss_->adjusted(loss_spec()), painter,
                      QRectF(target.left(), target.top(), half, target.height()));
    render_chart_spec(
        mass_->adjusted(mass_spec()), painter,
        QRectF(target.left() + half + kChartGap, target.top(), half, target.height()));
}

// One row per (target, sigma) of the summary over seeds, the same numbers the charts draw: the
// mean, and with several seeds the s.d. and 95% t interval (empty with one seed).
QString NoiseView::figure_csv() const {
    QStringList header{"target", "sigma", "seeds", "mean_nll", "delta_nll", "delta_nll_sd",
                       "delta_nll_ci_low", "delta_nll_ci_high"};
    if (sweep_)
        for (int d : sweep_->thresholds)
            for (const char* kind : {"M_real", "M_imag"})
                header << QString("%1(D=%2)").arg(kind).arg(d) << QString("%1(D=%2)_ci_low").arg(kind).arg(d)
                       << QString("%1(D=%2)_ci_high").arg(kind).arg(d);
    CsvText csv(header);
    if (!sweep_) return csv.text();
    const QString n = QString::number(replicates_.size());
    QStringList base{"baseline", "0", n, csv_number(sweep_->baseline_nll), "0", "", "", ""};
    for (std::size_t t = 0; t < sweep_->thresholds.size(); ++t)
        for (const auto* m : {&sweep_->baseline_mass_real, &sweep_->baseline_mass_imag})
            base << csv_number(t < m->size() ? (*m)[t] : std::nan("")) << "" << "";
    csv.add_row(base);
    const NoiseSummary sum = summarize_noise(replicates_).front();
    auto interval = [](const SeedInterval& ci) {
        return QStringList{csv_number(ci.mean), csv_number(ci.lo), csv_number(ci.hi)};
    };
    for (const auto& [target, points] : by_target(*sweep_))
        for (const NoisePoint* p : points) {
            const NoiseSummaryPoint& q = sum.points[std::size_t(p - sweep_->points.data())];
            QStringList row{QString::fromStdString(noise_target_name(target)), csv_number(p->sigma),
                            QString::number(q.delta_nll.n), csv_number(q.mean_nll.mean),
                            csv_number(q.delta_nll.mean), csv_number(q.delta_nll.sd),
                            csv_number(q.delta_nll.lo), csv_number(q.delta_nll.hi)};
            for (std::size_t t = 0; t < sweep_->thresholds.size(); ++t)
                row << interval(q.mass_real[t]) << interval(q.mass_imag[t]);
            csv.add_row(row);
        }
    return csv.text();
}

}  // namespace rs::ui
