// Noise sweep: one forward per (target, sigma) with a query hook adding seeded Gaussian noise.
// Noise for a head is drawn from a generator seeded by (seed, run, layer, head), so results do not
// depend on thread scheduling.
#include "noise_experiment.h"

#include <cmath>
#include <numbers>

#include "error.h"
#include "head_stats.h"

namespace rs {

namespace {

// splitmix64: tiny, fully specified, the same stream on every platform (std::normal_distribution is not).
struct SplitMix {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return (double(next() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
};

void add_gaussian(float* q, long ld, int T, int d, double sigma, std::uint64_t seed) {
    SplitMix rng{seed};
    for (int t = 0; t < T; ++t)
        for (int i = 0; i < d; i += 2) {  // Box-Muller: two normals per draw
            const double r = std::sqrt(-2.0 * std::log(rng.uniform())), a = 2.0 * std::numbers::pi * rng.uniform();
            q[std::size_t(t) * ld + i] += float(sigma * r * std::cos(a));
            if (i + 1 < d) q[std::size_t(t) * ld + i + 1] += float(sigma * r * std::sin(a));
        }
}

bool hits(NoiseTarget t, bool imag) {
    return t == NoiseTarget::Both || (t == NoiseTarget::Imag) == imag;
}

// Mean over layers and over real (imag) heads of M(D).
void mean_mass(const RunStats& st, const HeadLayout& L, std::vector<double>& real, std::vector<double>& imag) {
    const std::size_t n = st.thresholds.size();
    real.assign(n, 0.0);
    imag.assign(n, 0.0);
    double nr = 0, ni = 0;
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : L.heads) {
            auto& dst = h.imag ? imag : real;
            for (std::size_t i = 0; i < n; ++i) dst[i] += st.at(l, h.index).long_range_mass[i];
            (h.imag ? ni : nr) += 1;
        }
    for (auto& v : real) v /= nr;
    for (auto& v : imag) v /= ni;
}

}  // namespace

std::string noise_target_name(NoiseTarget t) {
    switch (t) {
        case NoiseTarget::Real: return "real";
        case NoiseTarget::Imag: return "imag";
        case NoiseTarget::Both: return "both";
    }
    return "?";
}

NoiseSweep run_noise_experiment(Model& model, std::span<const std::int32_t> ids, const NoiseOptions& opt) {
    for (double s : opt.sigmas)
        if (!(s >= 0) || !std::isfinite(s)) throw UsageError("noise sigma must be a finite number >= 0");
    const HeadLayout& L = model.layout();
    NoiseSweep sweep;
    sweep.seed = opt.seed;
    sweep.tokens = int(ids.size());
    const long total = 1 + long(opt.targets.size() * opt.sigmas.size());
    long done = 0;
    auto step = [&] {
        if (opt.progress && !opt.progress(done, total)) throw Cancelled();
    };
    auto run = [&](QueryHook hook, double& nll, std::vector<double>& real, std::vector<double>& imag) {
        HeadStatsProbe stats(true, opt.thresholds);
        ForwardOptions fo;
        fo.probes = {&stats};
        fo.query_hook = std::move(hook);
        // Polled inside the run with the runs done so far: a cancel need not wait for a whole run.
        if (opt.progress) fo.progress = [&](long, long) { return opt.progress(done, total); };
        nll = model.forward(ids, fo).mean_nll();
        sweep.thresholds = stats.stats().thresholds;
        mean_mass(stats.stats(), L, real, imag);
        ++done;
        step();
    };
    step();
    run(nullptr, sweep.baseline_nll, sweep.baseline_mass_real, sweep.baseline_mass_imag);
    int run_index = 0;
    for (NoiseTarget target : opt.targets)
        for (double sigma : opt.sigmas) {
            ++run_index;
            NoisePoint p;
            p.sigma = sigma;
            p.target = target;
            const std::uint64_t run_seed = opt.seed * 1000003ULL + std::uint64_t(run_index);
            auto hook = [=](int layer, const HeadInfo& h, float* q, long ld, int T) {
                if (!hits(target, h.imag) || sigma == 0) return;
                const std::uint64_t s = run_seed * 0x100000001b3ULL ^ (std::uint64_t(layer) << 32) ^ std::uint64_t(h.index);
                add_gaussian(q, ld, T, L.head_dim, sigma, s);
            };
            run(hook, p.mean_nll, p.long_range_mass_real, p.long_range_mass_imag);
            p.delta_nll = p.mean_nll - sweep.baseline_nll;
            sweep.points.push_back(std::move(p));
        }
    return sweep;
}

}  // namespace rs
