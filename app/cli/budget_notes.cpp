// Prints the core's budget notes for the commands that run the model.
#include "app/cli/budget_notes.h"

#include <cstdio>

namespace rs::cli {

void print_budget_notes(const RunBudget& budget, bool quiet) {
    if (quiet) return;
    for (const auto& line : budget.notes) std::fprintf(stderr, "%s\n", line.c_str());
}

RunBudget check_run_budget(const Checkpoint& ck, const RunPlan& plan, bool quiet) {
    const RunBudget budget = budget_run(ck, plan);
    print_budget_notes(budget, quiet);
    require_budget(budget);
    return budget;
}

}  // namespace rs::cli
