// Noise sweep: one forward per (target, sigma) with a query hook adding seeded Gaussian noise.
// Noise for a head is drawn from a generator seeded by (seed, run, layer, head), so results do not
// depend on thread scheduling.
#include "noise_experiment.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
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

// 0 = a, then doubling from `first` while below `limit`, then `limit`.
std::vector<int> doubling_edges(int a, int first, int limit) {
    std::vector<int> e{a};
    for (long v = first; v < limit; v *= 2) e.push_back(int(v));
    e.push_back(limit);
    return e;
}

int bucket_of(const std::vector<int>& edges, int v) {
    const auto it = std::upper_bound(edges.begin(), edges.end(), v);
    return int(it - edges.begin()) - 1;
}

}  // namespace

std::vector<double> paper_sigmas() {
    return {0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5};
}

NoiseBuckets noise_buckets(std::span<const std::int32_t> ids) {
    const int T = int(ids.size());
    NoiseBuckets b;
    if (T < 2) return b;
    b.position_edges = doubling_edges(0, 16, T - 1);
    b.distance_edges = doubling_edges(1, 2, T);
    const std::size_t nP = b.position_edges.size() - 1, nR = b.distance_edges.size() - 1;
    b.position_tokens.assign(nP, 0);
    b.distance_tokens.assign(nR + 1, 0);
    std::map<std::int32_t, int> last;  // token id -> its latest position so far
    last[ids[0]] = 0;
    for (int t = 0; t + 1 < T; ++t) {
        const int p = bucket_of(b.position_edges, t);
        const auto it = last.find(ids[t + 1]);
        const int r = it == last.end() ? int(nR) : bucket_of(b.distance_edges, t + 1 - it->second);
        b.position_of.push_back(p);
        b.distance_of.push_back(r);
        ++b.position_tokens[p];
        ++b.distance_tokens[r];
        last[ids[t + 1]] = t + 1;
    }
    return b;
}

std::vector<double> bucket_means(std::span<const double> values, std::span<const int> bucket_of,
                                 std::size_t buckets) {
    std::vector<double> sum(buckets, 0.0), n(buckets, 0.0);
    for (std::size_t i = 0; i < values.size(); ++i) {
        sum[bucket_of[i]] += values[i];
        n[bucket_of[i]] += 1;
    }
    for (std::size_t k = 0; k < buckets; ++k)
        sum[k] = n[k] > 0 ? sum[k] / n[k] : std::numeric_limits<double>::quiet_NaN();
    return sum;
}

std::string noise_target_name(NoiseTarget t) {
    switch (t) {
        case NoiseTarget::Real: return "real";
        case NoiseTarget::Imag: return "imag";
        case NoiseTarget::Both: return "both";
    }
    return "?";
}

std::vector<NoiseSweep> run_noise_experiments(Model& model, std::span<const std::int32_t> ids,
                                              const NoiseOptions& opt,
                                              std::span<const std::uint64_t> seeds) {
    for (double s : opt.sigmas)
        if (!(s >= 0) || !std::isfinite(s)) throw UsageError("noise sigma must be a finite number >= 0");
    if (seeds.empty()) throw UsageError("a noise experiment needs at least one seed");
    const HeadLayout& L = model.layout();
    const NoiseBuckets buckets = noise_buckets(ids);
    const std::size_t nP = buckets.position_tokens.size(), nR = buckets.distance_tokens.size();
    const long total = 1 + long(seeds.size() * opt.targets.size() * opt.sigmas.size());
    long done = 0;
    auto step = [&] {
        if (opt.progress && !opt.progress(done, total)) throw Cancelled();
    };
    std::vector<int> thresholds;
    // One forward with `hook`; returns the per-token NLL and fills the mean M(D) of real and
    // imaginary heads.
    auto run = [&](QueryHook hook, std::vector<double>& real, std::vector<double>& imag) {
        HeadStatsProbe stats(true, opt.thresholds);
        ForwardOptions fo;
        fo.probes = {&stats};
        fo.query_hook = std::move(hook);
        // Polled inside the run with the runs done so far: a cancel need not wait for a whole run.
        if (opt.progress) fo.progress = [&](long, long) { return opt.progress(done, total); };
        const auto r = model.forward(ids, fo);
        thresholds = stats.stats().thresholds;
        mean_mass(stats.stats(), L, real, imag);
        ++done;
        step();
        return std::pair{r.mean_nll(), std::vector<double>(r.nll.begin(), r.nll.end())};
    };
    step();
    NoiseSweep base;
    base.tokens = int(ids.size());
    const auto [base_mean, base_nll] = run(nullptr, base.baseline_mass_real, base.baseline_mass_imag);
    base.baseline_nll = base_mean;
    base.thresholds = thresholds;
    base.position_edges = buckets.position_edges;
    base.position_tokens = buckets.position_tokens;
    base.distance_edges = buckets.distance_edges;
    base.distance_tokens = buckets.distance_tokens;
    base.baseline_nll_by_position = bucket_means(base_nll, buckets.position_of, nP);
    base.baseline_nll_by_distance = bucket_means(base_nll, buckets.distance_of, nR);
    std::vector<NoiseSweep> out;
    for (const std::uint64_t seed : seeds) {
        NoiseSweep sweep = base;
        sweep.seed = seed;
        int run_index = 0;
        for (NoiseTarget target : opt.targets)
            for (double sigma : opt.sigmas) {
                ++run_index;
                NoisePoint p;
                p.sigma = sigma;
                p.target = target;
                const std::uint64_t run_seed = seed * 1000003ULL + std::uint64_t(run_index);
                auto hook = [=](int layer, const HeadInfo& h, float* q, long ld, int T) {
                    if (!hits(target, h.imag) || sigma == 0) return;
                    const std::uint64_t s = run_seed * 0x100000001b3ULL ^ (std::uint64_t(layer) << 32) ^ std::uint64_t(h.index);
                    add_gaussian(q, ld, T, L.head_dim, sigma, s);
                };
                const auto [mean, nll] = run(hook, p.long_range_mass_real, p.long_range_mass_imag);
                p.mean_nll = mean;
                p.delta_nll = p.mean_nll - sweep.baseline_nll;
                std::vector<double> delta(nll.size());
                for (std::size_t t = 0; t < nll.size(); ++t) delta[t] = nll[t] - base_nll[t];
                p.delta_nll_by_position = bucket_means(delta, buckets.position_of, nP);
                p.delta_nll_by_distance = bucket_means(delta, buckets.distance_of, nR);
                sweep.points.push_back(std::move(p));
            }
        out.push_back(std::move(sweep));
    }
    return out;
}

NoiseSweep run_noise_experiment(Model& model, std::span<const std::int32_t> ids, const NoiseOptions& opt) {
    const std::uint64_t seed[] = {opt.seed};
    return std::move(run_noise_experiments(model, ids, opt, seed).front());
}

}  // namespace rs
