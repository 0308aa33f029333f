// The memory budget of a run, checked before the model starts: what it needs, what it may use, and
// the notes a user should read (a slower layer-by-layer run, the cost of a long one). The CLI
// prints the notes; the GUI shows them with the cost line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "checkpoint.h"
#include "model.h"
#include "run_estimate.h"

namespace rs {

struct RunBudget {
    RunPlan plan;  // as run: layers_resident cleared when resident layers do not fit
    RunEstimate estimate;
    std::uint64_t usable = 0;        // memory the run may use
    std::vector<std::string> notes;  // one line each, "note: ..." or "estimate: ..."
    bool fits() const { return estimate.needed() <= usable; }
};

// A run on a model not yet opened. plan.layers_resident is the caller's preference; when it does
// not fit, the run converts one layer at a time instead (and a note says so).
RunBudget budget_run(const Checkpoint& checkpoint, RunPlan plan);

// A run on `model`, already open: its layers stay as they are, and the fp32 weights it holds count
// as usable (they are part of the estimate but no longer of the available memory).
RunBudget budget_run(const Model& model, RunPlan plan);

// Throws ResourceError (needed vs available) when the run does not fit.
void require_budget(const RunBudget& budget);

}  // namespace rs
