// GEMM roofline at the model's shapes: OpenBLAS sgemm (the machine's practical peak) against the
// Eigen products the forward pass uses. Reports GFLOP/s as a counter; see bench/README.md.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <random>

#include "tensor.h"

namespace {

// [rows, in] activations times a [out, in] weight transposed: the layout of every linear layer.
struct Shapes {
    rs::MatrixRM x, w, y;
    Shapes(long rows, long in, long out) : x(rows, in), w(out, in), y(rows, out) {
        std::mt19937 rng(7);
        std::normal_distribution<float> n(0.0f, 0.02f);
        for (long i = 0; i < x.size(); ++i) x.data()[i] = n(rng);
        for (long i = 0; i < w.size(); ++i) w.data()[i] = n(rng);
    }
};

void set_flops(benchmark::State& state, long rows, long in, long out) {
    const double flops = 2.0 * double(rows) * double(in) * double(out);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * double(state.iterations()) * 1e-9, benchmark::Counter::kIsRate);
}

void BM_Eigen(benchmark::State& state) {
    const long rows = state.range(0), in = state.range(1), out = state.range(2);
    Shapes s(rows, in, out);
    for (auto _ : state) {
        s.y.noalias() = s.x * s.w.transpose();
        benchmark::DoNotOptimize(s.y.data());
    }
    set_flops(state, rows, in, out);
}

void BM_OpenBLAS(benchmark::State& state) {
    const long rows = state.range(0), in = state.range(1), out = state.range(2);
    Shapes s(rows, in, out);
    for (auto _ : state) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(out), int(in), 1.0f,
                    s.x.data(), int(in), s.w.data(), int(in), 0.0f, s.y.data(), int(out));
        benchmark::DoNotOptimize(s.y.data());
    }
    set_flops(state, rows, in, out);
}

// The 376M shape at 2048 tokens: q/o projection, k/v projection, MLP up/gate, MLP down, a 256-row
// lm_head chunk, and one attention block (256 query rows x 2048 keys x head_dim 128).
void shapes(benchmark::internal::Benchmark* b) {
    b->Args({2048, 1024, 1024})
        ->Args({2048, 1024, 512})
        ->Args({2048, 1024, 3584})
        ->Args({2048, 3584, 1024})
        ->Args({256, 1024, 128256})
        ->Args({256, 128, 2048})
        ->ArgNames({"rows", "in", "out"})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
}

}  // namespace

BENCHMARK(BM_Eigen)->Apply(shapes);
BENCHMARK(BM_OpenBLAS)->Apply(shapes);
BENCHMARK_MAIN();
