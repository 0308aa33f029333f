// HeadsGrid: geometry shared by painting, hit testing and export; cells, headers and colour bar.
#include "heads_grid.h"

#include <QFontMetricsF>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "chart_builder.h"

namespace rs::ui {

namespace {

constexpr double kGroupGap = 8.0;
constexpr double kMaxCellW = 64.0, kMaxCellH = 56.0;  // a few-layer grid stays near square
constexpr double kBarWidth = 12.0;
const QColor kText(40, 40, 40);
const QColor kMissing(232, 232, 232);

double text_width(const QFont& f, const QString& s) {
    return QFontMetricsF(f).horizontalAdvance(s);
}

// Room right of the cells: gap, bar, ticks, tick labels, rotated title.
double colorbar_block_width() {
    return 10 + kBarWidth + 4 + text_width(chart_font(10), "0.000") + 6 +
           QFontMetricsF(chart_font(11)).height() + 4;
}

bool dark(QRgb c) {
    return 0.299 * qRed(c) + 0.587 * qGreen(c) + 0.114 * qBlue(c) < 140;
}

double nice_step(double span) {
    const double raw = span / 4;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    return (f < 1.5 ? 1.0 : f < 3.0 ? 2.0 : f < 7.0 ? 5.0 : 10.0) * mag;
}

}  // namespace

HeadsGrid::HeadsGrid(QWidget* parent) : QWidget(parent) {
    setMouseTracking(false);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void HeadsGrid::set_data(int layers, int heads, std::vector<double> values,
                         std::vector<HeadColumn> columns, std::vector<QString> tooltips) {
    layers_ = layers;
    heads_ = heads;
    values_ = std::move(values);
    columns_ = std::move(columns);
    tooltips_ = std::move(tooltips);
    updateGeometry();
    update();
}

void HeadsGrid::set_color_range(double lo, double hi) {
    lo_ = lo;
    hi_ = hi > lo ? hi : lo + 1.0;
    update();
}

void HeadsGrid::set_value_title(const QString& title) {
    value_title_ = title;
    update();
}

void HeadsGrid::set_colormap(Colormap map) {
    colormap_ = map;
    update();
}

void HeadsGrid::set_selected(std::optional<HeadGridCell> cell) {
    selected_ = cell;
    update();
}

double HeadsGrid::value(int layer, int head) const {
    const std::size_t i = std::size_t(layer) * heads_ + head;
    return i < values_.size() ? values_[i] : std::nan("");
}

HeadsGrid::Geometry HeadsGrid::geometry(const QRectF& area) const {
    Geometry g;
    const QFont row_font = chart_font(11), caption_font = chart_font(11, true),
                col_font = chart_font(10);
    const double left = text_width(row_font, QString("L%1").arg(std::max(0, layers_ - 1))) + 10;
    const double top = QFontMetricsF(caption_font).height() + QFontMetricsF(col_font).height() + 8;
    const double right = colorbar_block_width();
    int groups = 0;
    for (const auto& c : columns_) groups += c.starts_group;
    const int ncols = std::max<int>(1, int(columns_.size()));
    const double avail_w = area.width() - left - right - kGroupGap * std::max(0, groups - 1);
    const double avail_h = area.height() - top - 4;
    g.cell_w = std::clamp(avail_w / ncols, 1.0, kMaxCellW);
    g.cell_h = std::clamp(avail_h / std::max(1, layers_), 1.0, kMaxCellH);
    g.gap = kGroupGap;
    double x = area.left() + left;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i > 0 && columns_[i].starts_group) x += kGroupGap;
        g.column_x.push_back(x);
        x += g.cell_w;
    }
    g.cells =
        QRectF(area.left() + left, area.top() + top, x - (area.left() + left), g.cell_h * layers_);
    const double bar_h = std::max(g.cells.height(), std::min(170.0, avail_h));
    g.bar = QRectF(x + 10, g.cells.top(), kBarWidth, bar_h);
    return g;
}

QSizeF HeadsGrid::natural_size() const {
    // The size at which geometry() gives 36 x 22 unit cells: margins measured from a huge area.
    const QRectF huge(0, 0, 1e5, 1e5);
    const Geometry g = geometry(huge);
    const double right = colorbar_block_width();
    const double groups_gap = g.cells.width() - g.cell_w * double(columns_.size());
    // Big models get smaller cells (values stop fitting, colours and tooltips remain).
    const double ncols = double(std::max<std::size_t>(1, columns_.size()));
    const double cell_w = ncols <= 24 ? 36.0 : ncols <= 40 ? 30.0 : std::max(12.0, 1200.0 / ncols);
    const double cell_h = layers_ <= 24 ? 22.0 : std::max(10.0, 528.0 / layers_);
    const double w = g.cells.left() + cell_w * ncols + groups_gap + right;
    const double h = g.cells.top() + std::max(cell_h * std::max(1, layers_), 170.0) + 4;
    return {w, h};
}

