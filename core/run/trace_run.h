// One instrumented run saved as a trace: the forward pass with the trace writer, overview and
// statistics probes, optional noise sweeps, then the atomic finish. The one wiring of a trace run,
// used by `ropescope-cli trace`, the GUI's session and the trace tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "head_stats.h"
#include "model.h"
#include "noise_experiment.h"
#include "overview_probe.h"
#include "run_budget.h"
#include "trace_meta.h"
#include "trace_writer.h"

namespace rs {

struct TraceRunOptions {
    TraceWriterOptions writer;
    ProgressFn progress;                        // forward pass: (layers done, layers + 1)
    std::optional<NoiseOptions> noise;          // also run a noise sweep and store it
    std::vector<std::uint64_t> noise_seeds;     // its seeds (one sweep each); empty: noise->seed
    std::vector<NoiseSweep> stored_noise;       // sweeps already run, stored before the new one
    int block_rows = 0;                         // ForwardOptions::block_rows; 0: its default
    HeadStatsOptions stats;                     // its train_length is set from the next line
    std::optional<int> train_length;            // L of the query buckets; else max_position_embeddings
    std::vector<AttentionProbe*> extra_probes;  // more probes on the same pass (tests)
    std::function<void(const OverviewLayer&)> on_overview;  // sees each layer's maps unrounded
};

struct TraceRunResult {
    ForwardResult forward;
    RunStats stats;
    std::uintmax_t bytes = 0;    // size of the written trace
    int noise_sweeps = 0;        // sweeps stored in the trace
    double load_seconds = 0;     // opening the model (trace_checkpoint only)
    double forward_seconds = 0;  // forward pass, noise sweep and finish
    double mean_nll() const { return forward.mean_nll(); }
};

// Writes `destination` (atomically; an existing file is replaced only on success) from a run of
// the open `model`.
TraceRunResult run_trace(Model& model, const TraceTokens& tokens, const std::string& destination,
                         const TraceRunOptions& options);

// The run of `ropescope-cli trace`: the memory budget of trace_plan (layers resident only when a
// noise sweep reuses them) is checked first and its notes handed to `notes`; then the trace file is
// opened, so a bad destination fails before the model loads; then the model opens and runs.
// Throws ResourceError when the run does not fit.
TraceRunResult trace_checkpoint(const std::shared_ptr<const Checkpoint>& checkpoint,
                                const TraceTokens& tokens, const std::string& destination,
                                const TraceRunOptions& options,
                                const std::function<void(const RunBudget&)>& on_budget = {});

}  // namespace rs
