// Palette tables for ui/charts/series_colors.h.
#include "series_colors.h"

#include <algorithm>
#include <array>

namespace rs::ui {

QColor palette_color(int i) {
    static constexpr std::array<QRgb, 10> kTableau = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728,
                                                      0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f,
                                                      0xbcbd22, 0x17becf};
    const int n = int(kTableau.size());
    return QColor(kTableau[std::size_t(((i % n) + n) % n)]);
}

QColor lighter_towards_white(const QColor& c, double amount) {
    const double a = std::clamp(amount, 0.0, 1.0);
    auto mix = [a](int v) { return int(v + (255 - v) * a + 0.5); };
    return QColor(mix(c.red()), mix(c.green()), mix(c.blue()), c.alpha());
}

}  // namespace rs::ui