QSize HeadsGrid::sizeHint() const {
    return natural_size().toSize();
}

void HeadsGrid::draw_colorbar(QPainter& p, const Geometry& g) const {
    const QRectF bar = g.bar;
    QLinearGradient grad(bar.bottomLeft(), bar.topLeft());
    const auto& table = colormap_table(colormap_);
    for (int i = 0; i <= 32; ++i)
        grad.setColorAt(i / 32.0, QColor(table[std::size_t(std::min(255, i * 8))]));
    p.fillRect(bar, grad);
    p.setPen(QPen(QColor(120, 120, 120), 0.8));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    const QFont tick_font = chart_font(10);
    p.setFont(tick_font);
    p.setPen(kText);
    const double step = nice_step(hi_ - lo_);
    const int decimals = std::max(0, int(std::ceil(-std::log10(step) - 1e-9)));
    const double fh = QFontMetricsF(tick_font).height();
    double max_label = 0;
    for (double v = std::ceil(lo_ / step - 1e-9) * step; v <= hi_ + step * 1e-9; v += step) {
        const double y = bar.bottom() - (v - lo_) / (hi_ - lo_) * bar.height();
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
        const QString label = QString::number(v, 'f', decimals);
        max_label = std::max(max_label, text_width(tick_font, label));
        p.drawText(QRectF(bar.right() + 5, y - fh / 2, 60, fh), Qt::AlignLeft | Qt::AlignVCenter,
                   label);
    }
    if (!value_title_.isEmpty()) {
        p.save();
        p.setFont(chart_font(11));
        const double x = bar.right() + 5 + max_label + 6;
        p.translate(x, bar.center().y());
        p.rotate(90);
        const double fh2 = QFontMetricsF(chart_font(11)).height();
        p.drawText(QRectF(-bar.height() / 2 - 40, -fh2, bar.height() + 80, fh2), Qt::AlignCenter,
                   value_title_);
        p.restore();
    }
}

