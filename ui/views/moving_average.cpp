// Moving average with running sums over finite values: O(n) for any window.
#include "moving_average.h"

#include <algorithm>
#include <cmath>

namespace rs::ui {

std::vector<double> moving_average(std::span<const double> in, int window) {
    const long n = long(in.size());
    std::vector<double> out(in.begin(), in.end());
    if (window <= 1 || n == 0) return out;
    const long half = window / 2;
    // Prefix sums of the finite values and of their count.
    std::vector<double> sum(std::size_t(n) + 1, 0.0);
    std::vector<long> count(std::size_t(n) + 1, 0);
    for (long i = 0; i < n; ++i) {
        const bool ok = std::isfinite(in[std::size_t(i)]);
        sum[std::size_t(i) + 1] = sum[std::size_t(i)] + (ok ? in[std::size_t(i)] : 0.0);
        count[std::size_t(i) + 1] = count[std::size_t(i)] + (ok ? 1 : 0);
    }
    for (long i = 0; i < n; ++i) {
        if (!std::isfinite(in[std::size_t(i)])) continue;
        const long lo = std::max(0L, i - half), hi = std::min(n, i + half + 1);
        const long c = count[std::size_t(hi)] - count[std::size_t(lo)];
        out[std::size_t(i)] =
            c > 0 ? (sum[std::size_t(hi)] - sum[std::size_t(lo)]) / double(c) : std::nan("");
    }
    return out;
}

}  // namespace rs::ui
