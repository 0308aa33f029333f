// Cancel latency: how long a forward pass at long context takes to stop once its progress callback
// answers false (issue 17: Cancel lands within a second). Wall time on this machine, so it is a
// benchmark and not a test; tests/gui/test_long_runs checks that a cancel stops inside a layer.
// Usage: bench_cancel [CHECKPOINT_DIR = sample_data/rope_pp_ec] [TOKENS = 16000] [TRIALS = 5]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "error.h"
#include "model.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Trial {
    double delay_ms = 0;    // from the run's start to the cancel
    double latency_ms = 0;  // from the cancel to the run's Cancelled
    long layers_done = 0;   // where the cancel found the run
};

Trial cancel_after(const rs::Model& model, const std::vector<std::int32_t>& ids, double delay_ms) {
    std::atomic<bool> cancel{false};
    std::atomic<long> done{0};
    Clock::time_point stopped{};
    const Clock::time_point start = Clock::now();
    std::thread run([&] {
        rs::ForwardOptions opt;
        opt.progress = [&](long layers, long) {
            done = layers;
            return !cancel.load();
        };
        try {
            model.forward(ids, opt);
        } catch (const rs::Cancelled&) {
        }
        stopped = Clock::now();
    });
    std::this_thread::sleep_until(start + std::chrono::duration<double, std::milli>(delay_ms));
    const Clock::time_point asked = Clock::now();
    cancel = true;
    run.join();
    return {ms_between(start, asked), ms_between(asked, stopped), done.load()};
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = argc > 1 ? argv[1] : ROPESCOPE_SOURCE_DIR "/sample_data/rope_pp_ec";
    const int tokens = argc > 2 ? std::atoi(argv[2]) : 16000;
    const int trials = argc > 3 ? std::atoi(argv[3]) : 5;
    try {
        const auto ck = std::make_shared<const rs::Checkpoint>(rs::Checkpoint::open(dir));
        const rs::Model model(ck);
        const int vocab = ck->config().vocab_size;
        std::vector<std::int32_t> ids;
        for (int i = 0; i < tokens; ++i) ids.push_back(std::int32_t((i * 37L + 11) % vocab));
        std::vector<double> latency;
        for (int t = 0; t < trials; ++t) {
            const double delay = 500.0 + 450.0 * t;  // spread over the first layers
            const Trial r = cancel_after(model, ids, delay);
            std::printf("cancel at %.0f ms (%ld layers done): stopped %.1f ms later\n", r.delay_ms,
                        r.layers_done, r.latency_ms);
            latency.push_back(r.latency_ms);
        }
        std::sort(latency.begin(), latency.end());
        std::printf("%d tokens, %d trials: median %.1f ms, max %.1f ms\n", tokens, trials,
                    latency[latency.size() / 2], latency.back());
    } catch (const rs::Error& e) {
        std::fprintf(stderr, "bench_cancel: %s\n", e.what());
        return 1;
    }
}
