// run_trace: the probes a full trace needs, wired once.
#include "trace_run.h"

#include <filesystem>

#include "head_stats.h"
#include "overview_probe.h"

namespace rs {

TraceRunResult run_trace(Model& model, const TraceTokens& tokens, const std::string& destination,
                         const TraceRunOptions& options) {
    TraceWriter writer(destination, model.checkpoint(), tokens, options.writer);
    OverviewProbe overview(writer.overview_sink());
    HeadStatsProbe stats(true);
    ForwardOptions fopt;
    fopt.probes = {&writer, &overview, &stats};
    fopt.progress = options.progress;
    const ForwardResult result = model.forward(tokens.ids, fopt);
    std::vector<NoiseSweep> sweeps;
    if (options.noise) sweeps.push_back(run_noise_experiment(model, tokens.ids, *options.noise));
    writer.finish(result.nll, stats.stats(), sweeps);
    TraceRunResult r;
    r.mean_nll = result.mean_nll();
    r.bytes = std::filesystem::file_size(destination);
    r.noise_sweeps = int(sweeps.size());
    return r;
}

}  // namespace rs
