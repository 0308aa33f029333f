// The cost of a run, checked before the model starts: refuse what does not fit in memory, and
// tell the user what a long run will take.
#pragma once

#include "core/checkpoint.h"
#include "core/run_estimate.h"

namespace rs::cli {

// Fills the plan's threads, estimates the run, prints a one-line estimate on stderr for runs
// longer than a few thousand tokens (unless quiet), and throws ResourceError when it cannot fit.
RunEstimate check_run_budget(const Checkpoint& checkpoint, RunPlan plan, bool quiet);

}  // namespace rs::cli
