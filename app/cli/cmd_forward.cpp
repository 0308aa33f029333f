// `ropescope-cli forward DIR --ids ...`: one forward pass, per-token negative log-likelihood.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/budget_notes.h"
#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "error.h"
#include "model.h"
#include "run_plan.h"

namespace rs::cli {
namespace {

int run(const Args& args) {
    const auto ids_text = args.get("ids");
    if (!ids_text) throw UsageError("give the input with --ids 1,2,3");
    const auto ids = parse_ids(*ids_text);
    const auto ck = open_checkpoint(args);
    // Resident, so that `seconds` below is the forward pass alone, weights already converted.
    const RunBudget budget =
        check_run_budget(*ck, forward_plan(int(ids.size()), true), args.flag("json"));
    Model model(ck, budget.plan.layers_resident);
    const auto t0 = std::chrono::steady_clock::now();
    const auto out = model.forward(ids);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (args.flag("json")) {
        nlohmann::json j{{"tokens", ids.size()},
                         {"nll", out.nll},
                         {"mean_nll", out.mean_nll()},
                         {"seconds", secs}};
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("position  token  nll(next)\n");
    for (std::size_t t = 0; t + 1 < ids.size(); ++t)
        std::printf("%8zu  %5d  %.6f\n", t, ids[t], double(out.nll[t]));
    std::printf("mean nll %.6f over %zu predictions (%.3f s)\n", out.mean_nll(), out.nll.size(),
                secs);
    return 0;
}

const Command::Register reg{Command{
    "forward", "DIR",
    "Run the model on token ids and print each next-token negative log-likelihood.",
    join_options({{{"ids", "1,2,3", "the token ids to run", "ids", true}}, checkpoint_options()}),
    run}};

}  // namespace
}  // namespace rs::cli
