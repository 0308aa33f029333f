// Colour bar painting: a gradient strip from the colormap table, tick marks and labels, caption.
#include "colorbar.h"

#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace rs::ui {

namespace {
constexpr double kStrip = 12.0;  // width of the colour strip
constexpr double kTick = 3.0;
constexpr double kGap = 3.0;
}  // namespace

std::vector<bool> labels_that_fit(const std::vector<std::pair<double, double>>& spans, double gap) {
    std::vector<bool> draw(spans.size(), false);
    bool any = false;
    double last_end = 0;
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const auto [start, end] = std::minmax(spans[i].first, spans[i].second);
        if (any && start < last_end + gap) continue;
        draw[i] = true;
        any = true;
        last_end = end;
    }
    return draw;
}

double colorbar_width(const QFontMetricsF& fm, const ColorScale& scale) {
    // At least as wide as a typical label, so the bar does not change width while zooming.
    double w = fm.horizontalAdvance("-0.0000");
    for (double v : scale.ticks()) w = std::max(w, fm.horizontalAdvance(scale.label(v)));
    return kStrip + kTick + kGap + w + kGap + fm.height() + 2;
}

void paint_colorbar(QPainter& p, const QRectF& rect, const ColorScale& scale,
                    const QString& caption) {
    p.save();
    const QColor fg = p.pen().color();  // the caller's pen colour is the text/line colour
    const QFontMetricsF fm(p.font());
    const QRectF strip(rect.left(), rect.top(), kStrip, rect.height());
    // The strip is a 1 x 256 raster (top = high values) scaled to the rect: stays exact in SVG/PDF.
    QImage grad(1, 256, QImage::Format_RGB32);
    const auto& table = colormap_table(scale.map);
    for (int i = 0; i < 256; ++i) grad.setPixel(0, 255 - i, table[i]);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(strip, grad);
    p.setPen(QPen(fg, 0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(strip);

    double label_w = 0;
    const std::vector<double> ticks = scale.ticks();
    std::vector<std::pair<double, double>> spans;  // bottom to top, as the ticks run
    for (double v : ticks) {
        const double up = scale.position(v) * strip.height();
        spans.emplace_back(up - fm.height() / 2, up + fm.height() / 2);
    }
    const std::vector<bool> draw = labels_that_fit(spans, 0.0);
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        const double y = strip.bottom() - scale.position(ticks[i]) * strip.height();
        p.drawLine(QPointF(strip.right(), y), QPointF(strip.right() + kTick, y));
        if (!draw[i]) continue;
        const QString text = scale.label(ticks[i]);
        label_w = std::max(label_w, fm.horizontalAdvance(text));
        const QRectF box(strip.right() + kTick + kGap, y - fm.height() / 2, 200, fm.height());
        p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, text);
    }
    if (!caption.isEmpty()) {
        // Caption reads bottom to top along the bar, right of the tick labels.
        const double x = strip.right() + kTick + kGap + label_w + kGap;
        p.translate(x, rect.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-rect.height() / 2, 0, rect.height(), fm.height() + 2),
                   Qt::AlignHCenter | Qt::AlignTop,
                   fm.elidedText(caption, Qt::ElideRight, rect.height()));
    }
    p.restore();
}

double colorbar_height(const QFontMetricsF& fm) {
    return kStrip + kTick + kGap + fm.height() + kGap + fm.height() + 2;
}

void paint_colorbar_horizontal(QPainter& p, const QRectF& rect, const ColorScale& scale,
                               const QString& caption) {
    p.save();
    const QColor fg = p.pen().color();
    const QFontMetricsF fm(p.font());
    const QRectF strip(rect.left(), rect.top(), rect.width(), kStrip);
    QImage grad(256, 1, QImage::Format_RGB32);
    const auto& table = colormap_table(scale.map);
    for (int i = 0; i < 256; ++i) grad.setPixel(i, 0, table[i]);
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(strip, grad);
    p.setPen(QPen(fg, 0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(strip);
    const double label_top = strip.bottom() + kTick + kGap;
    const std::vector<double> ticks = scale.ticks();
    std::vector<std::pair<double, double>> spans;
    for (double v : ticks) {
        const double x = strip.left() + scale.position(v) * strip.width();
        // Centred on its tick, but kept over the strip: end labels must not reach a neighbour.
        const double w = fm.horizontalAdvance(scale.label(v)) + 2;
        const double left =
            std::clamp(x - w / 2, rect.left(), std::max(rect.left(), rect.right() - w));
        spans.emplace_back(left, left + w);
    }
    const std::vector<bool> draw = labels_that_fit(spans, fm.horizontalAdvance(" "));
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        const double x = strip.left() + scale.position(ticks[i]) * strip.width();
        p.drawLine(QPointF(x, strip.bottom()), QPointF(x, strip.bottom() + kTick));
        if (!draw[i]) continue;
        const auto [left, right] = spans[i];
        p.drawText(QRectF(left, label_top, right - left, fm.height()), Qt::AlignCenter,
                   scale.label(ticks[i]));
    }
    if (!caption.isEmpty())
        p.drawText(
            QRectF(rect.left(), label_top + fm.height() + kGap, rect.width(), fm.height() + 2),
            Qt::AlignHCenter | Qt::AlignTop, fm.elidedText(caption, Qt::ElideRight, rect.width()));
    p.restore();
}

ColorBar::ColorBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
}

void ColorBar::set_scale(const ColorScale& scale) {
    scale_ = scale;
    updateGeometry();
    update();
}

void ColorBar::set_caption(const QString& caption) {
    caption_ = caption;
    update();
}

void ColorBar::set_bar_margins(int top, int bottom) {
    if (top == top_ && bottom == bottom_) return;
    top_ = top;
    bottom_ = bottom;
    update();
}

QSize ColorBar::sizeHint() const {
    return {int(std::ceil(colorbar_width(QFontMetricsF(font()), scale_))) + 4, 200};
}

QSize ColorBar::minimumSizeHint() const {
    return {sizeHint().width(), 60};
}

int ColorBar::horizontal_height() const {
    return int(std::ceil(colorbar_height(QFontMetricsF(font()))));
}

void ColorBar::set_horizontal(bool horizontal) {
    if (horizontal == horizontal_) return;
    horizontal_ = horizontal;
    update();
}

void ColorBar::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setPen(palette().color(QPalette::WindowText));
    if (horizontal_) {
        paint_colorbar_horizontal(p, QRectF(rect()), scale_, caption_);
        return;
    }
    const QRectF r(2, top_, width() - 4, std::max(10, height() - top_ - bottom_));
    paint_colorbar(p, r, scale_, caption_);
}

}  // namespace rs::ui
