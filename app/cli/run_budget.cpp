// Memory check and cost announcement shared by every command that runs the model.
#include "app/cli/run_budget.h"

#include <omp.h>

#include <cstdio>

namespace rs::cli {

RunEstimate check_run_budget(const Checkpoint& ck, RunPlan plan, bool quiet) {
    plan.threads = omp_get_max_threads();
    const RunEstimate e = estimate_run(ck.config(), ck.layout(), plan, ck.mapped_bytes());
    if (!quiet && plan.tokens >= 4096)
        std::fprintf(
            stderr,
            "estimate: %d tokens need about %s of memory (plus %s of mapped weights), %.0f "
            "GFLOP%s\n",
            plan.tokens, format_bytes(double(e.needed())).c_str(),
            format_bytes(double(e.mapped)).c_str(), (e.linear_flops + e.attention_flops) * 1e-9,
            e.trace_file ? (", trace up to " + format_bytes(double(e.trace_file))).c_str() : "");
    require_memory(e, available_memory());
    return e;
}

}  // namespace rs::cli
