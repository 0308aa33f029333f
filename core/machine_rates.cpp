// Micro-measurements for the run-time prediction: they call the real kernels (Eigen GEMM,
// causal_attention_head, the probes) on random data, so the prediction follows code changes.
#include "core/machine_rates.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/causal_attention.h"
#include "core/head_stats.h"
#include "core/overview_probe.h"

namespace rs {

namespace {

using Clock = std::chrono::steady_clock;

MatrixRM random_matrix(long rows, long cols, std::mt19937& rng) {
    std::normal_distribution<float> n(0.0f, 1.0f);
    MatrixRM m(rows, cols);
    for (long i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
    return m;
}

// Best of three, so a single scheduler hiccup does not decide the prediction.
template <class F>
double best_seconds(F&& f) {
    double best = 1e30;
    for (int i = 0; i < 3; ++i) {
        const auto t0 = Clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best;
}

double gemm_rate(std::mt19937& rng) {
    const long rows = 512, n = 1024;
    const MatrixRM x = random_matrix(rows, n, rng), w = random_matrix(n, n, rng);
    MatrixRM y(rows, n);
    const double s = best_seconds([&] { y.noalias() = x * w.transpose(); });
    return 2.0 * rows * n * n / s;
}

// Causal attention of one head per thread, every thread busy at once, as the forward pass runs
// heads (Eigen is single-threaded inside the parallel region). Seconds per entry of all threads.
double seconds_per_entry(const ModelConfig& c, const HeadLayout& layout, bool instrumented) {
    const int T = 1024, d = layout.head_dim, threads = std::max(1, omp_get_max_threads());
    const RopeSpectrum rope = make_rope_spectrum(c.rope_params());
    const RunInfo info{T, 1, &layout, &rope, 1.0f / std::sqrt(float(d))};
    std::vector<double> seconds(threads, 0.0);
#pragma omp parallel num_threads(threads)
    {
        std::mt19937 rng(11 + omp_get_thread_num());
        const MatrixRM q = random_matrix(T, d, rng), k = random_matrix(T, d, rng),
                       v = random_matrix(T, d, rng);
        MatrixRM out(T, d);
        HeadStatsProbe stats(true);
        OverviewProbe overview(nullptr, true);
        std::vector<AttentionProbe*> probes;
        if (instrumented) probes = {&stats, &overview};
        HeadAttentionJob job;
        job.tokens = T;
        job.head_dim = d;
        job.scale = info.logit_scale;
        job.q = {q.data(), d};
        job.k = {k.data(), d};
        job.v = {v.data(), d};
        job.out = out.data();
        job.out_ld = d;
        const MatrixRM zq = MatrixRM::Zero(T, long(layout.query_heads) * d);
        const MatrixRM zk = MatrixRM::Zero(T, long(layout.kv_heads) * d);
        AttentionScratch scratch;
        seconds[omp_get_thread_num()] = best_seconds([&] {
#pragma omp barrier
            for (auto* p : probes) {
                p->begin_run(info);
                p->on_layer_qk(0, zq, zk);
            }
            causal_attention_head(job, probes, scratch);
        });
    }
    const double wall = *std::max_element(seconds.begin(), seconds.end());
    return wall / (double(threads) * double(T) * (T + 1) / 2);
}

}  // namespace

MachineRates measure_machine_rates(const ModelConfig& c, const HeadLayout& layout) {
    std::mt19937 rng(11);
    MachineRates r;
    r.threads = std::max(1, omp_get_max_threads());
    r.gemm_flops_per_second = gemm_rate(rng);
    r.seconds_per_entry_plain = seconds_per_entry(c, layout, false);
    r.seconds_per_entry_instrumented = seconds_per_entry(c, layout, true);
    return r;
}

double predict_seconds(const RunEstimate& e, const MachineRates& r, bool instrumented) {
    const double per_entry =
        instrumented ? r.seconds_per_entry_instrumented : r.seconds_per_entry_plain;
    // Both rates were measured with every thread busy, so neither is divided by the thread count.
    return e.linear_flops / r.gemm_flops_per_second + e.attention_entries * per_entry;
}

}  // namespace rs
