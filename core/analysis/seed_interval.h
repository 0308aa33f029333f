// 95% confidence interval of a mean over random seeds: Student's t interval, mean +- t(0.975, n-1)
// * s / sqrt(n), with s the sample standard deviation (n - 1 in the denominator). Seeds are
// independent replicates of the same noise experiment, few in number, so the t interval (not a
// bootstrap, which needs many replicates) is the honest choice.
#pragma once

#include <span>

namespace rs {

struct SeedInterval {
    int n = 0;          // finite values used (NaNs are left out)
    double mean = 0.0;  // NaN when n == 0
    double sd = 0.0;    // sample standard deviation; NaN when n < 2
    double lo = 0.0, hi = 0.0;  // the 95% interval; NaN when n < 2
};

SeedInterval seed_interval_95(std::span<const double> values);

// The p-quantile of Student's t distribution with `df` >= 1 degrees of freedom (p in (0, 1)),
// from its exact closed-form distribution function for integer df, to ~1e-13.
double student_t_quantile(double p, int df);

}  // namespace rs
