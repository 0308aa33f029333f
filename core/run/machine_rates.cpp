// Micro-measurements for the run-time prediction: they call the real kernels (Eigen GEMM,
// causal_attention_head, the probes) on random data, so the prediction follows code changes.
#include "machine_rates.h"

#include <cblas.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "causal_attention.h"
#include "dtype.h"
#include "head_stats.h"
#include "overview_probe.h"
#include "page_advice.h"

namespace rs {

namespace {

using Clock = std::chrono::steady_clock;

MatrixRM random_matrix(long rows, long cols, std::mt19937& rng) {
    std::normal_distribution<float> n(0.0f, 1.0f);
    MatrixRM m(rows, cols);
    for (long i = 0; i < m.size(); ++i) m.data()[i] = n(rng);
    return m;
}

// Best of a few after one warm-up call (thread start, first-touch page faults), so a scheduler
// hiccup does not decide the prediction: one run in six read a fifth of the rate without it.
template <class F>
double best_seconds(F&& f, int runs = 3) {
    f();
    double best = 1e30;
    for (int i = 0; i < runs; ++i) {
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
    const double s = best_seconds([&] { y.noalias() = x * w.transpose(); }, 5);
    return 2.0 * rows * n * n / s;
}

// The lm_head's product as Model::lm_head calls it, with 8192 of the vocabulary's columns: a wide
// output runs at about half the rate of the layers' GEMMs, and it is half the linear work of a
// model with a 128k vocabulary.
double lm_head_rate(long hidden, std::mt19937& rng) {
    const long rows = 128, cols = 8192;
    const MatrixRM x = random_matrix(rows, hidden, rng), w = random_matrix(cols, hidden, rng);
    MatrixRM y(rows, cols);
    const double s = best_seconds([&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(cols), int(hidden),
                    1.0f, x.data(), int(hidden), w.data(), int(hidden), 0.0f, y.data(), int(cols));
    });
    return 2.0 * rows * cols * hidden / s;
}

// Converting BF16 weights as ModelWeights does: into fresh, huge-page-advised memory (mapped here
// directly, since malloc would hand the second run the first run's pages), so the page faults that
// dominate on a virtual machine are part of the rate.
double conversion_rate(std::mt19937& rng) {
    const std::size_t n = std::size_t(4) << 20, bytes = n * sizeof(float);
    std::vector<std::uint8_t> bf16(n * 2);
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::size_t i = 0; i < bf16.size(); i += 2) {
        bf16[i] = std::uint8_t(byte(rng));
        bf16[i + 1] = std::uint8_t(byte(rng) & 0x3f);  // finite exponents
    }
    struct FreshPages {  // owns one anonymous mapping
        std::size_t bytes;
        void* p =
            ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ~FreshPages() {
            if (p != MAP_FAILED) ::munmap(p, bytes);
        }
    };
    const double s = best_seconds([&] {
        FreshPages fresh{bytes};
        if (fresh.p == MAP_FAILED) return;
        advise_huge_pages(fresh.p, bytes);
        convert_to_f32(DType::BF16, bf16, std::span<float>(static_cast<float*>(fresh.p), n));
    });
    return s / double(n);
}

// Causal attention of one head per thread, every thread busy at once, as the forward pass runs
// heads (Eigen is single-threaded inside the parallel region). Seconds per entry of all threads.
double seconds_per_entry(const ModelConfig& c, const HeadLayout& layout, bool instrumented) {
    const int T = 1024, d = layout.head_dim, threads = std::max(1, omp_get_max_threads());
    const RopeSpectrum rope = make_rope_spectrum(c.rope_params());
    // The family's scale and soft-cap (Gemma 2's tanh on every logit is part of the entry cost).
    const RunInfo info{T, 1, &layout, &rope, c.attention_scale(), float(c.attn_logit_softcap), {}, nullptr, {}};
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
        job.softcap = info.logit_softcap;
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
    r.lm_head_flops_per_second = lm_head_rate(c.hidden_size, rng);
    r.seconds_per_entry_plain = seconds_per_entry(c, layout, false);
    r.seconds_per_entry_instrumented = seconds_per_entry(c, layout, true);
    r.seconds_per_converted_weight = conversion_rate(rng);
    return r;
}

double predict_seconds(const RunEstimate& e, const MachineRates& r, bool instrumented) {
    const double per_entry =
        instrumented ? r.seconds_per_entry_instrumented : r.seconds_per_entry_plain;
    const double lm_head_rate =
        r.lm_head_flops_per_second > 0 ? r.lm_head_flops_per_second : r.gemm_flops_per_second;
    // Every rate was measured with every thread busy, so none is divided by the thread count.
    return (e.linear_flops - e.lm_head_flops) / r.gemm_flops_per_second +
           e.lm_head_flops / lm_head_rate + e.attention_entries * per_entry +
           e.converted_weights * r.seconds_per_converted_weight;
}

}  // namespace rs
