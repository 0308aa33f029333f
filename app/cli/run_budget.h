// The cost of a run, checked before the model starts: refuse what does not fit in memory, and
// tell the user what a long run will take.
#pragma once

#include "checkpoint.h"
#include "run_estimate.h"

namespace rs::cli {

struct RunBudget {
    RunEstimate estimate;
    bool layers_resident = true;  // construct the Model with this
};

// Fills the plan's threads and estimates the run. plan.layers_resident is the command's
// preference (worth it only when the model runs more than once); when that does not fit, the run
// converts one layer at a time instead. Prints a one-line estimate on stderr for runs longer than
// a few thousand tokens or that had to give up resident layers (unless quiet), and throws
// ResourceError when even that cannot fit.
RunBudget check_run_budget(const Checkpoint& checkpoint, RunPlan plan, bool quiet);

}  // namespace rs::cli
