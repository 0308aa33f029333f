// Trace cost for the GUI: the same plan as `ropescope-cli trace` (statistics, analysis heads and
// f16 Q/K), so the label, the refusal and the CLI's estimate agree.
#include "run_cost.h"

#include <QCoreApplication>
#include <cmath>

#include "machine_rates.h"

namespace rs::ui {

namespace {

QString bytes_text(double bytes) {
    return QString::fromStdString(format_bytes(bytes));
}

}  // namespace

QString duration_text(double seconds) {
    if (seconds < 1) return QCoreApplication::translate("RunCost", "<1 s");
    if (seconds < 90)
        return QCoreApplication::translate("RunCost", "~%1 s").arg(std::lround(seconds));
    if (seconds < 90 * 60)
        return QCoreApplication::translate("RunCost", "~%1 min").arg(std::lround(seconds / 60));
    return QCoreApplication::translate("RunCost", "~%1 h").arg(seconds / 3600, 0, 'f', 1);
}

RunPlan trace_plan(int tokens, int threads, bool layers_resident) {
    RunPlan plan;
    plan.tokens = tokens;
    plan.threads = std::max(1, threads);
    plan.layers_resident = layers_resident;
    plan.analysis_heads = plan.statistics = plan.trace = true;
    plan.trace_f32 = tokens <= kExactQkTokens;
    return plan;
}

RunCost trace_cost(const CheckpointBundle& ck, int tokens) {
    RunCost cost;
    RunPlan plan = trace_plan(tokens, ck.rates.threads, ck.model->layers_resident());
    plan.weights_loaded = true;  // the open model: resident weights cost nothing more
    cost.estimate = estimate_run(ck.checkpoint->config(), ck.checkpoint->layout(), plan,
                                 ck.checkpoint->mapped_bytes());
    cost.usable = available_memory() + ck.model->held_weight_bytes();
    if (ck.rates.gemm_flops_per_second > 0)
        cost.seconds = predict_seconds(cost.estimate, ck.rates, true);
    return cost;
}

void require_trace_fits(const CheckpointBundle& ck, int tokens) {
    const RunCost cost = trace_cost(ck, tokens);
    require_memory(cost.estimate, cost.usable);
}

QString describe_cost(const RunCost& cost) {
    const double needed = double(cost.estimate.needed());
    if (!cost.fits())
        return QCoreApplication::translate("RunCost",
                                           "needs ~%1 but only %2 is available: too long")
            .arg(bytes_text(needed), bytes_text(double(cost.usable)));
    QString text = QCoreApplication::translate("RunCost", "needs ~%1 of %2 · trace ≤ %3")
                       .arg(bytes_text(needed), bytes_text(double(cost.usable)),
                            bytes_text(double(cost.estimate.trace_file)));
    if (cost.seconds >= 0) text += " · " + duration_text(cost.seconds);
    return text;
}

}  // namespace rs::ui
