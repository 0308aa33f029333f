// Memory check and cost announcement shared by every command that runs the model.
#include "app/cli/run_budget.h"

#include <omp.h>

#include <cstdio>

namespace rs::cli {

RunBudget check_run_budget(const Checkpoint& ck, RunPlan plan, bool quiet) {
    plan.threads = omp_get_max_threads();
    const std::uint64_t available = available_memory();
    const bool wanted_resident = plan.layers_resident;
    plan = fit_plan_to_memory(ck.config(), ck.layout(), plan, available);
    const RunEstimate e = estimate_run(ck.config(), ck.layout(), plan, ck.mapped_bytes());
    if (!quiet && wanted_resident && !plan.layers_resident)
        std::fprintf(stderr,
                     "note: all layers in fp32 do not fit in the %s available, so each layer is "
                     "converted when it runs (slower when the model runs more than once)\n",
                     format_bytes(double(available)).c_str());
    if (!quiet && plan.tokens >= 4096)
        std::fprintf(
            stderr,
            "estimate: %d tokens need about %s of memory (plus %s of mapped weights), %.0f "
            "GFLOP%s\n",
            plan.tokens, format_bytes(double(e.needed())).c_str(),
            format_bytes(double(e.mapped)).c_str(), (e.linear_flops + e.attention_flops) * 1e-9,
            e.trace_file ? (", trace up to " + format_bytes(double(e.trace_file))).c_str() : "");
    require_memory(e, available);
    return {e, plan.layers_resident};
}

}  // namespace rs::cli
