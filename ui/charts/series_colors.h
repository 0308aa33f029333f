// The colours every chart uses for the same things: real heads blue, imaginary heads orange,
// both green; a qualitative palette for bases, layers and overlaid heads (Tableau 10, colour-blind
// tolerable and readable on white).
#pragma once

#include <QColor>

namespace rs::ui {

inline QColor real_color() {
    return QColor(0x1f, 0x77, 0xb4);
}
inline QColor imag_color() {
    return QColor(0xff, 0x7f, 0x0e);
}
inline QColor both_color() {
    return QColor(0x2c, 0xa0, 0x2c);
}

// i-th colour of a 10-colour qualitative palette (cycles).
QColor palette_color(int i);

// `c` blended towards white by `amount` in [0, 1] (light variants for secondary lines).
QColor lighter_towards_white(const QColor& c, double amount);

}  // namespace rs::ui
