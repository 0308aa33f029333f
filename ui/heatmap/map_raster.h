// Values laid over a T x T map (an exact tile or a pooled overview) and the rasteriser that turns
// the visible square into screen pixels: each pixel looks up the cell under its centre, so a frame
// costs one table lookup per pixel whatever the zoom.
#pragma once

#include <QImage>
#include <cmath>
#include <vector>

#include "color_scale.h"
#include "tile_source.h"

namespace rs::ui {

struct MapGrid {
    bool exact = false;             // entries are exact values (a tile), not pooled means
    int row0 = 0, row1 = 0;         // query positions covered, half-open
    int col0 = 0, col1 = 0;         // key positions covered, half-open
    std::vector<int> row_index;     // [row1 - row0]: grid row holding each position
    std::vector<int> col_index;     // [col1 - col0]
    std::vector<int> row_position;  // [rows]: first position of each grid row (an exact tile's
    std::vector<int> col_position;  // entry is the value AT that position), one past: row1
    int rows = 0, cols = 0;
    std::vector<float> values;  // [rows, cols]
    std::vector<QRgb> colors;   // [rows, cols] after colorize()

    bool empty() const { return values.empty(); }
    // An exact tile's values: entry (i, j) is position (row0 + i*stride, col0 + j*stride) and is
    // drawn over the stride x stride block starting there.
    static MapGrid from_tile(const MapRegion& region, int rows, int cols,
                             std::vector<float> values);
    // A pooled overview: cell i covers positions [floor(i*T/side), floor((i+1)*T/side)).
    static MapGrid from_overview(int tokens, int side, std::vector<float> values);

    bool covers(int query, int key) const {
        return query >= row0 && query < row1 && key >= col0 && key < col1;
    }
    // Entry under a position, or -1 when outside.
    int row_of(int query) const {
        return query >= row0 && query < row1 ? row_index[query - row0] : -1;
    }
    int col_of(int key) const { return key >= col0 && key < col1 ? col_index[key - col0] : -1; }
    float at(int i, int j) const { return values[std::size_t(i) * cols + j]; }
    // Value under a position; NaN outside the grid.
    float value(int query, int key) const {
        const int i = row_of(query), j = col_of(key);
        return i < 0 || j < 0 ? NAN : at(i, j);
    }
    void colorize(const ColorScale& scale);
    // Largest finite |value| (or value, when `absolute` is false) over the entries whose blocks
    // meet the square [x0, x0 + span) x [y0, y0 + span), masked entries (key > query) excluded.
    // With `quantile` < 1, that quantile of them instead: a range that one outlier (p(0,0) = 1
    // on the diagonal's first entry) cannot stretch until everything else looks blank.
    float max_in(double x0, double y0, double span, bool absolute, double quantile = 1.0) const;
};

// Fills `image` with the map square [x0, x0 + span) x [y0, y0 + span) (x: key, y: query): each
// pixel takes the colour of the `exact` entry covering its centre, else the `overview` cell, else
// `empty`; pixels whose centre lies above the diagonal (key > query), or with `window` W > 0
// outside the sliding window (key <= query - W), get `masked`.
void rasterize_map(QImage& image, double x0, double y0, double span, const MapGrid* exact,
                   const MapGrid* overview, QRgb masked, QRgb empty, int window = 0);

}  // namespace rs::ui
