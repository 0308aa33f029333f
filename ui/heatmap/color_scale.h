// How a heatmap turns values into colours: a colormap over a linear or log10 value range, with
// the ticks and labels its colour bar shows.
#pragma once

#include <QRgb>
#include <QString>
#include <vector>

#include "colormap.h"

namespace rs::ui {

struct ColorScale {
    Colormap map = Colormap::Viridis;
    bool log = false;  // log10 of the value between lo and hi (lo > 0); values below lo clamp to lo
    double lo = 0.0;
    double hi = 1.0;

    // Probabilities: linear [0, hi] or log10 [floor, hi].
    static ColorScale probability(Colormap map, bool log, double hi, double log_floor);
    // Signed differences: the diverging map over the symmetric range [-max_abs, max_abs].
    static ColorScale difference(double max_abs);

    // Where `v` falls on the colormap, in [0, 1]; NaN stays NaN.
    double position(double v) const;
    // The colour of one value, by the same (float) arithmetic as colorize.
    QRgb color(double v) const {
        const float f = float(v);
        QRgb out;
        colorize(&f, 1, &out);
        return out;
    }
    // Colours of many values at once (the heatmap's per-entry colour table).
    void colorize(const float* values, std::size_t n, QRgb* out) const;

    // Values to mark on a colour bar, lo and hi included where they are round.
    std::vector<double> ticks() const;
    QString label(double v) const;
};

}  // namespace rs::ui
