// Painting, interaction and export of one heatmap panel.
#include "heatmap_view.h"

#include <QElapsedTimer>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <QRegularExpression>
#include <QTextStream>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

#include "figure_canvas.h"
#include "map_viewport.h"

namespace rs::ui {

namespace {
constexpr double kWheelStep = 1.5;  // zoom factor per wheel notch (120 units)
constexpr int kMaxExportRaster = 4096;
}  // namespace

HeatmapView::HeatmapView(MapViewport* viewport, QWidget* parent)
    : QWidget(parent), viewport_(viewport) {
    setMouseTracking(true);
    setFocusPolicy(Qt::WheelFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setCursor(Qt::CrossCursor);
    repaint_timer_.setSingleShot(true);
    repaint_timer_.setInterval(0);
    connect(&repaint_timer_, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    connect(viewport_, &MapViewport::changed, this, [this] {
        raster_dirty_ = true;
        schedule_repaint();
    });
}

void HeatmapView::schedule_repaint() {
    if (!repaint_timer_.isActive()) repaint_timer_.start();
}

void HeatmapView::set_title(const QString& title) {
    title_ = title;
    schedule_repaint();
}

void HeatmapView::set_axis_titles(const QString& query, const QString& key) {
    query_title_ = query;
    key_title_ = key;
    schedule_repaint();
}

void HeatmapView::set_token_labels(TokenLabelFn labels) {
    labels_ = std::move(labels);
    schedule_repaint();
}

void HeatmapView::set_longest_label(const QString& label) {
    longest_label_ = label;
    raster_dirty_ = true;
    schedule_repaint();
}

void HeatmapView::set_show_query_labels(bool show) {
    show_query_labels_ = show;
    raster_dirty_ = true;
    schedule_repaint();
}

void HeatmapView::set_color_scale(const ColorScale& scale) {
    const bool same = scale.map == scale_.map && scale.log == scale_.log && scale.lo == scale_.lo &&
                      scale.hi == scale_.hi;
    scale_ = scale;
    if (same && overview_.colors.size() == overview_.values.size() &&
        exact_.colors.size() == exact_.values.size())
        return;
    overview_.colorize(scale_);
    exact_.colorize(scale_);
    raster_dirty_ = true;
    schedule_repaint();
}

void HeatmapView::set_overview(MapGrid grid) {
    overview_ = std::move(grid);
    overview_.colorize(scale_);
    raster_dirty_ = true;
    schedule_repaint();
}

void HeatmapView::set_exact(MapGrid grid) {
    exact_ = std::move(grid);
    exact_.colorize(scale_);
    raster_dirty_ = true;
    schedule_repaint();
}

void HeatmapView::set_window(int window) {
    if (window == window_) return;
    window_ = window;
    raster_dirty_ = true;
    schedule_repaint();
}

void HeatmapView::set_message(const QString& message) {
    message_ = message;
    schedule_repaint();
}

QFont HeatmapView::widget_font() const {
    // Pixel sizes everywhere: the same painting code then works for screens and for exports,
    // whose coordinates are points.
    QFont f = font();
    f.setPixelSize(std::max(8, QFontInfo(font()).pixelSize()));
    return f;
}

HeatmapView::Margins HeatmapView::margins_for(const QFontMetricsF& fm) const {
    Margins m;
    const double fh = fm.height();
    // Room for tick labels: the widest position number or token label, within 4.5 lines, so short
    // tokens do not waste space and long ones are elided. It does not change while zooming.
    const double cap = std::round(4.5 * fh);
    const double numbers =
        fm.horizontalAdvance(QString::number(std::max(0, viewport_->tokens() - 1)));
    const double tokens = longest_label_.isEmpty() ? 0 : fm.horizontalAdvance(longest_label_);
    m.left_room = std::ceil(std::min(cap, std::max(numbers, tokens) + 2));
    m.bottom_room = std::ceil(std::min(cap, std::max(fh, tokens + 2)));
    m.top = std::round(fh * 1.5);
    // Panels right of the first draw only tick marks on the left: no labels, no axis title.
    m.left =
        show_query_labels_ ? m.left_room + kAxisTick + kAxisGap * 2 + fh + 2 : kAxisTick + kAxisGap;
    m.bottom = m.bottom_room + kAxisTick + kAxisGap * 2 + fh + 2;
    // The last position number is centred on its tick at the map's right edge: room for half.
    m.right = std::max(6.0, std::ceil(numbers / 2) + 2);
    return m;
}

HeatmapView::Geometry HeatmapView::geometry(const QRectF& rect, const QFontMetricsF& fm) const {
    const Margins m = margins_for(fm);
    Geometry g;
    g.left_room = m.left_room;
    g.bottom_room = m.bottom_room;
    const double aw = rect.width() - m.left - m.right, ah = rect.height() - m.top - m.bottom;
    const double side = std::max(1.0, std::floor(std::min(aw, ah)));
    const double x = std::round(rect.left() + m.left + std::max(0.0, aw - side) / 2);
    const double y = std::round(rect.top() + m.top + std::max(0.0, ah - side) / 2);
    g.map = QRectF(x, y, side, side);
    g.title = QRectF(rect.left(), g.map.top() - m.top, rect.width(), m.top);
    return g;
}

QRectF HeatmapView::map_rect() const {
    return geometry(QRectF(rect()), QFontMetricsF(widget_font())).map;
}

QRectF HeatmapView::map_rect_in(const QRectF& rect, const QFont& font) const {
    return geometry(rect, QFontMetricsF(font)).map;
}

QSizeF HeatmapView::margins(const QFont& font) const {
    const Margins m = margins_for(QFontMetricsF(font));
    return {m.left + m.right, m.top + m.bottom};
}

QPointF HeatmapView::map_point(QPointF pos) const {
    const QRectF m = map_rect();
    const double k = viewport_->span() / m.width();
    return {viewport_->x0() + (pos.x() - m.left()) * k, viewport_->y0() + (pos.y() - m.top()) * k};
}

QPointF HeatmapView::widget_point(double key, double query) const {
    const QRectF m = map_rect();
    const double k = m.width() / viewport_->span();
    return {m.left() + (key - viewport_->x0()) * k, m.top() + (query - viewport_->y0()) * k};
}

QImage HeatmapView::render_raster(int w, int h) const {
    QImage img(std::max(1, w), std::max(1, h), QImage::Format_RGB32);
    if (viewport_->tokens() <= 0 || !message_.isEmpty()) {
        img.fill(kEmptyColor);
        return img;
    }
    rasterize_map(img, viewport_->x0(), viewport_->y0(), viewport_->span(), &exact_, &overview_,
                  kMaskedColor, kEmptyColor, window_);
    return img;
}

void HeatmapView::paint_panel(QPainter& p, const Geometry& g, const QImage& raster) const {
    p.save();
    const QColor fg = p.pen().color();
    QFont bold = p.font();
    bold.setBold(true);
    p.setFont(bold);
    p.drawText(g.title, Qt::AlignHCenter | Qt::AlignVCenter,
               QFontMetricsF(bold).elidedText(title_, Qt::ElideRight, g.title.width()));
    p.restore();

    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(g.map, raster);
    p.setPen(QPen(fg, 0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(g.map);
    const int T = viewport_->tokens();
    if (T > 0) {
        const double x0 = viewport_->x0(), y0 = viewport_->y0(), span = viewport_->span();
        const double fh = QFontMetricsF(p.font()).height();
        const auto rows = axis_ticks(y0, span, g.map.height(), T, labels_, 2.2 * fh);
        const auto cols = axis_ticks(x0, span, g.map.width(), T, labels_, 4.5 * fh);
        paint_axis(p, g.map, AxisSide::Left, y0, span, rows, g.left_room, show_query_labels_,
                   show_query_labels_ ? query_title_ : QString());
        paint_axis(p, g.map, AxisSide::Bottom, x0, span, cols, g.bottom_room, true, key_title_);
    }
    if (!message_.isEmpty()) {
        p.setPen(fg);
        p.drawText(g.map.adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, message_);
    }
    p.restore();
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QElapsedTimer timer;
    timer.start();
    QPainter p(this);
    p.setFont(widget_font());
    p.setPen(palette().color(QPalette::WindowText));
    const Geometry g = geometry(QRectF(rect()), QFontMetricsF(p.font()));
    const QSize size = g.map.size().toSize();
    if (raster_dirty_ || raster_.size() != size) {
        raster_ = render_raster(size.width(), size.height());
        raster_dirty_ = false;
    }
    paint_panel(p, g, raster_);
    last_paint_ms_ = timer.nsecsElapsed() * 1e-6;
}

void HeatmapView::paint_figure(QPainter& p, const QRectF& rect) const {
    const Geometry g = geometry(rect, QFontMetricsF(p.font()));
    // Raster at the output's resolution (a 300-dpi PNG gets ~4 pixels per point), text as text.
    const QTransform t = p.deviceTransform();
    const double scale = std::clamp(std::sqrt(std::abs(t.determinant())), 1.0, 8.0);
    const int px = std::clamp(int(std::ceil(g.map.width() * scale)), 1, kMaxExportRaster);
    paint_panel(p, g, render_raster(px, px));
}

void HeatmapView::render_figure(QPainter& p, const QRectF& target) const {
    const QSizeF fs = figure_size();
    const FigureCanvas canvas(p, target, fs, font(), 9);
    paint_figure(p, QRectF(QPointF(0, 0), fs));
}

QString HeatmapView::figure_csv() const {
    QString out;
    QTextStream s(&out);
    const MapRegion v = viewport_->region();
    if (!exact_.empty()) {
        s << "query,key,value\n";
        for (int i = 0; i < exact_.rows; ++i) {
            const int t = exact_.row_position[i];
            if (t < v.row0 || t >= v.row1) continue;
            for (int j = 0; j < exact_.cols; ++j) {
                const int k = exact_.col_position[j];
                if (k > t) break;
                if (k < v.col0 || k >= v.col1) continue;
                s << t << ',' << k << ',' << QString::number(exact_.at(i, j), 'g', 9) << '\n';
            }
        }
        return out;
    }
    s << "query_begin,query_end,key_begin,key_end,mean_value\n";
    const auto end = [](const std::vector<int>& pos, int i, int last) {
        return i + 1 < int(pos.size()) ? pos[i + 1] : last;
    };
    for (int i = 0; i < overview_.rows; ++i) {
        const int a = overview_.row_position[i], b = end(overview_.row_position, i, overview_.row1);
        if (b <= v.row0 || a >= v.row1) continue;
        for (int j = 0; j < overview_.cols; ++j) {
            const int c = overview_.col_position[j],
                      d = end(overview_.col_position, j, overview_.col1);
            if (d <= v.col0 || c >= v.col1 || c >= b) continue;
            s << a << ',' << b << ',' << c << ',' << d << ','
              << QString::number(overview_.at(i, j), 'g', 9) << '\n';
        }
    }
    return out;
}

QString HeatmapView::figure_name() const {
    QString name = title_.isEmpty() ? QString("heatmap") : title_;
    name.replace(QRegularExpression("[^A-Za-z0-9_]+"), "_");
    return name;
}

void HeatmapView::resizeEvent(QResizeEvent*) {
    raster_dirty_ = true;
    const int px = map_pixels();
    if (px != last_pixels_) {
        last_pixels_ = px;
        emit map_pixels_changed(px);
    }
}

void HeatmapView::update_hover(QPointF pos) {
    QPoint cell(-1, -1);
    if (viewport_->tokens() > 0 && map_rect().contains(pos)) {
        const QPointF m = map_point(pos);
        const int T = viewport_->tokens();
        cell = QPoint(std::clamp(int(std::floor(m.x())), 0, T - 1),
                      std::clamp(int(std::floor(m.y())), 0, T - 1));
    }
    if (cell == hovered_) return;
    hovered_ = cell;
    emit cell_hovered(cell.y(), cell.x());
}

void HeatmapView::wheelEvent(QWheelEvent* e) {
    if (viewport_->tokens() <= 0) return;
    const double notches = e->angleDelta().y() / 120.0;
    if (notches == 0) return;
    const QRectF m = map_rect();
    const QPointF pos(std::clamp(e->position().x(), m.left(), m.right()),
                      std::clamp(e->position().y(), m.top(), m.bottom()));
    viewport_->zoom_at(map_point(pos), std::pow(kWheelStep, notches));
    update_hover(e->position());
    e->accept();
}

void HeatmapView::mousePressEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    dragging_ = true;
    last_drag_ = e->localPos();
    setCursor(Qt::ClosedHandCursor);
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e) {
    if (dragging_) {
        const QPointF d = e->localPos() - last_drag_;
        last_drag_ = e->localPos();
        const double k = viewport_->span() / std::max(1.0, map_rect().width());
        viewport_->pan_by(-d.x() * k, -d.y() * k);
    }
    update_hover(e->localPos());
}

void HeatmapView::mouseReleaseEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton) return;
    dragging_ = false;
    setCursor(Qt::CrossCursor);
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) viewport_->reset();
}

void HeatmapView::leaveEvent(QEvent*) {
    if (hovered_ == QPoint(-1, -1)) return;
    hovered_ = QPoint(-1, -1);
    emit cell_hovered(-1, -1);
}

}  // namespace rs::ui
