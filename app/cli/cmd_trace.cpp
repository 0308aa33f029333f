// `ropescope-cli trace DIR --text-file F -o run.h5`: runs the model once and keeps everything it
// saw in an HDF5 trace (docs/trace-format.md) that reopens without the model.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/progress_bar.h"
#include "app/cli/run_budget.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "head_stats.h"
#include "model.h"
#include "noise_experiment.h"
#include "overview_probe.h"
#include "trace_writer.h"

namespace rs::cli {
namespace {

QKPrecision precision(const Args& args) {
    if (args.flag("f16") && args.flag("f32")) throw UsageError("give --f16 or --f32, not both");
    return args.flag("f32") ? QKPrecision::F32 : QKPrecision::F16;
}

int run(const Args& args) {
    auto known = kTextInputOptions;
    known.insert(known.end(), {"json", "variant", "ignore-config-key", "out", "f16", "f32", "quiet", "noise", "seed"});
    args.allow_only(known);
    const std::string out = output_path(args, "give the trace file with -o run.h5");
    const auto ck = open_checkpoint(args);
    const TextInput in = read_text_input(args, *ck);
    const auto t0 = std::chrono::steady_clock::now();

    // The progress bar installs the Ctrl-C handler before the writer may chain its own to it.
    ProgressBar bar("layers", args.flag("quiet"));
    TraceWriterOptions wopt;
    wopt.precision = precision(args);
    // Test hook: exercise the named-temporary fallback on systems that do have O_TMPFILE.
    wopt.allow_unnamed_temp = std::getenv("ROPESCOPE_TRACE_NAMED_TEMP") == nullptr;
    RunPlan plan;
    plan.tokens = int(in.ids.size());
    plan.analysis_heads = plan.statistics = plan.trace = true;
    plan.trace_f32 = wopt.precision == QKPrecision::F32;
    // One forward converts each layer once either way; only noise runs reuse converted layers.
    plan.layers_resident = args.get("noise").has_value();
    const RunBudget budget = check_run_budget(*ck, plan, args.flag("quiet") || args.flag("json"));
    TraceWriter writer(out, *ck, TraceTokens{in.ids, in.tokens, in.offsets, in.text}, wopt);
    OverviewProbe overview(writer.overview_sink());
    HeadStatsProbe stats(true);

    const auto t_load = std::chrono::steady_clock::now();
    Model model(ck, budget.layers_resident);
    const auto t_forward = std::chrono::steady_clock::now();
    ForwardOptions fopt;
    fopt.probes = {&writer, &overview, &stats};
    fopt.progress = bar.callback();
    const ForwardResult result = model.forward(in.ids, fopt);

    std::vector<NoiseSweep> sweeps;
    if (auto sigmas = args.get("noise")) {
        NoiseOptions nopt;
        nopt.sigmas = parse_number_list(*sigmas, "noise");
        nopt.seed = std::uint64_t(args.get_int("seed", 0));
        ProgressBar noise_bar("noise runs", args.flag("quiet"));
        nopt.progress = noise_bar.callback();
        sweeps.push_back(run_noise_experiment(model, in.ids, nopt));
    }
    writer.finish(result.nll, stats.stats(), sweeps);
    const auto t_end = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(t_end - t0).count();
    const auto bytes = std::filesystem::file_size(out);
    const auto& L = ck->layout();
    if (args.flag("json")) {
        nlohmann::json j{
            {"output", out},
            {"tokens", in.ids.size()},
            {"layers", ck->config().num_hidden_layers},
            {"analysis_heads", L.analysis_heads()},
            {"qk_dtype", qk_precision_name(wopt.precision)},
            {"bytes", bytes},
            {"seconds", secs},
            {"load_seconds", std::chrono::duration<double>(t_forward - t_load).count()},
            {"forward_seconds", std::chrono::duration<double>(t_end - t_forward).count()},
            {"mean_nll", result.mean_nll()},
            {"noise_sweeps", sweeps.size()}};
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf(
        "wrote %s: %zu tokens, %d layers x %d heads, Q/K %s, %.1f MB in %.1f s (mean NLL %.4f)\n",
        out.c_str(), in.ids.size(), ck->config().num_hidden_layers, L.analysis_heads(),
        qk_precision_name(wopt.precision).c_str(), double(bytes) / 1e6, secs, result.mean_nll());
    return 0;
}

const Command::Register reg{Command{
    "trace",
    "trace DIR (--text-file F | --text S | --ids 1,2,3 | --ids-file F) -o run.h5 [--max-tokens N] "
    "[--f16|--f32] "
    "[--noise 0.5,1,2 [--seed N]] [--variant rope|eh|ec] [--no-bos] [--quiet] [--json]",
    "Run the model once and save Q/K, row log-sum-exps, overview maps, statistics, NLL and theory "
    "curves "
    "to an HDF5 trace.",
    {"f16", "f32", "no-bos", "quiet"},
    run}};

}  // namespace
}  // namespace rs::cli
