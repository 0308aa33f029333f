// Colormap lookup over the generated 256-entry tables.
#include "colormap.h"

#include <cmath>

namespace rs::ui {

namespace {
#include "colormap_tables.inc"

std::array<QRgb, 256> make(const unsigned (&src)[256]) {
    std::array<QRgb, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = 0xff000000u | src[i];
    return t;
}
}  // namespace

const std::array<QRgb, 256>& colormap_table(Colormap map) {
    static const auto viridis = make(kViridis), magma = make(kMagma), diverging = make(kDiverging);
    switch (map) {
        case Colormap::Magma: return magma;
        case Colormap::Diverging: return diverging;
        default: return viridis;
    }
}

QRgb colormap_rgb(Colormap map, double t) {
    if (std::isnan(t)) return 0;
    const int i = t <= 0 ? 0 : t >= 1 ? 255 : int(t * 255.0 + 0.5);
    return colormap_table(map)[i];
}

QString colormap_name(Colormap map) {
    switch (map) {
        case Colormap::Magma: return "magma";
        case Colormap::Diverging: return "diverging (coolwarm)";
        default: return "viridis";
    }
}

}  // namespace rs::ui
