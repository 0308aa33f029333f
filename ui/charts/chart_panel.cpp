// ChartPanel: a QChartView rebuilt from the spec on a single-shot timer, plus tooltips and clicks
// mapped back to the spec's series and points.
#include "chart_panel.h"

#include <QContextMenuEvent>
#include <QCursor>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QXYSeries>
#include <cmath>
#include <limits>

#include "chart_builder.h"
#include "chart_legend.h"
#include "chart_title.h"

using namespace QtCharts;

namespace rs::ui {

namespace {

constexpr double kTitleRoom = 64;  // pixels of the view's width a title line may not use

QString bound_text(const std::optional<double>& v) {
    return v ? QString::number(*v, 'g', 8) : QString();
}

// An axis bound typed by the user: empty is automatic; anything else must be a finite number.
bool parse_bound(const QLineEdit* edit, std::optional<double>& out) {
    const QString text = edit->text().trimmed();
    if (text.isEmpty()) {
        out.reset();
        return true;
    }
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v)) return false;
    out = v;
    return true;
}

}  // namespace

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
    for (auto* legend : {bottom_legend_, right_legend_}) {
        legend->setToolTip("Click an entry to hide or show its series");
        legend->set_on_click([this](const QString& name) {
            set_series_hidden(name, !adjustments_.hidden.contains(name));
        });
    }
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

void ChartPanel::set_adjustments(ChartAdjustments adjustments) {
    adjustments_ = std::move(adjustments);
    redraw_.start();
}

void ChartPanel::set_series_hidden(const QString& name, bool hidden) {
    ChartAdjustments a = adjustments_;
    a.hidden.removeAll(name);
    if (hidden) a.hidden << name;
    set_adjustments(std::move(a));
}

void ChartPanel::reset_axes() {
    set_adjustments({});
}

ChartLegendWidget* ChartPanel::legend() const {
    return spec_.legend == LegendPlace::Right ? right_legend_ : bottom_legend_;
}

void ChartPanel::rebuild() {
    const ChartSpec shown = adjusted(spec_);
    BuiltChart built = build_chart(shown);
    QChart* old = view_->chart();
    view_->setChart(built.chart);  // the view owns the new chart; the old one is ours to delete
    delete old;
    // Series indices of the drawn spec back to spec_'s (hidden series are not drawn).
    std::vector<int> index_in_spec;
    for (int i = 0; i < int(spec_.series.size()); ++i)
        if (!adjustments_.hidden.contains(spec_.series[std::size_t(i)].name) ||
            spec_.series[std::size_t(i)].name.isEmpty())
            index_in_spec.push_back(i);
    origin_ = std::move(built.origin);
    for (auto& [drawn, index] : origin_) {
        index = index_in_spec[std::size_t(index)];
        connect(drawn, &QXYSeries::clicked, this,
                [this, s = drawn](const QPointF& p) { on_clicked(s, p); });
        connect(drawn, &QXYSeries::hovered, this,
                [this, s = drawn](const QPointF& p, bool state) { on_hovered(s, p, state); });
    }
    shown_title_ = shown.title;
    fit_title();
    empty_->setText(shown.empty_message);
    empty_->setVisible(!shown.has_points() && !shown.empty_message.isEmpty());
    // The legend lists hidden series too (greyed), so a click can bring them back.
    auto entries =
        spec_.legend == LegendPlace::Hidden ? std::vector<LegendEntry>{} : legend_entries(spec_);
    for (auto& e : entries) e.hidden = e.series && adjustments_.hidden.contains(e.name);
    const bool right = spec_.legend == LegendPlace::Right;
    bottom_legend_->set_entries(right ? std::vector<LegendEntry>{} : entries, false);
    right_legend_->set_entries(right ? entries : std::vector<LegendEntry>{}, true);
    footnote_->setText(shown.footnote);
    footnote_->setVisible(!shown.footnote.isEmpty());
}

