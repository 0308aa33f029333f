// Memory check and cost notes shared by every command and GUI job that runs the model.
#include "run_budget.h"

#include <cstdio>

#include "run_plan.h"

namespace rs {

namespace {

// Runs this long say what they will cost before they start.
constexpr int kAnnouncedTokens = 4096;

std::string estimate_note(const RunPlan& plan, const RunEstimate& e) {
    const std::string trace =
        e.trace_file ? ", trace up to " + format_bytes(double(e.trace_file)) : std::string();
    char line[512];
    std::snprintf(line, sizeof line,
                  "estimate: %d tokens need about %s of memory (plus %s of mapped weights), %.0f "
                  "GFLOP%s",
                  plan.tokens, format_bytes(double(e.needed())).c_str(),
                  format_bytes(double(e.mapped)).c_str(),
                  (e.linear_flops + e.attention_flops) * 1e-9, trace.c_str());
    return line;
}

RunBudget finish(const Checkpoint& ck, RunPlan plan, std::uint64_t usable) {
    RunBudget b;
    b.plan = plan;
    b.usable = usable;
    b.estimate = estimate_run(ck.config(), ck.layout(), plan, ck.mapped_bytes());
    if (plan.tokens >= kAnnouncedTokens) b.notes.push_back(estimate_note(plan, b.estimate));
    return b;
}

}  // namespace

RunBudget budget_run(const Checkpoint& ck, RunPlan plan) {
    plan.threads = run_threads();
    const std::uint64_t available = available_memory();
    const bool wanted_resident = plan.layers_resident;
    plan = fit_plan_to_memory(ck.config(), ck.layout(), plan, available);
    RunBudget b = finish(ck, plan, available);
    if (wanted_resident && !plan.layers_resident)
        b.notes.insert(b.notes.begin(),
                       "note: all layers in fp32 do not fit in the " +
                           format_bytes(double(available)) +
                           " available, so each layer is converted when it runs (slower when the "
                           "model runs more than once)");
    return b;
}

RunBudget budget_run(const Model& model, RunPlan plan) {
    plan.threads = run_threads();
    plan.layers_resident = model.layers_resident();
    plan.weights_loaded = true;
    return finish(model.checkpoint(), plan, available_memory() + model.held_weight_bytes());
}

void require_budget(const RunBudget& budget) {
    require_memory(budget.estimate, budget.usable);
}

}  // namespace rs
