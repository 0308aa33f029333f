// A layers x heads grid of coloured cells (one value per head, e.g. long-range mass M(D)) with
// column groups for real and imaginary heads, virtual heads marked, the value written in each cell
// when it fits, and a colour bar. Clicking a cell emits head_activated(layer, head).
#pragma once

#include <QRectF>
#include <QWidget>
#include <optional>
#include <vector>

#include "colormap.h"
#include "head_columns.h"

namespace rs::ui {

struct HeadGridCell {
    int layer = 0;
    int head = 0;  // index in HeadLayout::heads
};

class HeadsGrid : public QWidget {
    Q_OBJECT
  public:
    explicit HeadsGrid(QWidget* parent = nullptr);

    // values: [layers * heads] layer-major by head index (NaN: not computed); columns: display
    // order (head_columns()); tooltips: [layers * heads] or empty.
    void set_data(int layers, int heads, std::vector<double> values,
                  std::vector<HeadColumn> columns, std::vector<QString> tooltips = {});
    // Colour scale: value lo maps to the colormap's start, hi to its end.
    void set_color_range(double lo, double hi);
    void set_value_title(const QString& title);  // colour-bar title, e.g. "M(D=64)"
    void set_colormap(Colormap map);
    void set_selected(std::optional<HeadGridCell> cell);
    void set_empty_message(const QString& text) {
        empty_message_ = text;
        update();
    }

    int layers() const { return layers_; }
    double value(int layer, int head) const;
    std::pair<double, double> color_range() const { return {lo_, hi_}; }

    // Paints the grid, headers and colour bar into `area` (the widget and the export both use it);
    // exports leave the selection highlight out.
    void render(QPainter& painter, const QRectF& area, bool show_selection = true) const;
    // Size at which cells are comfortably readable (about 36 x 22 units each).
    QSizeF natural_size() const;
    // The cell under `pos` when the grid is rendered into `area`.
    std::optional<HeadGridCell> cell_at(const QPointF& pos, const QRectF& area) const;
    // Centre of a cell in widget coordinates (tests, scripted clicks).
    QPoint cell_center(int layer, int head) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return {200, 120}; }

  signals:
    void head_activated(int layer, int head);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;  // tooltips

  private:
    struct Geometry {
        QRectF cells;  // where the cell block sits
        double cell_w = 0, cell_h = 0, gap = 0;
        std::vector<double> column_x;  // left edge of each display column
        QRectF bar;                    // colour bar
    };
    Geometry geometry(const QRectF& area) const;
    void draw_colorbar(QPainter& p, const Geometry& g) const;

    int layers_ = 0, heads_ = 0;
    std::vector<double> values_;
    std::vector<HeadColumn> columns_;
    std::vector<QString> tooltips_;
    double lo_ = 0.0, hi_ = 1.0;
    QString value_title_;
    QString empty_message_;
    Colormap colormap_ = Colormap::Viridis;
    std::optional<HeadGridCell> selected_;
};

}  // namespace rs::ui