void ChartPanel::fit_title() {
    // QtCharts elides a title wider than the chart ("… — 256 tok…"): wrap it instead.
    if (QChart* chart = view_->chart())
        chart->setTitle(fitted_chart_title(shown_title_, chart->titleFont(),
                                           std::max(40.0, view_->width() - kTitleRoom)));
}

void ChartPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    fit_title();
}

void ChartPanel::contextMenuEvent(QContextMenuEvent* event) {
    QMenu* menu = make_context_menu();
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
}

QMenu* ChartPanel::make_context_menu() {
    auto* menu = new QMenu(this);
    menu->addAction("Axis ranges…", this, [this] { edit_axis_ranges(); });
    QAction* outliers = menu->addAction("Leave outliers out of the automatic y range");
    outliers->setCheckable(true);
    outliers->setChecked(adjustments_.ignore_outliers);
    outliers->setToolTip("Points far beyond the bulk of the data (a loss spike) do not stretch "
                         "the y axis; the caption counts them");
    connect(outliers, &QAction::toggled, this, [this](bool on) {
        ChartAdjustments a = adjustments_;
        a.ignore_outliers = on;
        set_adjustments(std::move(a));
    });
    menu->addAction("Show all series", this, [this] {
        ChartAdjustments a = adjustments_;
        a.hidden.clear();
        set_adjustments(std::move(a));
    })->setEnabled(!adjustments_.hidden.isEmpty());
    menu->addAction("Reset axes and series", this, &ChartPanel::reset_axes);
    return menu;
}

QDialog* ChartPanel::edit_axis_ranges() {
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle("Axis ranges");
    auto* form = new QFormLayout(dialog);
    auto* hint = new QLabel("Leave a field empty for the automatic value.");
    form->addRow(hint);
    const AxisRange rx = chart_axis_range(adjusted(spec_), 0);
    const AxisRange ry = chart_axis_range(adjusted(spec_), 1);
    auto field = [&](const char* name, const QString& label, const std::optional<double>& v,
                     double automatic) {
        auto* edit = new QLineEdit(bound_text(v));
        edit->setObjectName(name);
        edit->setPlaceholderText(QString("auto (%1)").arg(automatic, 0, 'g', 4));
        form->addRow(label, edit);
        return edit;
    };
    QLineEdit* x_min = field("x_min", "x from", adjustments_.x.min, rx.min);
    QLineEdit* x_max = field("x_max", "x to", adjustments_.x.max, rx.max);
    QLineEdit* y_min = field("y_min", "y from", adjustments_.y.min, ry.min);
    QLineEdit* y_max = field("y_max", "y to", adjustments_.y.max, ry.max);
    auto* error = new QLabel;
    error->setStyleSheet("color: #b00020;");
    error->hide();
    form->addRow(error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [=, this] {
        ChartAdjustments a = adjustments_;
        const bool numbers = parse_bound(x_min, a.x.min) && parse_bound(x_max, a.x.max) &&
                             parse_bound(y_min, a.y.min) && parse_bound(y_max, a.y.max);
        const bool ordered = (!a.x.min || !a.x.max || *a.x.min < *a.x.max) &&
                             (!a.y.min || !a.y.max || *a.y.min < *a.y.max);
        const bool log_ok =
            (spec_.x.scale != AxisScale::Log || ((!a.x.min || *a.x.min > 0) && (!a.x.max || *a.x.max > 0))) &&
            (spec_.y.scale != AxisScale::Log || ((!a.y.min || *a.y.min > 0) && (!a.y.max || *a.y.max > 0)));
        if (!numbers || !ordered || !log_ok) {
            error->setText(!numbers  ? "Each field must be a number or empty."
                           : !ordered ? "Each axis must start below where it ends."
                                      : "A log axis needs positive bounds.");
            error->show();
            return;
        }
        set_adjustments(std::move(a));
        dialog->accept();
    });
    dialog->open();
    return dialog;
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
    render_chart_spec(adjusted(spec_), painter, target);
}

}  // namespace rs::ui
