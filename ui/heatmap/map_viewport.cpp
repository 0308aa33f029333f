// Zoom/pan arithmetic of the shared map viewport; every change is clamped to the map.
#include "map_viewport.h"

#include <algorithm>
#include <cmath>

namespace rs::ui {

MapViewport::MapViewport(QObject* parent) : QObject(parent) {}

void MapViewport::set_tokens(int tokens) {
    tokens_ = std::max(0, tokens);
    x0_ = y0_ = 0;
    span_ = tokens_;
    emit changed();
}

void MapViewport::clamp_and_notify(double x0, double y0, double span) {
    const double T = tokens_;
    span = std::clamp(span, std::min(kMinSpan, T), T);
    x0 = std::clamp(x0, 0.0, T - span);
    y0 = std::clamp(y0, 0.0, T - span);
    if (x0 == x0_ && y0 == y0_ && span == span_) return;
    x0_ = x0;
    y0_ = y0;
    span_ = span;
    emit changed();
}

void MapViewport::zoom_at(QPointF anchor, double factor) {
    if (tokens_ <= 0 || !(factor > 0)) return;
    const double T = tokens_;
    const double span = std::clamp(span_ / factor, std::min(kMinSpan, T), T);
    // The anchor keeps its fraction of the visible square, so the point under the cursor stays put.
    const double k = span / span_;
    clamp_and_notify(anchor.x() - (anchor.x() - x0_) * k, anchor.y() - (anchor.y() - y0_) * k,
                     span);
}

void MapViewport::pan_by(double dx, double dy) {
    clamp_and_notify(x0_ + dx, y0_ + dy, span_);
}

void MapViewport::reset() {
    clamp_and_notify(0, 0, tokens_);
}

void MapViewport::set_region(const MapRegion& r) {
    const double span = std::max(r.row1 - r.row0, r.col1 - r.col0);
    clamp_and_notify(r.col0, r.row0, span);
}

MapRegion MapViewport::region() const {
    MapRegion r;
    r.row0 = std::max(0, int(std::floor(y0_)));
    r.col0 = std::max(0, int(std::floor(x0_)));
    r.row1 = std::min(tokens_, int(std::ceil(y0_ + span_ - 1e-9)));
    r.col1 = std::min(tokens_, int(std::ceil(x0_ + span_ - 1e-9)));
    r.stride = 1;
    return r;
}

}  // namespace rs::ui
