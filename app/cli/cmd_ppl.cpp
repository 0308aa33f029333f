// `ropescope-cli ppl DIR --text-file F`: perplexity by position over windows of the text.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/cli/budget_notes.h"
#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "app/cli/progress_bar.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "perplexity.h"
#include "run_plan.h"

namespace rs::cli {
namespace {

struct PplOptions {
    ModelRunChoice run;
    int context = 0;
    int bucket = 64;
};

// Every option checked before the checkpoint opens.
PplOptions parse(const Args& args) {
    PplOptions o;
    o.run = parse_model_run(args);
    o.context = int(args.get_int("context", 0));
    o.bucket = int(args.get_int("bucket", 64));
    if (o.bucket < 1) throw UsageError("--bucket must be >= 1");
    return o;
}

int run(const Args& args) {
    const PplOptions o = parse(args);
    const auto ck = open_checkpoint(o.run.checkpoint);
    const TraceTokens in = read_input(o.run.input, *ck);
    PositionNllOptions opt;
    opt.context = o.context;
    const int T = int(in.ids.size());
    const int window = opt.context > 0 ? std::min(opt.context, T) : T;
    // Several windows reuse the converted layers.
    const RunBudget budget =
        check_run_budget(*ck, forward_plan(window, window < T), o.run.quiet || o.run.json);
    Model model(ck, budget.plan.layers_resident);
    ProgressBar bar("windows", o.run.quiet);
    opt.progress = bar.callback();
    const int bucket = o.bucket;
    const auto r = nll_by_position(model, in.ids, opt);
    if (o.run.out)
        write_output_file(*o.run.out, [&](std::ostream& f) {
            f << "position,mean_nll,windows\n";
            for (std::size_t t = 0; t < r.mean_nll.size(); ++t)
                f << t << ',' << r.mean_nll[t] << ',' << r.count[t] << '\n';
        });
    if (o.run.json) {
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

const Command::Register reg{Command{
    "ppl", "DIR", "Perplexity by position, averaged over consecutive windows of --context tokens.",
    join_options(
        {input_options(),
         {{"context", "N", "window length in tokens (default: the whole input, one window)"},
          {"bucket", "64", "positions per printed row"},
          {"out", "nll.csv", "also write the NLL by position as CSV"}},
         checkpoint_options(),
         quiet_option()}),
    run}};

}  // namespace
}  // namespace rs::cli
