// FigureCanvas: the fit-and-centre transform shared by the heatmap figures.
#include "figure_canvas.h"

#include <algorithm>

namespace rs::ui {

FigureCanvas::FigureCanvas(QPainter& painter, const QRectF& target, const QSizeF& natural,
                           QFont font, int pixel_size)
    : painter_(painter), font_(std::move(font)) {
    const double k = std::min(target.width() / natural.width(), target.height() / natural.height());
    painter_.save();
    painter_.fillRect(target, Qt::white);
    painter_.translate(target.center() -
                       QPointF(natural.width() * k / 2, natural.height() * k / 2));
    painter_.scale(k, k);
    font_.setPixelSize(pixel_size);
    painter_.setFont(font_);
    painter_.setPen(Qt::black);
}

FigureCanvas::~FigureCanvas() {
    painter_.restore();
}

}  // namespace rs::ui
