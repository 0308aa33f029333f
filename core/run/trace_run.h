// One instrumented run saved as a trace: the forward pass with the trace writer, overview and
// statistics probes, optional noise sweeps, then the atomic finish. Shared by the CLI and the GUI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model.h"
#include "noise_experiment.h"
#include "trace_meta.h"
#include "trace_writer.h"

namespace rs {

struct TraceRunOptions {
    TraceWriterOptions writer;
    ProgressFn progress;                // forward pass: (layers done, layers + 1)
    std::optional<NoiseOptions> noise;  // also run and store a noise sweep
};

struct TraceRunResult {
    double mean_nll = 0.0;
    std::uintmax_t bytes = 0;  // size of the written trace
    int noise_sweeps = 0;
};

// Writes `destination` (atomically; an existing file is replaced only on success).
TraceRunResult run_trace(Model& model, const TraceTokens& tokens, const std::string& destination,
                         const TraceRunOptions& options);

}  // namespace rs
