// The plans of the runs RoPEScope makes, built once here so that the CLI's refusal, the GUI's cost
// line and `ropescope-cli estimate` price the same work.
#pragma once

#include "run_estimate.h"
#include "trace_meta.h"

namespace rs {

// Worker threads of a run on this machine (OpenMP's, at least 1).
int run_threads();

// A `trace` run: statistics, analysis heads, the trace writer and overview maps, Q/K stored at
// `precision`. layers_resident: keep every layer converted (worth it when the model runs again).
RunPlan trace_plan(int tokens, QKPrecision precision, bool layers_resident);

// Statistics (HeadStatsProbe) with the analysis heads, as `ropescope-cli stats` runs.
RunPlan statistics_plan(int tokens, bool layers_resident);

// A noise sweep: statistics and analysis heads on every run; layers resident, since each of the
// sweep's runs reuses them.
RunPlan noise_plan(int tokens);

// A plain forward pass (no instrumentation).
RunPlan forward_plan(int tokens, bool layers_resident);

}  // namespace rs
