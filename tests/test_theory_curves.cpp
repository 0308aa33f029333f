// Characteristic curves: discrete sums against a long-double direct sum, the Ci/Si closed form
// against the sums (limits, Euler–Maclaurin end correction, shrinking gap), scaling and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "error.h"
#include "rope.h"
#include "theory_curves.h"

using namespace rs;

namespace {

RopeParams params(double base, int head_dim, double partial = 1.0) {
    RopeParams p;
    p.theta = base;
    p.head_dim = head_dim;
    p.partial_rotary_factor = partial;
    return p;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    double m = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
    return m;
}

}  // namespace

TEST(TheoryCurves, DiscreteSumsMatchLongDoubleDirectSum) {
    const RopeSpectrum spec = make_rope_spectrum(params(500000.0, 128));
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-1.0, 2.0);
    std::vector<double> w(spec.half());
    for (double& x : w) x = u(rng);
    const std::vector<double> dist = {0.0, 0.5, 1.0, 3.0, 17.0, 1000.0, 4097.0, 65536.0, 1e6};
    std::vector<double> re(dist.size()), im(dist.size());
    discrete_sums(spec.inv_freq, w, dist, re, im);
    double mass = 0.0;
    for (double x : w) mass += std::abs(x);
    for (std::size_t j = 0; j < dist.size(); ++j) {
        long double c = 0, s = 0;
        for (int i = 0; i < spec.half(); ++i) {
            const long double phase = (long double)spec.inv_freq[i] * (long double)dist[j];
            c += (long double)w[i] * std::cos(phase);
            s += (long double)w[i] * std::sin(phase);
        }
        // Error budget in double: the rounded phase θΔ (relative eps, so absolute θ_max Δ eps),
        // cos/sin themselves (~1 ulp) and n additions, each weighted by |w_i|.
        const double eps = std::numeric_limits<double>::epsilon();
        const double tol = mass * eps * (dist[j] * spec.inv_freq[0] + spec.half() + 4.0);
        EXPECT_NEAR(re[j], double(c), tol) << dist[j];
        EXPECT_NEAR(im[j], double(s), tol) << dist[j];
    }
}

TEST(TheoryCurves, ValuesAtZeroDistance) {
    for (double partial : {1.0, 0.5, 0.25}) {
        const auto c = characteristic_curves(params(10000.0, 128, partial), std::vector{0.0});
        const double half = 64.0 * partial;
        EXPECT_EQ(c.rotary_dim, int(128 * partial));
        EXPECT_EQ(c.real_sum[0], half);
        EXPECT_EQ(c.imag_sum[0], 0.0);
        EXPECT_EQ(c.real_closed[0], half);
        EXPECT_EQ(c.imag_closed[0], 0.0);
    }
    // The closed form also tends to d/2 continuously (Ci(x) − Ci(x/b) → ln b).
    EXPECT_NEAR(closed_form(10000.0, 128, 1.0, 1e-9).real, 64.0, 1e-9);
    EXPECT_NEAR(closed_form(10000.0, 128, 1.0, 1e-9).imag, 0.0, 1e-8);
    // Tiny distances use the leading series terms: continuous across the switch at 1e-8 and no
    // failure when Δ/b underflows to 0 (Ci(0) is undefined).
    const auto below = closed_form(1e6, 128, 1.0, 0.999999e-8);
    const auto above = closed_form(1e6, 128, 1.0, 1.000001e-8);
    EXPECT_NEAR(below.real, above.real, 1e-13);
    // S is linear in Δ there, so compare the slopes S(Δ)/Δ.
    EXPECT_NEAR(below.imag / 0.999999e-8, above.imag / 1.000001e-8, 1e-13 * above.imag / 1e-8);
    const auto denormal = closed_form(1e10, 128, 1.0, 5e-324);
    EXPECT_EQ(denormal.real, closed_form(1e10, 128, 1.0, 1e-30).real);
    EXPECT_GE(denormal.imag, 0.0);
}

TEST(TheoryCurves, ClosedFormIsTheLeftRiemannSumsLimitWithEulerMaclaurinEnds) {
    // Σ_{i<n} F(i/n) = n∫F + ½(F(0) − F(1)) + (F'(1) − F'(0))/(12n) + O((Δ ln b / n)³ / 720),
    // F(u) = cos(Δ b^−u) for the real curve and sin(Δ b^−u) for the imaginary one, n = d/2.
    const double b = 10000.0, L = std::log(b);
    const int d = 128, n = d / 2;
    const auto dist = linear_distances(4.0, 81);
    const auto c = characteristic_curves(params(b, d), dist);
    double worst_re = 0, worst_im = 0, end_size = 0;
    for (std::size_t j = 0; j < dist.size(); ++j) {
        const double D = dist[j], lo = D / b;
        const double em_re = 0.5 * (std::cos(D) - std::cos(lo)) +
                             (std::sin(lo) * lo * L - std::sin(D) * D * L) / (12.0 * n);
        const double em_im = 0.5 * (std::sin(D) - std::sin(lo)) +
                             (std::cos(D) * D * L - std::cos(lo) * lo * L) / (12.0 * n);
        worst_re = std::max(worst_re, std::abs(c.real_sum[j] - c.real_closed[j] - em_re));
        worst_im = std::max(worst_im, std::abs(c.imag_sum[j] - c.imag_closed[j] - em_im));
        end_size = std::max(end_size, std::abs(em_re));
    }
    // (Δ ln b / n)³ / 720 <= (4 · 9.2 / 64)³ / 720 · (2 derivative ends) ≈ 5e-4.
    EXPECT_LT(worst_re, 1e-3);
    EXPECT_LT(worst_im, 1e-3);
    EXPECT_GT(end_size, 0.5);  // the end correction is real: the prediction is not trivially 0
}

