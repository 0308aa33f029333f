// Si and Ci by three regimes: power series for x <= 4, a continued fraction for the auxiliary
// functions f, g up to 64, and their asymptotic series beyond (where it converges to rounding).
#include "sici.h"

#include <cmath>
#include <complex>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

#include "error.h"

namespace rs {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
// Below this the alternating series loses at most ~30x eps to cancellation (terms peak near 4).
constexpr double kSeriesMax = 4.0;
// Above this the asymptotic series' smallest term is far below eps (it shrinks like e^-x).
constexpr double kAsymptoticMin = 64.0;
constexpr int kMaxIterations = 500;

// Auxiliary functions (A&S 5.2.6): Si = π/2 − f cos x − g sin x, Ci = f sin x − g cos x.
struct AuxFG {
    double f;
    double g;
};

// Si(x) = Σ_k (−1)^k x^(2k+1) / ((2k+1)(2k+1)!),  Ci(x) = γ + ln x + Σ_k≥1 (−1)^k x^(2k) / (2k
// (2k)!).
SiCi power_series(double x) {
    const double x2 = x * x;
    double si = x;
    double ci_tail = 0.0;
    double even = 1.0;  // (−1)^k x^(2k) / (2k)!
    double odd = x;     // (−1)^k x^(2k+1) / (2k+1)!
    for (int k = 1; k < kMaxIterations; ++k) {
        even *= -x2 / ((2.0 * k - 1.0) * (2.0 * k));
        odd *= -x2 / ((2.0 * k) * (2.0 * k + 1.0));
        const double ci_term = even / (2.0 * k);
        const double si_term = odd / (2.0 * k + 1.0);
        ci_tail += ci_term;
        si += si_term;
        if (std::abs(si_term) <= kEps * std::abs(si) * 0.5 &&
            std::abs(ci_term) <= kEps * std::abs(ci_tail) * 0.5)
            break;
    }
    return {si, std::numbers::egamma + std::log(x) + ci_tail};
}

// e^{ix} E1(ix) = g(x) − i f(x), from the continued fraction
// E1(z) = e^{-z} / (z+1 − 1/(z+3 − 4/(z+5 − 9/(z+7 − ...)))), evaluated by modified Lentz.
AuxFG continued_fraction(double x) {
    using cplx = std::complex<double>;
    const double tiny = 1e-300;
    cplx b(1.0, x);
    cplx c = 1.0 / tiny;
    cplx d = 1.0 / b;
    cplx h = d;
    for (int n = 1; n < kMaxIterations; ++n) {
        const double a = -double(n) * double(n);
        b += 2.0;
        d = 1.0 / (a * d + b);
        c = b + a / c;
        const cplx delta = c * d;
        h *= delta;
        if (std::abs(delta.real() - 1.0) + std::abs(delta.imag()) <= kEps) break;
    }
    return {-h.imag(), h.real()};
}

// f ~ (1/x) Σ (−1)^k (2k)! / x^(2k),  g ~ (1/x²) Σ (−1)^k (2k+1)! / x^(2k), stopped at rounding
// level or at the smallest term (the series diverges past k ≈ x/2).
AuxFG asymptotic(double x) {
    const double inv = 1.0 / x;
    const double inv2 = inv * inv;  // underflows harmlessly to 0 for x > 1e154
    double f_sum = 1.0, g_sum = 1.0, f_term = 1.0, g_term = 1.0;
    for (int k = 1; k < kMaxIterations; ++k) {
        const double f_next = f_term * -(2.0 * k - 1.0) * (2.0 * k) * inv2;
        const double g_next = g_term * -(2.0 * k) * (2.0 * k + 1.0) * inv2;
        if (std::abs(g_next) >= std::abs(g_term)) break;  // past the smallest term
        f_term = f_next;
        g_term = g_next;
        f_sum += f_term;
        g_sum += g_term;
        if (std::abs(g_term) <= kEps * 0.5) break;  // g's terms dominate f's
    }
    return {f_sum * inv, g_sum * inv2};
}

SiCi from_auxiliary(double x, AuxFG a) {
    const double s = std::sin(x), c = std::cos(x);
    return {std::numbers::pi / 2 - a.f * c - a.g * s, a.f * s - a.g * c};
}

// x > 0 and finite.
SiCi positive_sici(double x) {
    if (x <= kSeriesMax) return power_series(x);
    if (x < kAsymptoticMin) return from_auxiliary(x, continued_fraction(x));
    return from_auxiliary(x, asymptotic(x));
}

}  // namespace

double sine_integral(double x) {
    if (std::isnan(x)) return x;
    if (x == 0.0) return x;  // keeps the sign of zero, like any odd function
    const double ax = std::abs(x);
    const double si = std::isinf(ax) ? std::numbers::pi / 2 : positive_sici(ax).si;
    return x < 0 ? -si : si;
}

SiCi sine_cosine_integrals(double x) {
    if (std::isnan(x)) return {x, x};
    if (!(x > 0.0)) {
        char shown[32];
        std::snprintf(shown, sizeof shown, "%.17g", x);
        throw UsageError(std::string("the cosine integral Ci(x) is only real for x > 0, got x = ") +
                         shown);
    }
    if (std::isinf(x)) return {std::numbers::pi / 2, 0.0};
    return positive_sici(x);
}

double cosine_integral(double x) {
    return sine_cosine_integrals(x).ci;
}

}  // namespace rs
