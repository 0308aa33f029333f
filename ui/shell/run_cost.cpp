// Trace cost for the GUI: the core's trace plan and budget, as `ropescope-cli trace` checks them,
// so the label, the refusal and the CLI's estimate agree.
#include "run_cost.h"

#include <QCoreApplication>
#include <QStringList>
#include <cmath>

#include "machine_rates.h"
#include "run_budget.h"
#include "run_plan.h"

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

QKPrecision trace_precision(int tokens) {
    return tokens <= kExactQkTokens ? QKPrecision::F32 : QKPrecision::F16;
}

RunCost trace_cost(const CheckpointBundle& ck, int tokens) {
    RunCost cost;
    // The open model: its layers as they are, resident weights cost nothing more.
    const RunBudget budget =
        budget_run(*ck.model, trace_plan(tokens, trace_precision(tokens), true));
    cost.estimate = budget.estimate;
    cost.usable = budget.usable;
    cost.notes = ck.load_notes;
    cost.notes.insert(cost.notes.end(), budget.notes.begin(), budget.notes.end());
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

QString cost_notes(const RunCost& cost) {
    QStringList lines;
    for (const auto& note : cost.notes) lines << QString::fromStdString(note);
    return lines.join('\n');
}

}  // namespace rs::ui
