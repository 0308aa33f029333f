// run_trace: the probes a full trace needs, wired once.
#include "trace_run.h"

#include <chrono>
#include <filesystem>

#include "noise_run.h"
#include "run_plan.h"
#include "train_length.h"

namespace rs {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

TraceRunResult run_with(Model& model, TraceWriter& writer, const TraceTokens& tokens,
                        const std::string& destination, const TraceRunOptions& options) {
    const auto t0 = Clock::now();
    auto sink = writer.overview_sink();
    OverviewProbe overview([&](OverviewLayer&& o) {
        if (options.on_overview) options.on_overview(o);
        sink(std::move(o));
    });
    HeadStatsOptions sopt = options.stats;
    const TrainLength L = train_length_of(model.checkpoint().config(), options.train_length);
    sopt.train_length = L.value;
    sopt.train_length_source = L.source;
    HeadStatsProbe stats(true, sopt);
    ForwardOptions fopt;
    if (options.block_rows > 0) fopt.block_rows = options.block_rows;
    fopt.probes = {&writer, &overview, &stats};
    fopt.probes.insert(fopt.probes.end(), options.extra_probes.begin(), options.extra_probes.end());
    fopt.progress = options.progress;
    TraceRunResult r;
    r.forward = model.forward(tokens.ids, fopt);
    r.stats = stats.stats();
    std::vector<NoiseSweep> sweeps = options.stored_noise;
    if (options.noise) {
        std::vector<std::uint64_t> seeds = options.noise_seeds;
        if (seeds.empty()) seeds.push_back(options.noise->seed);
        for (auto& s : run_noise_sweeps(model, tokens.ids, *options.noise, seeds)) sweeps.push_back(std::move(s));
    }
    writer.finish(r.forward.nll, r.stats, sweeps);
    r.bytes = std::filesystem::file_size(destination);
    r.noise_sweeps = int(sweeps.size());
    r.forward_seconds = seconds_since(t0);
    return r;
}

}  // namespace

TraceRunResult run_trace(Model& model, const TraceTokens& tokens, const std::string& destination,
                         const TraceRunOptions& options) {
    TraceWriter writer(destination, model.checkpoint(), tokens, options.writer);
    return run_with(model, writer, tokens, destination, options);
}

TraceRunResult trace_checkpoint(const std::shared_ptr<const Checkpoint>& ck,
                                const TraceTokens& tokens, const std::string& destination,
                                const TraceRunOptions& options,
                                const std::function<void(const RunBudget&)>& on_budget) {
    // One forward converts each layer once either way; only noise runs reuse converted layers.
    const RunBudget budget = budget_run(
        *ck,
        trace_plan(int(tokens.ids.size()), options.writer.precision, options.noise.has_value()));
    if (on_budget) on_budget(budget);
    require_budget(budget);
    TraceWriter writer(destination, *ck, tokens, options.writer);
    const auto t_load = Clock::now();
    Model model(ck, budget.plan.layers_resident);
    const double load_seconds = seconds_since(t_load);
    TraceRunResult r = run_with(model, writer, tokens, destination, options);
    r.load_seconds = load_seconds;
    return r;
}

}  // namespace rs
