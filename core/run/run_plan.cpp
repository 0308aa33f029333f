// The run plans shared by the CLI and the GUI.
#include "run_plan.h"

#include <omp.h>

#include <algorithm>

namespace rs {

int run_threads() {
    return std::max(1, omp_get_max_threads());
}

RunPlan forward_plan(int tokens, bool layers_resident) {
    RunPlan plan;
    plan.tokens = tokens;
    plan.threads = run_threads();
    plan.layers_resident = layers_resident;
    return plan;
}

RunPlan trace_plan(int tokens, QKPrecision precision, bool layers_resident) {
    RunPlan plan = forward_plan(tokens, layers_resident);
    plan.analysis_heads = plan.statistics = plan.trace = true;
    plan.trace_f32 = precision == QKPrecision::F32;
    return plan;
}

RunPlan statistics_plan(int tokens, bool layers_resident) {
    RunPlan plan = forward_plan(tokens, layers_resident);
    plan.analysis_heads = plan.statistics = true;
    return plan;
}

RunPlan noise_plan(int tokens) {
    return statistics_plan(tokens, true);
}

}  // namespace rs