TEST(TheoryCurves, RelativeGapShrinksAsHeadDimGrows) {
    const auto dist = log_distances(4096.0, 256);
    for (double b : {10000.0, 500000.0}) {
        double previous = std::numeric_limits<double>::infinity();
        for (int d : {32, 128, 512, 2048}) {
            const auto c = characteristic_curves(params(b, d), dist);
            ASSERT_TRUE(c.has_closed_form);
            const double g = std::max(c.real_gap.relative, c.imag_gap.relative);
            EXPECT_LT(g, previous) << "base " << b << " d " << d;
            EXPECT_DOUBLE_EQ(c.real_gap.relative, c.real_gap.max_abs / (d / 2));
            previous = g;
        }
        EXPECT_LT(previous, 0.05);
    }
}

TEST(TheoryCurves, LongRangeClosedFormPlateausAndDecaysLogarithmically) {
    // S(Δ) − (d/2)(π/2)/ln b = (d/(2 ln b)) [(Si(Δ) − π/2) − Si(Δ/b)], and |Si(x) − π/2| <=
    // f + g < 1/x + 1/x², 0 < Si(y) <= y: the plateau holds to that bound for 1 << Δ << b.
    const double b = 500000.0;
    const int d = 128;
    const double amp = d / (2.0 * std::log(b));
    const double plateau = amp * std::numbers::pi / 2;
    const auto dist = log_distances(5000.0, 64);
    const auto c = characteristic_curves(params(b, d), dist);
    for (std::size_t j = 0; j < dist.size(); ++j) {
        const double D = dist[j];
        if (D < 50) continue;
        EXPECT_NEAR(c.imag_closed[j], plateau, amp * (1 / D + 1 / (D * D) + D / b)) << D;
        // The real curve decays only logarithmically there: Ci(Δ) − Ci(Δ/b) ≈ ln(b/Δ) − γ, with
        // |Ci(Δ)| < 1/Δ + 1/Δ² and |Ci(y) − γ − ln y| <= y²/4.
        const double y = D / b;
        EXPECT_NEAR(c.real_closed[j], amp * (std::log(b / D) - std::numbers::egamma),
                    amp * (1 / D + 1 / (D * D) + y * y / 4))
            << D;
    }
}

TEST(TheoryCurves, NegativeDistancesFollowParity) {
    const auto pos = std::vector<double>{0.3, 7.0, 900.0};
    const auto neg = std::vector<double>{-0.3, -7.0, -900.0};
    const auto a = characteristic_curves(params(10000.0, 64), pos);
    const auto b = characteristic_curves(params(10000.0, 64), neg);
    for (int j = 0; j < 3; ++j) {
        EXPECT_DOUBLE_EQ(a.real_sum[j], b.real_sum[j]);
        EXPECT_DOUBLE_EQ(a.imag_sum[j], -b.imag_sum[j]);
        EXPECT_EQ(a.real_closed[j], b.real_closed[j]);
        EXPECT_EQ(a.imag_closed[j], -b.imag_closed[j]);
    }
}

TEST(TheoryCurves, PositionInterpolationStretchesDistance) {
    auto p = params(10000.0, 128);
    p.linear_factor = 8.0;
    const auto dist = log_distances(65536.0, 40);
    std::vector<double> shrunk(dist.size());
    for (std::size_t j = 0; j < dist.size(); ++j) shrunk[j] = dist[j] / 8.0;
    const auto scaled = characteristic_curves(p, dist);
    const auto plain = characteristic_curves(params(10000.0, 128), shrunk);
    ASSERT_TRUE(scaled.has_closed_form);
    EXPECT_LT(max_abs_diff(scaled.real_sum, plain.real_sum), 1e-9);
    EXPECT_LT(max_abs_diff(scaled.imag_sum, plain.imag_sum), 1e-9);
    EXPECT_LT(max_abs_diff(scaled.real_closed, plain.real_closed), 1e-12);
    EXPECT_LT(max_abs_diff(scaled.imag_closed, plain.imag_closed), 1e-12);
}

