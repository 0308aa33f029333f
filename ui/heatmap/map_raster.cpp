// Grid construction from tiles/overviews and the per-pixel rasteriser of the visible map square.
#include "map_raster.h"

#include <algorithm>
#include <cmath>

namespace rs::ui {

namespace {

// Fills index (position -> entry) for entries starting at `starts` (ascending) and ending at `end`.
void index_positions(const std::vector<int>& starts, int begin, int end, std::vector<int>& index) {
    index.assign(std::max(0, end - begin), 0);
    for (std::size_t e = 0; e < starts.size(); ++e) {
        const int a = starts[e];
        const int b = e + 1 < starts.size() ? starts[e + 1] : end;
        for (int p = std::max(a, begin); p < std::min(b, end); ++p) index[p - begin] = int(e);
    }
}

}  // namespace

MapGrid MapGrid::from_tile(const MapRegion& r, int rows, int cols, std::vector<float> values) {
    MapGrid g;
    g.exact = true;
    g.rows = rows;
    g.cols = cols;
    g.values = std::move(values);
    const int stride = std::max(1, r.stride);
    for (int i = 0; i < rows; ++i) g.row_position.push_back(r.row0 + i * stride);
    for (int j = 0; j < cols; ++j) g.col_position.push_back(r.col0 + j * stride);
    // The last entry's block may reach past the requested end; clip it there.
    g.row0 = r.row0;
    g.row1 = std::min(r.row1, r.row0 + rows * stride);
    g.col0 = r.col0;
    g.col1 = std::min(r.col1, r.col0 + cols * stride);
    index_positions(g.row_position, g.row0, g.row1, g.row_index);
    index_positions(g.col_position, g.col0, g.col1, g.col_index);
    return g;
}

MapGrid MapGrid::from_overview(int tokens, int side, std::vector<float> values) {
    MapGrid g;
    g.rows = g.cols = side;
    g.values = std::move(values);
    for (int i = 0; i < side; ++i) {
        const int edge = int((long(i) * tokens) / side);
        g.row_position.push_back(edge);
        g.col_position.push_back(edge);
    }
    g.row1 = g.col1 = tokens;
    index_positions(g.row_position, 0, tokens, g.row_index);
    g.col_index = g.row_index;
    return g;
}

void MapGrid::colorize(const ColorScale& scale) {
    colors.resize(values.size());
    scale.colorize(values.data(), values.size(), colors.data());
}

float MapGrid::max_in(double x0, double y0, double span, bool absolute, double quantile) const {
    if (empty()) return 0.0f;
    // Entries whose blocks meet the visible square.
    const int qa = row_of(std::clamp(int(std::floor(y0)), row0, row1 - 1));
    const int qb = row_of(std::clamp(int(std::ceil(y0 + span)) - 1, row0, row1 - 1));
    const int ka = col_of(std::clamp(int(std::floor(x0)), col0, col1 - 1));
    const int kb = col_of(std::clamp(int(std::ceil(x0 + span)) - 1, col0, col1 - 1));
    float best = 0.0f;
    std::vector<float> seen;
    for (int i = qa; i <= qb; ++i) {
        for (int j = ka; j <= kb; ++j) {
            if (exact && col_position[j] > row_position[i]) break;  // masked from here on
            float v = at(i, j);
            if (!std::isfinite(v)) continue;
            if (absolute) v = std::abs(v);
            best = std::max(best, v);
            if (quantile < 1.0) seen.push_back(v);
        }
    }
    if (quantile >= 1.0 || seen.empty()) return best;
    const auto k = std::size_t(std::floor(quantile * double(seen.size() - 1)));
    std::nth_element(seen.begin(), seen.begin() + long(k), seen.end());
    return std::max(seen[k], 0.0f);
}

void rasterize_map(QImage& image, double x0, double y0, double span, const MapGrid* exact,
                   const MapGrid* overview, QRgb masked, QRgb empty, int window) {
    const int w = image.width(), h = image.height();
    if (w <= 0 || h <= 0) return;
    // A grid whose colours are not computed yet draws nothing.
    if (exact && (exact->empty() || exact->colors.size() != exact->values.size())) exact = nullptr;
    if (overview && (overview->empty() || overview->colors.size() != overview->values.size()))
        overview = nullptr;
    // Column lookups once per frame; the inner loop is then two table reads per pixel.
    std::vector<int> key(w), ecol(w, -1), ocol(w, -1);
    const double kx = span / w, ky = span / h;
    for (int x = 0; x < w; ++x) {
        key[x] = int(std::floor(x0 + (x + 0.5) * kx));
        if (exact) ecol[x] = exact->col_of(key[x]);
        if (overview) ocol[x] = overview->col_of(key[x]);
    }
    for (int y = 0; y < h; ++y) {
        const int query = int(std::floor(y0 + (y + 0.5) * ky));
        const int er = exact ? exact->row_of(query) : -1;
        const int orow = overview ? overview->row_of(query) : -1;
        const QRgb* ecolors =
            er >= 0 ? exact->colors.data() + std::size_t(er) * exact->cols : nullptr;
        const QRgb* ocolors =
            orow >= 0 ? overview->colors.data() + std::size_t(orow) * overview->cols : nullptr;
        QRgb* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < w; ++x) {
            if (key[x] > query || (window > 0 && key[x] <= query - window))
                line[x] = masked;
            else if (ecolors && ecol[x] >= 0)
                line[x] = ecolors[ecol[x]];
            else if (ocolors && ocol[x] >= 0)
                line[x] = ocolors[ocol[x]];
            else
                line[x] = empty;
        }
    }
}

}  // namespace rs::ui
