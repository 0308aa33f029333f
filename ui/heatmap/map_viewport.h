// The visible square of a T x T attention map, shared by every panel that shows it, so zoom and
// pan stay linked: panels read it and write it, it notifies them all through `changed`.
#pragma once

#include <QObject>
#include <QPointF>

#include "tile_source.h"

namespace rs::ui {

class MapViewport : public QObject {
    Q_OBJECT
  public:
    // Deepest zoom: this many positions per side (each token cell then spans many pixels).
    static constexpr double kMinSpan = 4.0;

    explicit MapViewport(QObject* parent = nullptr);

    // Sets the map size and shows all of it.
    void set_tokens(int tokens);
    int tokens() const { return tokens_; }

    // Continuous map coordinates: x is the key position s, y the query position t; the visible
    // square is [x0, x0 + span) x [y0, y0 + span). Cells stay square, so one span serves both axes.
    double x0() const { return x0_; }
    double y0() const { return y0_; }
    double span() const { return span_; }
    bool is_full() const { return span_ >= tokens_ && x0_ == 0 && y0_ == 0; }

    // Zooms by `factor` (> 1 zooms in) keeping the map point `anchor` (x = key, y = query) fixed.
    void zoom_at(QPointF anchor, double factor);
    // Moves the visible square by (dx, dy) positions.
    void pan_by(double dx, double dy);
    void reset();
    // Shows `region` (widened to a square over its longer side; stride is ignored).
    void set_region(const MapRegion& region);
    // Integer positions that are at least partly visible, clipped to the map; stride 1.
    MapRegion region() const;

  signals:
    void changed();

  private:
    void clamp_and_notify(double x0, double y0, double span);

    int tokens_ = 0;
    double x0_ = 0, y0_ = 0, span_ = 0;
};

}  // namespace rs::ui
