// Value -> colour mapping and colour-bar ticks for linear, log10 and symmetric diverging scales.
#include "color_scale.h"

#include <algorithm>
#include <cmath>

namespace rs::ui {

namespace {

// Step of about `span / target` rounded to 1, 2 or 5 times a power of ten.
double nice_step(double span, int target) {
    const double raw = span / std::max(1, target);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

}  // namespace

ColorScale ColorScale::probability(Colormap map, bool log, double hi, double log_floor) {
    ColorScale s;
    s.map = map;
    s.log = log;
    s.lo = log ? std::max(log_floor, 1e-30) : 0.0;
    s.hi = std::max(hi, s.lo * 10);
    if (!(s.hi > s.lo)) s.hi = s.lo + 1;
    return s;
}

ColorScale ColorScale::difference(double max_abs) {
    ColorScale s;
    s.map = Colormap::Diverging;
    const double a = max_abs > 0 && std::isfinite(max_abs) ? max_abs : 1e-3;
    s.lo = -a;
    s.hi = a;
    return s;
}

double ColorScale::position(double v) const {
    if (std::isnan(v)) return v;
    if (log) {
        const double l = std::log10(lo), h = std::log10(hi);
        return std::clamp((std::log10(std::max(v, lo)) - l) / (h - l), 0.0, 1.0);
    }
    return std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
}

void ColorScale::colorize(const float* values, std::size_t n, QRgb* out) const {
    const auto& table = colormap_table(map);
    if (log) {
        const float l = float(std::log10(lo));
        const float k = float(255.0 / (std::log10(hi) - std::log10(lo)));
        const float flo = float(lo);
        for (std::size_t i = 0; i < n; ++i) {
            const float v = values[i];
            if (std::isnan(v)) {
                out[i] = 0;
                continue;
            }
            const float t = (std::log10(std::max(v, flo)) - l) * k + 0.5f;
            out[i] = table[std::clamp(int(t), 0, 255)];
        }
        return;
    }
    const float flo = float(lo), k = float(255.0 / (hi - lo));
    for (std::size_t i = 0; i < n; ++i) {
        const float v = values[i];
        if (std::isnan(v)) {
            out[i] = 0;
            continue;
        }
        // Clamp in float before converting: an int cast of a huge float is undefined.
        const float t = std::clamp((v - flo) * k + 0.5f, 0.0f, 255.0f);
        out[i] = table[int(t)];
    }
}

std::vector<double> ColorScale::ticks() const {
    std::vector<double> out;
    if (log) {
        const int a = int(std::ceil(std::log10(lo) - 1e-9));
        const int b = int(std::floor(std::log10(hi) + 1e-9));
        const int every = std::max(1, (b - a + 6) / 7);  // at most about 7 decades labelled
        for (int e = b; e >= a; e -= every) out.insert(out.begin(), std::pow(10.0, e));
        return out;
    }
    const double step = nice_step(hi - lo, 5);
    const double first = std::ceil(lo / step - 1e-9) * step;
    for (double v = first; v <= hi + step * 1e-9; v += step)
        out.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return out;
}

QString ColorScale::label(double v) const {
    if (v == 0) return "0";
    if (log) return QString("1e%1").arg(int(std::lround(std::log10(v))));
    const double a = std::abs(v);
    if (a >= 1e-3 && a < 1e4) return QString::number(v, 'g', 3);
    // Short scientific form, "5e-4" or "-2.5e-5", rather than printf's "5.0e-04".
    const int e = int(std::floor(std::log10(a)));
    const double m = v / std::pow(10.0, e);
    return QString("%1e%2").arg(QString::number(m, 'g', 2)).arg(e);
}

}  // namespace rs::ui
