// Tick selection (token text vs round positions) and painting of heatmap axes.
#include "heatmap_axis.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace rs::ui {

QString display_token(const QString& text, int max_chars) {
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c == '\n')
            out += QChar(0x21B5);  // ↵
        else if (c == '\t')
            out += QChar(0x21E5);  // ⇥
        else if (c == '\r')
            continue;
        else if (c.category() == QChar::Other_Control)
            out += QString("\\x%1").arg(c.unicode(), 2, 16, QChar('0'));
        else
            out += c;
    }
    if (out.size() > max_chars) out = out.left(std::max(1, max_chars - 1)) + QChar(0x2026);
    return out;
}

AxisTicks axis_ticks(double v0, double span, double pixels, int tokens, const TokenLabelFn& label,
                     double min_gap_px) {
    AxisTicks out;
    if (!(span > 0) || !(pixels > 0) || tokens <= 0) return out;
    out.cell_px = pixels / span;
    const int first = std::max(0, int(std::floor(v0)));
    const int last = std::min(tokens - 1, int(std::ceil(v0 + span)) - 1);
    if (label && out.cell_px >= kTokenLabelMinPx) {
        out.tokens = true;
        for (int p = first; p <= last; ++p) out.ticks.push_back({p + 0.5, display_token(label(p))});
        return out;
    }
    // Round steps of 1, 2 or 5 x 10^k positions, never closer than min_gap_px on screen.
    const double raw = std::max(1.0, span * min_gap_px / pixels);
    double step = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * step >= raw) {
            step *= m;
            break;
        }
    }
    const long istep = std::max(1L, std::lround(step));
    for (long p = (first + istep - 1) / istep * istep; p <= last; p += istep)
        out.ticks.push_back({p + 0.5, QString::number(p)});
    return out;
}

int token_label_pixel_size(const AxisTicks& ticks, const QFont& base, double room) {
    const double cell = ticks.cell_px * 0.8;
    // What always fits: the cell's 0.8 within the painter's font size (6 px at least).
    const int fits = std::clamp(int(cell), 6, std::max(6, base.pixelSize()));
    const int want = std::clamp(int(cell), fits, kTokenLabelMaxPx);
    // The largest size up to `want` at which the widest label is not elided (else `fits`).
    QFont f = base;
    for (int px = want; px > fits; --px) {
        f.setPixelSize(px);
        const QFontMetricsF fm(f);
        double widest = 0;
        for (const AxisTick& t : ticks.ticks)
            widest = std::max(widest, fm.horizontalAdvance(t.text));
        if (widest <= room) return px;
    }
    return fits;
}

void paint_axis(QPainter& p, const QRectF& map, AxisSide side, double v0, double span,
                const AxisTicks& ticks, double room, bool labels, const QString& title) {
    p.save();
    const QColor fg = p.pen().color();
    p.setPen(QPen(fg, 0));
    const QFont base = p.font();
    QFont tick_font = base;
    // Token text follows the cell: small enough that neighbours never overlap, larger when
    // zoomed in so it stays readable.
    if (ticks.tokens) tick_font.setPixelSize(token_label_pixel_size(ticks, base, room));
    p.setFont(tick_font);
    const QFontMetricsF fm(tick_font);
    const bool left = side == AxisSide::Left;
    const double length = left ? map.height() : map.width();
    for (const AxisTick& t : ticks.ticks) {
        const double f = (t.at - v0) / span;
        if (f < 0 || f > 1) continue;
        if (left) {
            const double y = map.top() + f * length;
            p.drawLine(QPointF(map.left() - kAxisTick, y), QPointF(map.left(), y));
            if (!labels) continue;
            const double right = map.left() - kAxisTick - kAxisGap;
            const QString text = fm.elidedText(t.text, Qt::ElideRight, room);
            p.drawText(QRectF(right - room, y - fm.height() / 2, room, fm.height()),
                       Qt::AlignRight | Qt::AlignVCenter, text);
        } else {
            const double x = map.left() + f * length;
            p.drawLine(QPointF(x, map.bottom()), QPointF(x, map.bottom() + kAxisTick));
            if (!labels) continue;
            const double top = map.bottom() + kAxisTick + kAxisGap;
            if (ticks.tokens) {
                // Token text runs upwards from below, ending at the tick, so it reads like the
                // left axis turned by 90 degrees.
                const QString text = fm.elidedText(t.text, Qt::ElideRight, room);
                p.save();
                p.translate(x, top);
                p.rotate(-90);
                p.drawText(QRectF(-room, -fm.height() / 2, room, fm.height()),
                           Qt::AlignRight | Qt::AlignVCenter, text);
                p.restore();
            } else {
                const double w = fm.horizontalAdvance(t.text) + 2;
                p.drawText(QRectF(x - w / 2, top, w, fm.height()), Qt::AlignCenter, t.text);
            }
        }
    }
    p.setFont(base);
    if (!title.isEmpty()) {
        const QFontMetricsF tfm(base);
        if (left) {
            const double x = map.left() - kAxisTick - kAxisGap - (labels ? room : 0) - kAxisGap;
            p.translate(x, map.center().y());
            p.rotate(-90);
            p.drawText(QRectF(-length / 2, -tfm.height(), length, tfm.height()), Qt::AlignCenter,
                       tfm.elidedText(title, Qt::ElideRight, length));
        } else {
            const double label_h = ticks.tokens ? room : fm.height();
            const double y =
                map.bottom() + kAxisTick + kAxisGap + (labels ? label_h : 0) + kAxisGap;
            p.drawText(QRectF(map.left(), y, length, tfm.height()), Qt::AlignCenter,
                       tfm.elidedText(title, Qt::ElideRight, length));
        }
    }
    p.restore();
}

}  // namespace rs::ui
