// The cost of a run on the command line: the core's budget (run_budget.h) with its notes printed on
// stderr, and a run that does not fit refused before the model starts.
#pragma once

#include "checkpoint.h"
#include "run_budget.h"

namespace rs::cli {

// Prints the budget's notes on stderr unless quiet.
void print_budget_notes(const RunBudget& budget, bool quiet);

// budget_run for a model about to be opened, notes printed unless quiet; throws ResourceError when
// the run cannot fit. Construct the Model with the result's plan.layers_resident.
RunBudget check_run_budget(const Checkpoint& checkpoint, const RunPlan& plan, bool quiet);

}  // namespace rs::cli
