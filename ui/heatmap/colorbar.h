// A colour bar with ticks and a caption, as a widget and as a paint function the views' figure
// export reuses (so the bar stays vector in SVG/PDF). Vertical beside the maps, or horizontal under
// them where that leaves the maps more room.
#pragma once

#include <utility>
#include <vector>

#include <QString>
#include <QWidget>

#include "color_scale.h"

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
// The horizontal form: the strip along the top of `rect` (low values left), labels under their
// ticks (the end ones kept inside `rect`), the caption under the labels; and the height that needs.
void paint_colorbar_horizontal(QPainter& painter, const QRectF& rect, const ColorScale& scale,
                               const QString& caption);
double colorbar_height(const QFontMetricsF& fm);
// Which tick labels to draw: spans are the labels' [start, end) extents along the bar, in tick
// order; a label that would touch the last one drawn (closer than `gap`) is left out, so a narrow
// bar shows fewer labels instead of running them together ("-0.08-0.06...").
std::vector<bool> labels_that_fit(const std::vector<std::pair<double, double>>& spans, double gap);

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
    void set_horizontal(bool horizontal);
    bool horizontal() const { return horizontal_; }
    // Height the horizontal form needs.
    int horizontal_height() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent*) override;

  private:
    ColorScale scale_;
    QString caption_;
    int top_ = 0, bottom_ = 0;
    bool horizontal_ = false;
};

}  // namespace rs::ui
