// `ropescope-cli ppl DIR --text-file F`: perplexity by position over windows of the text.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "app/cli/progress_bar.h"
#include "app/cli/run_budget.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "perplexity.h"

namespace rs::cli {
namespace {

int run(const Args& args) {
    auto known = kTextInputOptions;
    known.insert(known.end(), {"json", "variant", "ignore-config-key", "context", "bucket", "out", "quiet"});
    args.allow_only(known);
    const auto ck = open_checkpoint(args);
    const auto in = read_text_input(args, *ck);
    PositionNllOptions opt;
    opt.context = int(args.get_int("context", 0));
    RunPlan plan;
    plan.tokens = opt.context > 0 ? std::min(opt.context, int(in.ids.size())) : int(in.ids.size());
    plan.layers_resident = plan.tokens < int(in.ids.size());  // several windows reuse the layers
    const RunBudget budget = check_run_budget(*ck, plan, args.flag("quiet") || args.flag("json"));
    Model model(ck, budget.layers_resident);
    ProgressBar bar("windows", args.flag("quiet"));
    opt.progress = bar.callback();
    const int bucket = int(args.get_int("bucket", 64));
    if (bucket < 1) throw UsageError("--bucket must be >= 1");
    const auto r = nll_by_position(model, in.ids, opt);
    if (auto path = args.get("out"))
        write_output_file(*path, [&](std::ostream& f) {
            f << "position,mean_nll,windows\n";
            for (std::size_t t = 0; t < r.mean_nll.size(); ++t)
                f << t << ',' << r.mean_nll[t] << ',' << r.count[t] << '\n';
        });
    if (args.flag("json")) {
        nlohmann::json j{{"tokens", in.ids.size()},
                         {"context", r.context},
                         {"windows", r.windows},
                         {"mean_nll", r.mean},
                         {"perplexity", std::exp(r.mean)},
                         {"nll_by_position", r.mean_nll},
                         {"count", r.count}};
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("%zu tokens in %d window(s) of %d; mean NLL %.4f, perplexity %.3f\n\n",
                in.ids.size(), r.windows, r.context, r.mean, std::exp(r.mean));
    std::printf("positions        mean_nll  perplexity\n");
    for (int a = 0; a < int(r.mean_nll.size()); a += bucket) {
        const int b = std::min<int>(a + bucket, int(r.mean_nll.size()));
        const double m = r.range_mean(a, b);
        std::printf("%6d-%-6d  %9.4f  %10.3f\n", a, b - 1, m, std::exp(m));
    }
    return 0;
}

const Command::Register reg{
    Command{"ppl",
            "ppl DIR (--text-file F | --text S | --ids ... | --ids-file F) [--context N] [--bucket "
            "64] [--out "
            "nll.csv] [--json]",
            "Perplexity by position, averaged over consecutive windows of --context tokens.",
            {"no-bos", "quiet"},
            run}};

}  // namespace
}  // namespace rs::cli
