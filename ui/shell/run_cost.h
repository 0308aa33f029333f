// What tracing N tokens with the open checkpoint will cost — the core's estimate with the GUI's
// trace settings and the machine rates measured when the checkpoint was opened — for the input
// panel's label and for the check that refuses a run before it allocates anything.
#pragma once

#include <QString>
#include <cstdint>
#include <string>
#include <vector>

#include "run_estimate.h"
#include "session.h"
#include "trace_meta.h"

namespace rs::ui {

struct RunCost {
    RunEstimate estimate;
    // What the run may use: memory still available plus the fp32 weights the open model already
    // holds (part of estimate.needed() but no longer part of the available memory).
    std::uint64_t usable = 0;
    double seconds = -1;  // predicted wall-clock time; negative when no rates were measured
    std::vector<std::string> notes;  // the core budget's notes, as `ropescope-cli trace` prints them
    bool fits() const { return estimate.needed() <= usable; }
};

// The input panel's initial "max tokens".
inline constexpr int kDefaultTraceTokens = 2048;
// Runs up to this many tokens store Q/K as float32, so the "exact" values of the attention maps
// are exact to float rounding (float16 puts ~1e-3 into every probability); longer runs keep
// the half-size float16.
inline constexpr int kExactQkTokens = 8192;

// How the GUI stores Q/K: float32 up to kExactQkTokens tokens, float16 beyond (as
// `ropescope-cli trace` by default). The run itself is the core's trace_plan (run_plan.h).
QKPrecision trace_precision(int tokens);

// Throws UsageError when ROPESCOPE_MEMORY_LIMIT is set but not a size.
RunCost trace_cost(const CheckpointBundle& checkpoint, int tokens);

// Throws ResourceError (the core's needed-vs-available message) when the trace cannot fit.
void require_trace_fits(const CheckpointBundle& checkpoint, int tokens);

// Rounded for a glance: "<1 s", "~40 s", "~3 min", "~2.5 h".
QString duration_text(double seconds);

// "needs ~1.7 GiB of 22 GiB · trace ≤ 270 MiB · ~1 min", or the shortfall when it does not fit.
QString describe_cost(const RunCost& cost);

// The notes of the cost, one per line (empty when there are none), for the cost line's tooltip.
QString cost_notes(const RunCost& cost);

}  // namespace rs::ui