void HeadsGrid::render(QPainter& p, const QRectF& area, bool show_selection) const {
    p.save();
    if (layers_ == 0 || columns_.empty()) {
        p.setFont(chart_font(13));
        p.setPen(QColor(110, 110, 110));
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                   empty_message_.isEmpty() ? QString("no heads to show") : empty_message_);
        p.restore();
        return;
    }
    const Geometry g = geometry(area);
    const QFont row_font = chart_font(11), caption_font = chart_font(11, true),
                col_font = chart_font(10);
    const QFont value_font = chart_font(10);
    const QFontMetricsF value_fm(value_font);
    const double caption_h = QFontMetricsF(caption_font).height();
    const double col_h = QFontMetricsF(col_font).height();

    // Headers: group captions over their columns, then one label per column when it fits.
    p.setPen(kText);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (!columns_[i].starts_group) continue;
        std::size_t end = i + 1;
        while (end < columns_.size() && !columns_[end].starts_group) ++end;
        const double x0 = g.column_x[i], x1 = g.column_x[end - 1] + g.cell_w;
        p.setFont(caption_font);
        const QString caption =
            QFontMetricsF(caption_font)
                .elidedText(columns_[i].group_caption, Qt::ElideRight, x1 - x0 + 2);
        p.drawText(QRectF(x0 - 1, g.cells.top() - col_h - caption_h - 4, x1 - x0 + 2, caption_h),
                   Qt::AlignHCenter | Qt::AlignBottom, caption);
        p.setPen(QPen(QColor(150, 150, 150), 0.8));
        p.drawLine(QPointF(x0, g.cells.top() - col_h - 3), QPointF(x1, g.cells.top() - col_h - 3));
        p.setPen(kText);
    }
    p.setFont(col_font);
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (text_width(col_font, columns_[i].label) > g.cell_w + 2) continue;
        p.drawText(QRectF(g.column_x[i] - 1, g.cells.top() - col_h - 2, g.cell_w + 2, col_h),
                   Qt::AlignHCenter | Qt::AlignBottom, columns_[i].label);
    }
    p.setFont(row_font);
    const double row_step =
        std::max(1, int(std::ceil(QFontMetricsF(row_font).height() / g.cell_h)));
    for (int l = 0; l < layers_; l += int(row_step))
        p.drawText(QRectF(area.left(), g.cells.top() + l * g.cell_h,
                          g.cells.left() - area.left() - 6, g.cell_h),
                   Qt::AlignRight | Qt::AlignVCenter, QString("L%1").arg(l));

    // Cells, separated by a thin white gap so neighbouring equal colours stay distinct.
    const double inset = std::min(g.cell_w, g.cell_h) > 8 ? 0.5 : 0.0;
    p.setFont(value_font);
    for (int l = 0; l < layers_; ++l) {
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            const HeadColumn& col = columns_[c];
            const QRectF cell(g.column_x[c] + inset, g.cells.top() + l * g.cell_h + inset,
                              g.cell_w - 2 * inset, g.cell_h - 2 * inset);
            const double v = value(l, col.head);
            const bool missing = !std::isfinite(v);
            const QRgb rgb =
                missing ? kMissing.rgb() : colormap_rgb(colormap_, (v - lo_) / (hi_ - lo_));
            p.fillRect(cell, QColor(rgb));
            if (col.is_virtual && cell.width() > 6) {
                // Virtual (analysis-only) heads: a dotted inner frame.
                p.setPen(QPen(dark(rgb) ? QColor(255, 255, 255, 170) : QColor(0, 0, 0, 140), 1.0,
                              Qt::DotLine));
                p.setBrush(Qt::NoBrush);
                p.drawRect(cell.adjusted(1.5, 1.5, -1.5, -1.5));
            }
            const QString text = missing ? QString::fromUtf8("–") : QString::number(v, 'f', 2);
            if (value_fm.horizontalAdvance(text) + 4 <= cell.width() &&
                value_fm.height() <= cell.height()) {
                p.setPen(missing     ? QColor(120, 120, 120)
                         : dark(rgb) ? Qt::white
                                     : QColor(20, 20, 20));
                p.drawText(cell, Qt::AlignCenter, text);
            }
        }
    }
    if (selected_ && show_selection) {
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            if (columns_[c].head != selected_->head || selected_->layer >= layers_) continue;
            const QRectF cell(g.column_x[c], g.cells.top() + selected_->layer * g.cell_h, g.cell_w,
                              g.cell_h);
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(Qt::white, 1.0));
            p.drawRect(cell.adjusted(1, 1, -1, -1));
            p.setPen(QPen(QColor(220, 20, 60), 2.0));
            p.drawRect(cell);
        }
    }
    draw_colorbar(p, g);
    if (std::any_of(columns_.begin(), columns_.end(),
                    [](const HeadColumn& c) { return c.is_virtual; })) {
        p.setFont(chart_font(10));
        p.setPen(QColor(90, 90, 90));
        const double w = std::max(g.cells.width(), 160.0);
        p.drawText(QRectF(g.cells.left(), g.cells.bottom() + 6, w, 40),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   "Dotted frame: virtual imaginary head, computed for analysis only (not used by "
                   "the model).");
    }
    p.restore();
}

std::optional<HeadGridCell> HeadsGrid::cell_at(const QPointF& pos, const QRectF& area) const {
    const Geometry g = geometry(area);
    if (pos.y() < g.cells.top() || pos.y() >= g.cells.bottom()) return std::nullopt;
    const int layer = int((pos.y() - g.cells.top()) / g.cell_h);
    for (std::size_t c = 0; c < columns_.size(); ++c)
        if (pos.x() >= g.column_x[c] && pos.x() < g.column_x[c] + g.cell_w)
            return HeadGridCell{std::clamp(layer, 0, layers_ - 1), columns_[c].head};
    return std::nullopt;
}

QPoint HeadsGrid::cell_center(int layer, int head) const {
    const Geometry g = geometry(QRectF(rect()));
    for (std::size_t c = 0; c < columns_.size(); ++c)
        if (columns_[c].head == head)
            return QPointF(g.column_x[c] + g.cell_w / 2, g.cells.top() + (layer + 0.5) * g.cell_h)
                .toPoint();
    return {-1, -1};
}

void HeadsGrid::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.fillRect(rect(), Qt::white);
    render(p, QRectF(rect()));
}

void HeadsGrid::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
    const auto cell = cell_at(event->pos(), QRectF(rect()));
    if (!cell) return;
    set_selected(cell);
    emit head_activated(cell->layer, cell->head);
}

bool HeadsGrid::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const auto cell = cell_at(help->pos(), QRectF(rect()));
        const std::size_t i = cell ? std::size_t(cell->layer) * heads_ + cell->head : 0;
        if (cell && i < tooltips_.size())
            QToolTip::showText(help->globalPos(), tooltips_[i], this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

}  // namespace rs::ui
