// CurvesView: theory controls and head overlays feeding decay_chart(), redrawn on a timer.
#include "curves_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

#include "error.h"
#include "chart_builder.h"
#include "chart_panel.h"

namespace rs::ui {

namespace {

// The bases field in the list grammar of core/io/number_list.h; nullopt and *error (one sentence)
// when it does not parse.
std::optional<std::vector<double>> parse_bases(const QString& text, QString* error) {
    try {
        auto bases = parse_number_list(text.toStdString(), "Bases", kDecayBaseBounds);
        if (error) error->clear();
        return bases;
    } catch (const UsageError& e) {
        if (error) *error = QString::fromStdString(e.what());
        return std::nullopt;
    }
}

QString bases_text(const std::vector<double>& bases) {
    QStringList parts;
    for (double b : bases) parts << QString::number(b, 'g', 12);
    return parts.join(", ");
}

// "1:3, 0 5; L2 h1" -> {(1,3), (0,5), (2,1)}; nullopt when a part is not a layer/head pair.
std::optional<std::vector<std::pair<int, int>>> parse_heads(const QString& text) {
    std::vector<std::pair<int, int>> out;
    const QRegularExpression pair("^\\s*[Ll]?(\\d+)\\s*[: ]\\s*[Hh]?(\\d+)\\s*$");
    for (const QString& part : text.split(QRegularExpression("[,;]"), Qt::SkipEmptyParts)) {
        if (part.trimmed().isEmpty()) continue;
        const auto m = pair.match(part);
        if (!m.hasMatch()) return std::nullopt;
        out.emplace_back(m.captured(1).toInt(), m.captured(2).toInt());
    }
    return out;
}

QString heads_text(const std::vector<std::pair<int, int>>& heads) {
    QStringList parts;
    for (const auto& [l, h] : heads) parts << QString("%1:%2").arg(l).arg(h);
    return parts.join(", ");
}

}  // namespace

CurvesView::CurvesView(QWidget* parent) : QWidget(parent) {
    bases_ = new QLineEdit(this);
    bases_->setToolTip(
        "Frequency bases b (rope_theta), separated by commas; k/M suffixes allowed: 10k, 500k, 1M");
    head_dim_ = new QSpinBox(this);
    head_dim_->setRange(2, 1024);
    head_dim_->setSingleStep(2);
    partial_ = new QDoubleSpinBox(this);
    partial_->setRange(0.01, 1.0);
    partial_->setSingleStep(0.05);
    partial_->setDecimals(3);
    partial_->setToolTip("partial_rotary_factor: fraction of the head dimension that is rotated");
    scaling_ = new QComboBox(this);
    scaling_->addItem("no scaling", int(DecayScaling::None));
    scaling_->addItem("linear PI", int(DecayScaling::Linear));
    scaling_->addItem("YaRN (upstream)", int(DecayScaling::Yarn));
    factor_ = new QDoubleSpinBox(this);
    factor_->setRange(1.0, 1024.0);
    factor_->setDecimals(2);
    factor_->setPrefix("× ");
    discrete_ = new QCheckBox("discrete sum", this);
    closed_ = new QCheckBox("Ci/Si closed form", this);
    local_ = new QCheckBox(this);
    local_->setObjectName("local_rope");
    local_->setToolTip("The sliding-window layers' RoPE (rope_local_base_freq): drawn without the "
                       "scaling, as the model applies it");
    axis_ = new QComboBox(this);
    axis_->addItem("log distance", true);
    axis_->addItem("linear distance", false);
    max_distance_ = new QSpinBox(this);
    max_distance_->setRange(2, 1 << 21);
    max_distance_->setSingleStep(1024);
    max_distance_->setPrefix("Δ ≤ ");
    auto* paper = new QPushButton("Paper Fig. 1", this);
    paper->setObjectName("paper_fig1");
    paper->setToolTip("Liu et al., Figure 1: base 10k, head dim 128, linear distance up to 256");
    heads_ = new QLineEdit(this);
    heads_->setPlaceholderText("layer:head, e.g. 1:3, 0:5");
    heads_->setToolTip("Heads of the current run to overlay, as layer:head pairs");
    status_ = new QLabel(this);
    status_->setStyleSheet("color: #b00020;");
    status_->setWordWrap(true);
    chart_ = new ChartPanel(this);
    chart_->set_figure_name("decay_curves");
    chart_->set_figure_size(figure_size());

    auto* grid = new QGridLayout;
    grid->addWidget(new QLabel("Bases", this), 0, 0);
    grid->addWidget(bases_, 0, 1, 1, 3);
    grid->addWidget(new QLabel("Head dim", this), 0, 4);
    grid->addWidget(head_dim_, 0, 5);
    grid->addWidget(new QLabel("Rotary fraction", this), 0, 6);
    grid->addWidget(partial_, 0, 7);
    grid->addWidget(scaling_, 0, 8);
    grid->addWidget(factor_, 0, 9);
    grid->addWidget(discrete_, 1, 0, 1, 2);
    grid->addWidget(closed_, 1, 2);
    grid->addWidget(axis_, 1, 3);
    grid->addWidget(max_distance_, 1, 4, 1, 2);
    grid->addWidget(new QLabel("Overlay heads", this), 1, 6);
    grid->addWidget(heads_, 1, 7, 1, 2);
    grid->addWidget(paper, 1, 9);
    grid->addWidget(local_, 2, 0, 1, 4);
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(7, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(grid);
    layout->addWidget(status_);
    layout->addWidget(chart_, 1);

    fill_controls(DecaySettings{});
    refresh_.setSingleShot(true);
    refresh_.setInterval(0);
    connect(&refresh_, &QTimer::timeout, this, &CurvesView::refresh);
    connect(bases_, &QLineEdit::textChanged, this, &CurvesView::schedule);
    connect(head_dim_, qOverload<int>(&QSpinBox::valueChanged), this, &CurvesView::schedule);
    connect(partial_, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            &CurvesView::schedule);
    connect(scaling_, qOverload<int>(&QComboBox::currentIndexChanged), this, &CurvesView::schedule);
    connect(factor_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &CurvesView::schedule);
    connect(discrete_, &QCheckBox::toggled, this, &CurvesView::schedule);
    connect(local_, &QCheckBox::toggled, this, &CurvesView::schedule);
    connect(closed_, &QCheckBox::toggled, this, [this](bool on) {
        if (closed_->isEnabled()) closed_wanted_ = on;
        schedule();
    });
    connect(paper, &QPushButton::clicked, this, [this] { set_settings(paper_figure1()); });
    connect(axis_, qOverload<int>(&QComboBox::currentIndexChanged), this, &CurvesView::schedule);
    connect(max_distance_, qOverload<int>(&QSpinBox::valueChanged), this, &CurvesView::schedule);
    connect(heads_, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (auto heads = parse_heads(text)) overlays_ = std::move(*heads);
        schedule();
    });
    refresh();
}

void CurvesView::fill_controls(const DecaySettings& s) {
    const QSignalBlocker b1(bases_), b2(head_dim_), b3(partial_), b4(scaling_), b5(factor_),
        b6(discrete_), b7(closed_), b8(axis_), b9(max_distance_), b10(local_);
    bases_->setText(bases_text(s.bases));
    head_dim_->setValue(s.head_dim);
    partial_->setValue(s.partial_rotary);
    scaling_->setCurrentIndex(scaling_->findData(int(s.scaling)));
    factor_->setValue(s.factor);
    factor_->setEnabled(s.scaling != DecayScaling::None);
    discrete_->setChecked(s.discrete);
    closed_wanted_ = s.closed_form;
    closed_->setChecked(s.closed_form);
    axis_->setCurrentIndex(s.log_distance ? 0 : 1);
    max_distance_->setValue(int(std::min<double>(s.max_distance, max_distance_->maximum())));
    if (s.local_base > 0) local_base_ = s.local_base;
    local_->setChecked(s.local_base > 0);
    local_->setText(QString("local RoPE b=%1 (sliding-window layers), unscaled")
                        .arg(format_base(local_base_)));
    local_->setHidden(local_base_ <= 0);
}

void CurvesView::set_settings(const DecaySettings& settings) {
    fill_controls(settings);
    schedule();
}

std::optional<DecaySettings> CurvesView::settings() const {
    DecaySettings s;
    auto bases = parse_bases(bases_->text(), nullptr);
    if (!bases) return std::nullopt;
    s.bases = std::move(*bases);
    s.head_dim = head_dim_->value();
    s.partial_rotary = partial_->value();
    s.scaling = DecayScaling(scaling_->currentData().toInt());
    s.factor = factor_->value();
    s.discrete = discrete_->isChecked();
    s.closed_form = closed_->isEnabled() && closed_->isChecked();
    s.log_distance = axis_->currentData().toBool();
    s.max_distance = max_distance_->value();
    s.local_base = local_base_ > 0 && local_->isChecked() ? local_base_ : 0.0;
    return s;
}

void CurvesView::set_model_rope(const RopeParams& params, const std::vector<double>& run_inv_freq,
                                std::vector<std::vector<double>> layer_inv_freq, double local_base) {
    model_rope_ = params;
    model_inv_freq_ = run_inv_freq.empty() ? make_rope_spectrum(params).inv_freq : run_inv_freq;
    layer_inv_freq_ = std::move(layer_inv_freq);
    DecaySettings s = settings().value_or(DecaySettings{});
    std::vector<double> bases{params.theta};
    // The local base is drawn unscaled on its own line; the same base scaled would look like it.
    auto same = [](double a, double b) { return std::abs(a - b) <= 1e-9 * b; };
    for (double b : s.bases)
        if (!same(b, params.theta) && !(local_base > 0 && same(b, local_base))) bases.push_back(b);
    if (bases.size() > kDecayBaseBounds.max_count) bases.resize(kDecayBaseBounds.max_count);
    s.bases = bases;
    s.head_dim = params.head_dim;
    s.partial_rotary = params.partial_rotary_factor;
    s.scaling = decay_scaling_of(params);
    s.factor = decay_factor_of(params);
    local_base_ = local_base;
    s.local_base = local_base;
    fill_controls(s);
    schedule();
}

void CurvesView::set_run(const RunStats* stats, const HeadLayout* layout) {
    stats_.reset();
    layout_.reset();
    if (stats) stats_ = *stats;
    if (layout && stats && layout->analysis_heads() == stats->heads) layout_ = *layout;
    schedule();
}

void CurvesView::set_overlay_heads(std::vector<std::pair<int, int>> heads) {
    overlays_ = std::move(heads);
    const QSignalBlocker block(heads_);
    heads_->setText(heads_text(overlays_));
    schedule();
}

std::vector<HeadDecayCurve> CurvesView::head_curves(const DecaySettings& s) const {
    std::vector<HeadDecayCurve> out;
    if (!stats_ || model_inv_freq_.empty()) return out;
    const auto distances = decay_distances(s.max_distance, s.log_distance);
    for (const auto& [layer, head] : overlays_) {
        if (layer < 0 || layer >= stats_->layers || head < 0 || head >= stats_->heads) continue;
        const auto& inv_freq =
            std::size_t(layer) < layer_inv_freq_.size() ? layer_inv_freq_[std::size_t(layer)] : model_inv_freq_;
        out.push_back(head_decay_curve(*stats_, layout_ ? &*layout_ : nullptr, inv_freq, layer, head, distances));
    }
    return out;
}

ChartSpec CurvesView::spec() const {
    QString error;
    if (!parse_bases(bases_->text(), &error)) {
        ChartSpec empty;
        empty.title = "RoPE decay with distance";
        empty.empty_message = error;
        return empty;
    }
    const DecaySettings s = *settings();
    try {
        return decay_chart(s, head_curves(s));
    } catch (const Error& e) {
        ChartSpec empty;
        empty.title = "RoPE decay with distance";
        empty.empty_message = QString::fromStdString(e.what());
        return empty;
    }
}

void CurvesView::schedule() {
    refresh_.start();
}

void CurvesView::flush() {
    if (refresh_.isActive()) {
        refresh_.stop();
        refresh();
    }
    chart_->flush();
}

DecaySettings CurvesView::paper_figure1() {
    DecaySettings s;
    s.bases = {10000.0};
    s.head_dim = 128;
    s.partial_rotary = 1.0;
    s.scaling = DecayScaling::None;
    s.factor = 1.0;
    s.discrete = s.closed_form = true;
    s.log_distance = false;
    s.max_distance = 256;
    return s;
}

void CurvesView::refresh() {
    const auto scaling = DecayScaling(scaling_->currentData().toInt());
    factor_->setEnabled(scaling != DecayScaling::None);
    {
        // Upstream YaRN's spectrum has no closed form: the box must not say one is drawn.
        const QSignalBlocker block(closed_);
        closed_->setEnabled(scaling != DecayScaling::Yarn);
        closed_->setChecked(scaling != DecayScaling::Yarn && closed_wanted_);
        closed_->setToolTip(scaling == DecayScaling::Yarn
                                ? "YaRN blends frequencies: no Ci/Si closed form exists"
                                : "The Ci/Si closed form of the sums (geometric spectrum)");
    }
    QString error;
    if (!parse_bases(bases_->text(), &error)) {
        error_ = error;
    } else if (!parse_heads(heads_->text())) {
        error_ = "overlay heads: write layer:head pairs, e.g. 1:3, 0:5";
    } else {
        error_.clear();
        try {
            const DecaySettings s = *settings();
            for (double b : s.bases) make_rope_spectrum(decay_rope_params(s, b));
        } catch (const Error& e) {
            error_ = QString::fromStdString(e.what());
        }
    }
    if (error_.isEmpty() && !overlays_.empty() && (!stats_ || model_inv_freq_.empty()))
        error_ = "run text through a model to overlay its heads";
    warning_.clear();
    if (const auto settings_now = settings(); settings_now && !overlays_.empty() && model_rope_) {
        const DecaySettings& s = *settings_now;
        const RopeParams& m = *model_rope_;
        const auto model_scaling = decay_scaling_of(m);
        const double model_factor = decay_factor_of(m);
        QStringList differ;
        if (s.head_dim != m.head_dim)
            differ << QString("head dim %1, not %2").arg(m.head_dim).arg(s.head_dim);
        if (std::abs(s.partial_rotary - m.partial_rotary_factor) > 1e-9)
            differ << QString("rotary fraction %1").arg(m.partial_rotary_factor);
        if (s.scaling != model_scaling ||
            (s.scaling != DecayScaling::None && std::abs(s.factor - model_factor) > 1e-9))
            differ << (model_scaling == DecayScaling::None
                           ? QString("no scaling")
                           : QString("%1 ×%2")
                                 .arg(model_scaling == DecayScaling::Yarn ? "YaRN" : "linear PI")
                                 .arg(model_factor));
        if (!differ.isEmpty())
            warning_ = "The overlaid heads' model has " + differ.join(", ") +
                       ": the theory curves drawn are not its own.";
    }
    const QString shown = error_.isEmpty() ? warning_ : error_;
    status_->setText(shown);
    status_->setVisible(!shown.isEmpty());
    chart_->set_spec(spec());
    emit settings_changed();
}

void CurvesView::render_figure(QPainter& painter, const QRectF& target) const {
    // spec(): current even while a redraw is pending; adjusted as the user set the chart.
    render_chart_spec(chart_->adjusted(spec()), painter, target);
}

QString CurvesView::figure_csv() const {
    return chart_csv(chart_->adjusted(spec()));
}

QStringList CurvesView::figure_parameters() const {
    const auto s = settings();
    if (!s) return {};
    QStringList bases;
    for (double b : s->bases) bases << format_base(b);
    QString scaling = "none";
    if (s->scaling == DecayScaling::Linear) scaling = QString("linear PI ×%1").arg(s->factor);
    if (s->scaling == DecayScaling::Yarn) scaling = QString("YaRN ×%1").arg(s->factor);
    QStringList curves;
    if (s->discrete) curves << "exact sums";
    if (s->closed_form) curves << "Ci/Si closed form";
    QStringList p{"bases: " + bases.join(", "),
                  QString("head dim: %1").arg(s->head_dim),
                  QString("rotary fraction: %1").arg(s->partial_rotary),
                  "scaling: " + scaling,
                  QString("distance: %1, 0 ≤ Δ ≤ %2")
                      .arg(s->log_distance ? "log" : "linear")
                      .arg(s->max_distance),
                  "curves: " + (curves.isEmpty() ? QString("none") : curves.join(" + "))};
    if (s->local_base > 0)
        p << "local base (sliding-window layers, unscaled): " + format_base(s->local_base);
    if (!overlays_.empty()) {
        QStringList heads;
        for (const auto& [l, h] : overlays_) heads << QString("%1:%2").arg(l).arg(h);
        p << "overlaid heads (layer:head): " + heads.join(", ");
    }
    return p;
}

}  // namespace rs::ui
