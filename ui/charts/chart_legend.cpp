// Legend layout (flowing rows or one column), painting, and the widget wrapper.
#include "chart_legend.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "chart_builder.h"

namespace rs::ui {

namespace {

constexpr double kSample = 26.0;    // width of the line sample
constexpr double kSampleGap = 5.0;  // sample to text
constexpr double kEntryGap = 16.0;  // between entries in a row
constexpr double kMaxTextWidth = 230.0;
constexpr double kPadding = 4.0;

QFont legend_font() {
    return chart_font(11);
}
double row_height() {
    return QFontMetricsF(legend_font()).height() + 4.0;
}

double entry_width(const LegendEntry& e) {
    const double text =
        std::min(kMaxTextWidth, QFontMetricsF(legend_font()).horizontalAdvance(e.name));
    return kSample + kSampleGap + text;
}

// Entry rectangles relative to (0, 0); rows centred within max_width.
std::vector<QRectF> entry_layout(const std::vector<LegendEntry>& entries, double max_width,
                           bool vertical) {
    std::vector<QRectF> out;
    const double h = row_height();
    if (vertical) {
        for (std::size_t i = 0; i < entries.size(); ++i)
            out.emplace_back(kPadding, kPadding + i * h, entry_width(entries[i]), h);
        return out;
    }
    std::vector<std::size_t> row_start;
    double x = 0, y = kPadding;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const double w = std::min(entry_width(entries[i]), max_width - 2 * kPadding);
        if (x > 0 && x + w > max_width - 2 * kPadding) x = 0, y += h;
        if (x == 0) row_start.push_back(i);
        out.emplace_back(x, y, w, h);
        x += w + kEntryGap;
    }
    row_start.push_back(entries.size());
    for (std::size_t r = 0; r + 1 < row_start.size(); ++r) {
        const QRectF& last = out[row_start[r + 1] - 1];
        const double shift = (max_width - last.right()) / 2;
        for (std::size_t i = row_start[r]; i < row_start[r + 1]; ++i) out[i].translate(shift, 0);
    }
    return out;
}

}  // namespace

std::vector<LegendEntry> legend_entries(const ChartSpec& spec) {
    std::vector<LegendEntry> out;
    for (const auto& s : spec.series) {
        if (!s.in_legend || s.name.isEmpty()) continue;
        const bool drawn = std::any_of(s.points.begin(), s.points.end(), [&](const QPointF& p) {
            return chart_point_drawable(spec, s, p);
        });
        if (!drawn) continue;  // nothing on the plot to explain
        LegendEntry e;
        e.name = s.name;
        e.color = s.color;
        e.width = s.width;
        e.pen_style = s.pen_style;
        e.line = s.kind != SeriesKind::Scatter;
        e.marker = s.kind != SeriesKind::Line;
        e.series = true;
        out.push_back(e);
    }
    for (const auto& m : spec.markers) {
        if (m.label.isEmpty()) continue;
        out.push_back({m.label, m.color, 1.5, Qt::DashLine, true, false});
    }
    return out;
}

QSizeF legend_size(const std::vector<LegendEntry>& entries, double max_width, bool vertical) {
    if (entries.empty()) return {};
    const auto rects = entry_layout(entries, max_width, vertical);
    double w = 0, h = 0;
    for (const QRectF& r : rects) w = std::max(w, r.right()), h = std::max(h, r.bottom());
    return {vertical ? w + kPadding : max_width, h + kPadding};
}

void paint_legend(QPainter& p, const QRectF& area, const std::vector<LegendEntry>& entries,
                  bool vertical) {
    if (entries.empty()) return;
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    const QFont font = legend_font();
    const QFontMetricsF fm(font);
    p.setFont(font);
    const auto rects = entry_layout(entries, area.width(), vertical);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        LegendEntry e = entries[i];
        if (e.hidden) e.color = QColor(200, 200, 200);
        const QRectF r = rects[i].translated(area.topLeft());
        const double cy = r.center().y();
        if (e.line) {
            p.setPen(QPen(e.color, std::min(e.width, 3.0), e.pen_style, Qt::FlatCap));
            p.drawLine(QPointF(r.left() + 1, cy), QPointF(r.left() + kSample - 1, cy));
        }
        if (e.marker) {
            p.setPen(QPen(e.color.darker(150), 1.0));
            p.setBrush(e.color);
            p.drawEllipse(QPointF(r.left() + kSample / 2, cy), 4.0, 4.0);
            p.setBrush(Qt::NoBrush);
        }
        p.setPen(e.hidden ? QColor(160, 160, 160) : QColor(40, 40, 40));
        QFont entry_font = font;
        entry_font.setStrikeOut(e.hidden);
        p.setFont(entry_font);
        const QRectF text(r.left() + kSample + kSampleGap, r.top(),
                          r.width() - kSample - kSampleGap, r.height());
        p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(e.name, Qt::ElideRight, text.width() + 1));
    }
    p.restore();
}

ChartLegendWidget::ChartLegendWidget(QWidget* parent) : QWidget(parent) {
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

void ChartLegendWidget::set_entries(std::vector<LegendEntry> entries, bool vertical) {
    entries_ = std::move(entries);
    vertical_ = vertical;
    QSizePolicy policy = sizePolicy();
    policy.setHeightForWidth(!vertical_);
    policy.setHorizontalPolicy(vertical_ ? QSizePolicy::Fixed : QSizePolicy::Preferred);
    policy.setVerticalPolicy(vertical_ ? QSizePolicy::Preferred : QSizePolicy::Fixed);
    setSizePolicy(policy);
    setVisible(!entries_.empty());
    updateGeometry();
    update();
}

int ChartLegendWidget::heightForWidth(int width) const {
    return int(std::ceil(legend_size(entries_, width, vertical_).height()));
}

QSize ChartLegendWidget::sizeHint() const {
    const QSizeF s = legend_size(entries_, vertical_ ? 1e4 : std::max(200, width()), vertical_);
    return QSize(int(std::ceil(s.width())), int(std::ceil(s.height())));
}

QSize ChartLegendWidget::minimumSizeHint() const {
    return vertical_ ? sizeHint() : QSize(100, int(row_height()));
}

QRectF ChartLegendWidget::entry_rect(int i) const {
    const auto rects = entry_layout(entries_, width(), vertical_);
    return i >= 0 && i < int(rects.size()) ? rects[std::size_t(i)] : QRectF();
}

void ChartLegendWidget::mousePressEvent(QMouseEvent* event) {
    const auto rects = entry_layout(entries_, width(), vertical_);
    for (std::size_t i = 0; i < rects.size(); ++i)
        if (rects[i].contains(event->pos()) && entries_[i].series && on_click_) {
            on_click_(entries_[i].name);
            return;
        }
    QWidget::mousePressEvent(event);
}

void ChartLegendWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    paint_legend(p, QRectF(rect()), entries_, vertical_);
}

}  // namespace rs::ui
