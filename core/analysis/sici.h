// Sine and cosine integrals Si(x) and Ci(x) in double precision, for the RoPE characteristic
// curves (the Ci/Si closed form of Σ cos θ_iΔ and Σ sin θ_iΔ); no library special functions.
//
//   Si(x) = ∫_0^x sin t / t dt          Ci(x) = γ + ln x + ∫_0^x (cos t − 1) / t dt
//
// Accuracy (checked by tests/test_sici.cpp against an mpmath reference): Si to 1e-12 relative for
// every finite x; Ci to 1e-12 relative to max(|Ci(x)|, min(1, 1/x)), i.e. relative away from its
// zeros and absolute (scaled by the 1/x envelope of its oscillation) near them, where a relative
// error is meaningless.
#pragma once

namespace rs {

struct SiCi {
    double si = 0.0;
    double ci = 0.0;
};

// Si(x) for any x (odd: Si(−x) = −Si(x), Si(0) = 0, Si(±∞) = ±π/2); NaN gives NaN.
double sine_integral(double x);

// Ci(x) for x > 0 (Ci(+∞) = 0); throws UsageError for x <= 0, where Ci is not real. NaN gives NaN.
double cosine_integral(double x);

// Both at once (they share the auxiliary functions); same domain as cosine_integral.
SiCi sine_cosine_integrals(double x);

}  // namespace rs
