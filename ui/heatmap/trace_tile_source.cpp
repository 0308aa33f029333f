// Trace-backed tiles: one probability tile and one logit tile per request.
#include "trace_tile_source.h"

#include <algorithm>

namespace rs::ui {

TraceTileSource::TraceTileSource(std::shared_ptr<TraceReader> reader) : reader_(std::move(reader)) {}

int TraceTileSource::tokens() const { return reader_->meta().tokens; }
int TraceTileSource::layers() const { return reader_->meta().layers; }
int TraceTileSource::heads() const { return reader_->meta().layout.analysis_heads(); }
bool TraceTileSource::layer_has_rope(int layer) const { return reader_->meta().layer_has_rope(layer); }
int TraceTileSource::layer_window(int layer) const { return reader_->meta().window(layer); }

MapTile TraceTileSource::tile(int layer, int head, const MapRegion& r) const {
    TileRequest req;
    req.layer = layer;
    req.head = head;
    req.row_begin = r.row0;
    req.row_end = r.row1;
    req.col_begin = r.col0;
    req.col_end = r.col1;
    req.stride = std::max(1, r.stride);
    std::lock_guard<std::mutex> lock(mu_);
    Tile p = reader_->tile(req);
    req.values = TileValues::Logit;
    Tile l = reader_->tile(req);
    copy_warnings();
    MapTile t;
    t.region = r;
    t.rows = p.rows;
    t.cols = p.cols;
    t.prob = std::move(p.values);
    t.logit = std::move(l.values);
    return t;
}

MapOverview TraceTileSource::overview(int layer, int head, int max_side) const {
    std::lock_guard<std::mutex> lock(mu_);
    const auto& levels = reader_->meta().overview_cells;  // finest first
    int cells = levels.back();
    for (int c : levels)
        if (c <= max_side) {
            cells = c;
            break;
        }
    OverviewMap m = reader_->overview(layer, head, cells);
    copy_warnings();
    MapOverview o;
    o.side = m.cells;
    o.tokens = reader_->meta().tokens;
    o.mean_prob = std::move(m.mean);
    o.edges = std::move(m.edges);
    return o;
}

std::string TraceTileSource::token_label(int position) const {
    const auto& in = reader_->meta().input;
    if (position >= 0 && position < int(in.display.size())) return in.display[position];
    if (position >= 0 && position < int(in.ids.size())) return "#" + std::to_string(in.ids[position]);
    return {};
}

void TraceTileSource::copy_warnings() const {
    std::lock_guard<std::mutex> lock(warnings_mu_);
    warnings_ = reader_->warnings();
}

std::vector<std::string> TraceTileSource::warnings() const {
    std::lock_guard<std::mutex> lock(warnings_mu_);
    return warnings_;
}

}  // namespace rs::ui
