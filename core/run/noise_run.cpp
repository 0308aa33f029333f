// run_noise_sweep: the memory check every noise sweep passes before its first run.
#include "noise_run.h"

#include "run_plan.h"

namespace rs {

NoiseSweep run_noise_sweep(Model& model, std::span<const std::int32_t> ids,
                           const NoiseOptions& options) {
    require_budget(budget_run(model, noise_plan(int(ids.size()))));
    return run_noise_experiment(model, ids, options);
}

NoiseSweep run_noise_sweep(const std::shared_ptr<const Checkpoint>& ck,
                           std::span<const std::int32_t> ids, const NoiseOptions& options,
                           const std::function<void(const RunBudget&)>& on_budget) {
    const RunBudget budget = budget_run(*ck, noise_plan(int(ids.size())));
    if (on_budget) on_budget(budget);
    require_budget(budget);
    Model model(ck, budget.plan.layers_resident);
    return run_noise_experiment(model, ids, options);
}

std::vector<NoiseSweep> run_noise_sweeps(Model& model, std::span<const std::int32_t> ids,
                                         const NoiseOptions& options,
                                         std::span<const std::uint64_t> seeds) {
    require_budget(budget_run(model, noise_plan(int(ids.size()))));
    return run_noise_experiments(model, ids, options, seeds);
}

std::vector<NoiseSweep> run_noise_sweeps(const std::shared_ptr<const Checkpoint>& ck,
                                         std::span<const std::int32_t> ids,
                                         const NoiseOptions& options,
                                         std::span<const std::uint64_t> seeds,
                                         const std::function<void(const RunBudget&)>& on_budget) {
    const RunBudget budget = budget_run(*ck, noise_plan(int(ids.size())));
    if (on_budget) on_budget(budget);
    require_budget(budget);
    Model model(ck, budget.plan.layers_resident);
    return run_noise_experiments(model, ids, options, seeds);
}

}  // namespace rs
