// A vertical colour bar with ticks and a caption, as a widget and as a paint function the views'
// figure export reuses (so the bar stays vector in SVG/PDF).
#pragma once

#include <QString>
#include <QWidget>

#include "ui/color_scale.h"

class QPainter;
class QRectF;
class QFontMetricsF;

namespace rs::ui {

// Paints the bar, its ticks and labels and the caption (rotated, right of the labels) in `rect`,
// with the painter's font and its pen colour for lines and text.
void paint_colorbar(QPainter& painter, const QRectF& rect, const ColorScale& scale,
                    const QString& caption);
// Width the bar needs for its labels and caption with the painter's current font.
double colorbar_width(const QFontMetricsF& fm, const ColorScale& scale);

class ColorBar : public QWidget {
    Q_OBJECT
  public:
    explicit ColorBar(QWidget* parent = nullptr);
    void set_scale(const ColorScale& scale);
    void set_caption(const QString& caption);
    const ColorScale& scale() const { return scale_; }
    const QString& caption() const { return caption_; }
    // Vertical extent of the bar inside the widget (lined up with the maps by the owner).
    void set_bar_margins(int top, int bottom);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    ColorScale scale_;
    QString caption_;
    int top_ = 0, bottom_ = 0;
};

}  // namespace rs::ui