TEST(TheoryCurves, ScaledSpectraKeepSumsButHaveNoClosedForm) {
    auto yarn = params(10000.0, 128);
    yarn.yarn_factor = 32.0;
    auto llama3 = params(500000.0, 128);
    llama3.llama3 = Llama3Scaling{};
    const auto dist = log_distances(1000.0, 16);
    for (const auto& p : {yarn, llama3}) {
        const auto c = characteristic_curves(p, dist);
        EXPECT_FALSE(c.has_closed_form);
        EXPECT_FALSE(c.closed_form_note.empty());
        EXPECT_TRUE(std::isnan(c.real_closed[3]));
        EXPECT_TRUE(std::isnan(c.real_gap.max_abs));
        EXPECT_TRUE(std::isfinite(c.real_sum[3]));
    }
    const auto base_c = characteristic_curves(yarn, std::vector{0.0});
    EXPECT_EQ(base_c.real_sum[0], 64.0);  // s² left out by default
    const float s = float(0.1 * std::log(32.0) + 1.0);
    EXPECT_DOUBLE_EQ(base_c.logit_scale, double(s) * double(s));

    CurveOptions scaled;
    scaled.apply_logit_scale = true;
    const auto a = characteristic_curves(yarn, dist, scaled);
    const auto b = characteristic_curves(yarn, dist);
    EXPECT_TRUE(a.logit_scale_applied);
    for (std::size_t j = 0; j < dist.size(); ++j)
        EXPECT_DOUBLE_EQ(a.real_sum[j], b.real_sum[j] * b.logit_scale);
}

TEST(TheoryCurves, WeightsScaleOrRemoveTheClosedForm) {
    const auto dist = log_distances(2000.0, 32);
    CurveOptions uniform;
    uniform.weights.assign(64, 2.5);
    const auto u = characteristic_curves(params(10000.0, 128), dist, uniform);
    const auto one = characteristic_curves(params(10000.0, 128), dist);
    ASSERT_TRUE(u.has_closed_form);
    for (std::size_t j = 0; j < dist.size(); ++j) {
        EXPECT_DOUBLE_EQ(u.real_closed[j], 2.5 * one.real_closed[j]);
        EXPECT_NEAR(u.imag_sum[j], 2.5 * one.imag_sum[j], 1e-12);
    }
    EXPECT_NEAR(u.real_gap.relative, one.real_gap.relative, 1e-12);

    CurveOptions ramp;
    for (int i = 0; i < 64; ++i) ramp.weights.push_back(1.0 + i);
    const auto r = characteristic_curves(params(10000.0, 128), dist, ramp);
    EXPECT_FALSE(r.has_closed_form);
    EXPECT_EQ(r.real_sum.size(), dist.size());
}

TEST(TheoryCurves, FamilyHasOneCurveSetPerBase) {
    const std::vector<double> bases = {10000.0, 500000.0, 1e6};
    auto proto = params(1.0e9, 128, 0.5);
    const auto dist = log_distances(65536.0, 32);
    const auto family = curve_family(proto, bases, dist);
    ASSERT_EQ(family.size(), 3u);
    for (std::size_t k = 0; k < bases.size(); ++k) {
        EXPECT_EQ(family[k].base, bases[k]);
        EXPECT_EQ(family[k].rotary_dim, 64);
        const auto single = characteristic_curves(params(bases[k], 128, 0.5), dist);
        EXPECT_EQ(family[k].real_sum, single.real_sum);
        EXPECT_EQ(family[k].imag_closed, single.imag_closed);
    }
    // A larger base keeps more low frequencies: the imaginary plateau (d/2)(π/2)/ln b is lower.
    EXPECT_GT(family[0].imag_closed[16], family[2].imag_closed[16]);
}

TEST(TheoryCurves, Grids) {
    const auto g = log_distances(65536.0, 17);
    EXPECT_EQ(g.front(), 1.0);
    EXPECT_EQ(g.back(), 65536.0);
    EXPECT_NEAR(g[1], 2.0, 1e-12);
    const auto l = linear_distances(10.0, 11);
    EXPECT_EQ(l.front(), 0.0);
    EXPECT_EQ(l[3], 3.0);
    EXPECT_EQ(l.back(), 10.0);
}

TEST(TheoryCurves, ErrorPaths) {
    EXPECT_THROW(log_distances(1.0, 10), UsageError);
    EXPECT_THROW(log_distances(100.0, 1), UsageError);
    EXPECT_THROW(linear_distances(0.0, 10), UsageError);
    EXPECT_THROW(linear_distances(std::numeric_limits<double>::infinity(), 10), UsageError);
    EXPECT_THROW(characteristic_curves(params(1.0, 128), std::vector{1.0}), UsageError);
    EXPECT_THROW(characteristic_curves(params(10000.0, 127), std::vector{1.0}), UsageError);
    EXPECT_THROW(characteristic_curves(params(10000.0, 128), std::vector{std::nan("")}),
                 UsageError);
    CurveOptions bad;
    bad.weights.assign(10, 1.0);
    EXPECT_THROW(characteristic_curves(params(10000.0, 128), std::vector{1.0}, bad), UsageError);
    bad.weights.assign(64, std::numeric_limits<double>::infinity());
    EXPECT_THROW(characteristic_curves(params(10000.0, 128), std::vector{1.0}, bad), UsageError);
    EXPECT_THROW(curve_family(params(10000.0, 128), {}, std::vector{1.0}), UsageError);
    EXPECT_THROW(closed_form(10000.0, 128, 0.0, 1.0), UsageError);
}
