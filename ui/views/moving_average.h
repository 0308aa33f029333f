// Centred moving average that skips missing values (NaN), for smoothing per-position curves.
#pragma once

#include <span>
#include <vector>

namespace rs::ui {

// out[i] = mean of the finite values among in[i - window/2 .. i + window/2] (the window shrinks at
// the ends); NaN where in[i] itself is NaN or no finite value is in reach. window <= 1 copies.
std::vector<double> moving_average(std::span<const double> in, int window);

}  // namespace rs::ui
