// Sets a painter up for a view's figure drawn at its natural size into any target rectangle: a
// white page, uniformly scaled to fit and centred, the figure font and a black pen; the painter
// is restored when the canvas goes out of scope (RAII, so early returns cannot leak state).
#pragma once

#include <QFont>
#include <QPainter>
#include <QRectF>
#include <QSizeF>

namespace rs::ui {

class FigureCanvas {
  public:
    // `font` is the view's font; the figure uses it at `pixel_size` (pixel-size fonts measure
    // the same in every export format, see ui/export/figure_export.h).
    FigureCanvas(QPainter& painter, const QRectF& target, const QSizeF& natural, QFont font,
                 int pixel_size);
    ~FigureCanvas();
    FigureCanvas(const FigureCanvas&) = delete;
    FigureCanvas& operator=(const FigureCanvas&) = delete;

    const QFont& font() const { return font_; }

  private:
    QPainter& painter_;
    QFont font_;
};

}  // namespace rs::ui
