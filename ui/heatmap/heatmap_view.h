// One attention heatmap panel: the visible square of a T x T map from a pooled overview and, where
// present, an exact tile on top, with axes, token labels and a title. Zoom (wheel, around the
// cursor), pan (drag) and reset (double-click) act on a shared MapViewport, so panels that share
// one stay linked. It only draws values it is given; fetching is the owner's business.
#pragma once

#include <QImage>
#include <QPoint>
#include <QString>
#include <QTimer>
#include <QWidget>

#include "color_scale.h"
#include "exportable.h"
#include "heatmap_axis.h"
#include "map_raster.h"

namespace rs::ui {

class MapViewport;

class HeatmapView : public QWidget, public Exportable {
    Q_OBJECT
  public:
    // Colour of the causally masked triangle (s > t): a neutral grey none of the colormaps uses
    // for data (the diverging map's centre is a lighter grey).
    static constexpr QRgb kMaskedColor = 0xff9a9a9a;
    // Where no values have arrived yet.
    static constexpr QRgb kEmptyColor = 0xffeeeeee;

    // `viewport` is shared and must outlive the view.
    explicit HeatmapView(MapViewport* viewport, QWidget* parent = nullptr);

    void set_title(const QString& title);
    const QString& title() const { return title_; }
    void set_axis_titles(const QString& query, const QString& key);
    void set_token_labels(TokenLabelFn labels);
    // The widest token label (as displayed), to size the axes' margins once rather than per frame.
    void set_longest_label(const QString& label);
    // Off for panels to the right of the first: their rows are labelled already.
    void set_show_query_labels(bool show);
    void set_color_scale(const ColorScale& scale);
    const ColorScale& color_scale() const { return scale_; }
    // Either grid may be empty. The view colours them with its colour scale.
    void set_overview(MapGrid grid);
    void set_exact(MapGrid grid);
    const MapGrid& overview() const { return overview_; }
    const MapGrid& exact() const { return exact_; }
    // A line drawn over the map instead of values ("no imaginary twin").
    void set_message(const QString& message);
    // The shown layer's sliding window W: keys s <= t - W are drawn masked, like s > t (0: none).
    void set_window(int window);
    int window() const { return window_; }

    MapViewport* viewport() const { return viewport_; }
    // Where the map square is, in widget coordinates, and its side in pixels.
    QRectF map_rect() const;
    int map_pixels() const { return int(map_rect().width()); }
    // The map square this panel would use inside `rect` with `font`, and the width and height it
    // needs besides the map (title, axes): a row of panels sizes them so their maps are equal.
    QRectF map_rect_in(const QRectF& rect, const QFont& font) const;
    QSizeF margins(const QFont& font) const;
    // The font the panel paints with on screen (a pixel-size font).
    QFont widget_font() const;
    // Map coordinates (x: key, y: query) of a widget point, and back.
    QPointF map_point(QPointF widget_pos) const;
    QPointF widget_point(double key, double query) const;
    // Milliseconds the last paintEvent took (raster + axes).
    double last_paint_ms() const { return last_paint_ms_; }

    // Paints the panel into `rect` with the painter's font (pixel size) and pen colour, the map
    // as a raster of about rect-size x device scale pixels: used by exports.
    void paint_figure(QPainter& painter, const QRectF& rect) const;

    // Exportable
    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override { return {340, 360}; }
    // Long format: query,key,value for the visible exact entries (masked ones left out), or
    // query_begin,query_end,key_begin,key_end,mean_value per visible overview cell when the
    // panel shows only the overview.
    QString figure_csv() const override;
    QString figure_name() const override;

    QSize sizeHint() const override { return {360, 380}; }
    QSize minimumSizeHint() const override { return {160, 180}; }

  signals:
    // The cell under the mouse (query t, key s); (-1, -1) when the mouse leaves the map.
    void cell_hovered(int query, int key);
    // The map square changed size (the owner picks tile strides by it).
    void map_pixels_changed(int pixels);

  protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void wheelEvent(QWheelEvent*) override;
    void mousePressEvent(QMouseEvent*) override;
    void mouseMoveEvent(QMouseEvent*) override;
    void mouseReleaseEvent(QMouseEvent*) override;
    void mouseDoubleClickEvent(QMouseEvent*) override;
    void leaveEvent(QEvent*) override;

  private:
    struct Margins {
        double left = 0, top = 0, right = 0, bottom = 0;
        double left_room = 0, bottom_room = 0;  // how far tick labels may reach from the map
    };
    Margins margins_for(const QFontMetricsF& fm) const;
    struct Geometry {
        QRectF title;
        QRectF map;
        double left_room = 0, bottom_room = 0;
    };
    Geometry geometry(const QRectF& rect, const QFontMetricsF& fm) const;
    QImage render_raster(int w, int h) const;
    void paint_panel(QPainter& p, const Geometry& g, const QImage& raster) const;
    void schedule_repaint();
    void update_hover(QPointF pos);

    MapViewport* viewport_;
    QString title_;
    QString query_title_ = "query t", key_title_ = "key s";
    TokenLabelFn labels_;
    QString longest_label_;
    bool show_query_labels_ = true;
    ColorScale scale_;
    MapGrid overview_, exact_;
    QString message_;
    int window_ = 0;

    QImage raster_;  // the map square as last drawn on screen
    bool raster_dirty_ = true;
    QTimer repaint_timer_;  // single-shot: many changes in one event batch, one repaint
    bool dragging_ = false;
    QPointF last_drag_;
    QPoint hovered_{-1, -1};
    int last_pixels_ = 0;
    double last_paint_ms_ = 0;
};

}  // namespace rs::ui
