// Student's t distribution for integer degrees of freedom: the closed-form CDF (a finite series in
// theta = atan(t / sqrt(df))) inverted by bisection.
#include "seed_interval.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "error.h"

namespace rs {

namespace {

// P(|T| < t) for t >= 0: with c = cos(theta), s = sin(theta),
//   odd df:  (2/pi) (theta + s (c + (2/3) c^3 + (2*4)/(3*5) c^5 + ... up to c^(df-2)))
//   even df: s (1 + (1/2) c^2 + (1*3)/(2*4) c^4 + ... up to c^(df-2)).
double central_probability(double t, int df) {
    const double theta = std::atan(t / std::sqrt(double(df)));
    const double c = std::cos(theta), s = std::sin(theta);
    if (df % 2 == 1) {
        double sum = 0.0;
        if (df > 1) {
            double term = c;
            sum = term;
            for (int k = 3; k <= df - 2; k += 2) {
                term *= c * c * double(k - 1) / double(k);
                sum += term;
            }
        }
        return 2.0 / std::numbers::pi * (theta + s * sum);
    }
    double term = 1.0, sum = 1.0;
    for (int k = 2; k <= df - 2; k += 2) {
        term *= c * c * double(k - 1) / double(k);
        sum += term;
    }
    return s * sum;
}

}  // namespace

double student_t_quantile(double p, int df) {
    if (df < 1 || !(p > 0.0 && p < 1.0)) throw UsageError("student_t_quantile: bad arguments");
    if (p == 0.5) return 0.0;
    const double central = std::abs(2.0 * p - 1.0);  // P(|T| < q)
    double lo = 0.0, hi = 1.0;
    while (central_probability(hi, df) < central) hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (central_probability(mid, df) < central ? lo : hi) = mid;
    }
    const double q = 0.5 * (lo + hi);
    return p > 0.5 ? q : -q;
}

SeedInterval seed_interval_95(std::span<const double> values) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    SeedInterval r;
    double sum = 0.0;
    for (double v : values)
        if (std::isfinite(v)) sum += v, ++r.n;
    if (r.n == 0) {
        r.mean = r.sd = r.lo = r.hi = kNaN;
        return r;
    }
    r.mean = sum / r.n;
    if (r.n < 2) {
        r.sd = r.lo = r.hi = kNaN;
        return r;
    }
    double ss = 0.0;
    for (double v : values)
        if (std::isfinite(v)) ss += (v - r.mean) * (v - r.mean);
    r.sd = std::sqrt(ss / (r.n - 1));
    const double half = student_t_quantile(0.975, r.n - 1) * r.sd / std::sqrt(double(r.n));
    r.lo = r.mean - half;
    r.hi = r.mean + half;
    return r;
}

}  // namespace rs
