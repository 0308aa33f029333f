// Axes of an attention heatmap: one tick per token with its text when every token cell is wide
// enough to hold a label, round position numbers otherwise; painted with the caller's painter so
// the labels stay text in SVG/PDF exports.
#pragma once

#include <QString>
#include <functional>
#include <vector>

class QFont;
class QPainter;
class QRectF;

namespace rs::ui {

using TokenLabelFn = std::function<QString(int position)>;

// A token's text made printable on one line: newlines, tabs and other control characters become
// visible symbols, long text is cut with an ellipsis.
QString display_token(const QString& text, int max_chars = 16);

struct AxisTick {
    double at = 0;  // map coordinate of the tick (a token's centre, position + 0.5)
    QString text;
};

struct AxisTicks {
    bool tokens = false;  // one tick per token, labelled with token text
    double cell_px = 0;   // pixels per token
    std::vector<AxisTick> ticks;
};

// Token cells at least this many pixels wide get token labels.
constexpr double kTokenLabelMinPx = 10.0;

// Token labels grow with the cell (0.8 of it) up to this many pixels, as far as the widest
// visible label still fits its room; never smaller than the painter's font or the cell allows.
constexpr int kTokenLabelMaxPx = 18;

// Pixel size of the token labels of `ticks` painted with `base` (a pixel-size font) and `room`
// pixels for the longest one.
int token_label_pixel_size(const AxisTicks& ticks, const QFont& base, double room);

// Ticks for the visible positions [v0, v0 + span) drawn over `pixels`; number ticks are at least
// `min_gap_px` apart. Without `label` (or when cells are narrower than kTokenLabelMinPx) the
// ticks are positions.
AxisTicks axis_ticks(double v0, double span, double pixels, int tokens, const TokenLabelFn& label,
                     double min_gap_px);

enum class AxisSide { Left, Bottom };

// Paints ticks and labels along one side of `map` (the heatmap's rectangle), then `title`.
// `room` is how far labels may extend from the ticks (token labels are elided to it); with
// `labels` false only the tick marks are drawn. Uses the painter's font (a pixel-size font) and
// pen colour.
void paint_axis(QPainter& painter, const QRectF& map, AxisSide side, double v0, double span,
                const AxisTicks& ticks, double room, bool labels, const QString& title);

// Length of a tick mark and gap to its label, for the callers' margins.
constexpr double kAxisTick = 4.0;
constexpr double kAxisGap = 2.0;

}  // namespace rs::ui
