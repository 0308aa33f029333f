// Perceptually uniform colormaps for heatmaps and head grids (tables generated from matplotlib's
// published data by resources/colormaps/gen_colormaps.py).
#pragma once

#include <QColor>
#include <QString>
#include <array>

namespace rs::ui {

enum class Colormap { Viridis, Magma, Diverging };

// t in [0, 1] (clamped; NaN maps to transparent black).
QRgb colormap_rgb(Colormap map, double t);
const std::array<QRgb, 256>& colormap_table(Colormap map);
QString colormap_name(Colormap map);

}  // namespace rs::ui
