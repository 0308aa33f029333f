// `ropescope-cli trace DIR --text-file F -o run.h5`: runs the model once and keeps everything it
// saw in an HDF5 trace (docs/trace-format.md) that reopens without the model. The run itself is the
// core's (trace_run.h); this file parses the options first and formats the result.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/cli/budget_notes.h"
#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/noise_args.h"
#include "app/cli/progress_bar.h"
#include "app/cli/stats_args.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "trace_run.h"

namespace rs::cli {
namespace {

struct TraceOptions {
    std::string out;
    CheckpointChoice checkpoint;
    InputChoice input;
    QKPrecision precision = QKPrecision::F16;
    std::optional<std::vector<double>> noise;  // sigmas of a sweep stored in the trace
    std::vector<std::uint64_t> seeds{0};       // one sweep per seed
    StatsArgs stats;
    bool quiet = false, json = false;
};

// Every option checked before the checkpoint opens: a bad --noise fails at once, not after the run.
TraceOptions parse(const Args& args) {
    TraceOptions o;
    o.out = output_path(args, "give the trace file with -o run.h5");
    o.checkpoint = parse_checkpoint(args);
    o.input = parse_input(args);
    if (args.flag("f16") && args.flag("f32")) throw UsageError("give --f16 or --f32, not both");
    o.precision = args.flag("f32") ? QKPrecision::F32 : QKPrecision::F16;
    if (auto sigmas = args.get("noise")) o.noise = parse_sigmas(*sigmas, "noise");
    o.seeds = parse_seeds(args);
    o.stats = parse_stats_args(args);
    if (!o.noise && (args.get("seed") || args.get("seeds")))
        throw UsageError(std::string(args.get("seeds") ? "--seeds" : "--seed") +
                         " applies to a noise sweep: give --noise 0.5,1,2 (or paper) too");
    o.quiet = args.flag("quiet");
    o.json = args.flag("json");
    return o;
}

int run(const Args& args) {
    const TraceOptions o = parse(args);
    const auto t0 = std::chrono::steady_clock::now();
    const auto ck = open_checkpoint(o.checkpoint);
    const TraceTokens in = read_input(o.input, *ck);

    // The progress bar installs the Ctrl-C handler before the writer may chain its own to it.
    ProgressBar bar("layers", o.quiet);
    std::optional<ProgressBar> noise_bar;
    TraceRunOptions topt;
    topt.writer.precision = o.precision;
    topt.stats = o.stats.options;
    topt.train_length = o.stats.train_length;
    // Test hook: exercise the named-temporary fallback on systems that do have O_TMPFILE.
    topt.writer.allow_unnamed_temp = std::getenv("ROPESCOPE_TRACE_NAMED_TEMP") == nullptr;
    topt.progress = bar.callback();
    if (o.noise) {
        NoiseOptions nopt;
        nopt.sigmas = *o.noise;
        nopt.seed = o.seeds.front();
        topt.noise_seeds = o.seeds;
        nopt.progress = [&](long done, long total) {
            if (!noise_bar) noise_bar.emplace("noise runs", o.quiet);
            return noise_bar->callback()(done, total);
        };
        topt.noise = nopt;
    }
    const TraceRunResult r = trace_checkpoint(
        ck, in, o.out, topt, [&](const RunBudget& b) { print_budget_notes(b, o.quiet || o.json); });
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& L = ck->layout();
    if (o.json) {
        nlohmann::json j{{"output", o.out},
                         {"tokens", in.ids.size()},
                         {"layers", ck->config().num_hidden_layers},
                         {"analysis_heads", L.analysis_heads()},
                         {"qk_dtype", qk_precision_name(o.precision)},
                         {"bytes", r.bytes},
                         {"seconds", secs},
                         {"load_seconds", r.load_seconds},
                         {"forward_seconds", r.forward_seconds},
                         {"mean_nll", r.mean_nll()},
                         {"noise_sweeps", r.noise_sweeps}};
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf(
        "wrote %s: %zu tokens, %d layers x %d heads, Q/K %s, %.1f MB in %.1f s (mean NLL %.4f)\n",
        o.out.c_str(), in.ids.size(), ck->config().num_hidden_layers, L.analysis_heads(),
        qk_precision_name(o.precision).c_str(), double(r.bytes) / 1e6, secs, r.mean_nll());
    return 0;
}

const Command::Register reg{Command{
    "trace", "DIR -o run.h5",
    "Run the model once and save Q/K, row log-sum-exps, overview maps, statistics, NLL and theory "
    "curves to an HDF5 trace.",
    join_options({input_options(),
                  {{"out", "run.h5", "the trace file (or -o run.h5)"},
                   {"f16", "", "store Q/K as float16 (the default)", "precision"},
                   {"f32", "", "store Q/K as float32", "precision"},
                   {"noise", "0.5,1,2|paper",
                    "also run a noise sweep with these sigmas (paper: 0.2,0.4,...,1.4,1.5) and store it"},
                   {"seed", "N", "the noise sweep's random seed (default 0; the first of --seeds N)"},
                   {"seeds", "N|A,B,C", "N seeds from --seed on, or these seeds: one stored sweep each"}},
                  stats_options(),
                  checkpoint_options(),
                  quiet_option()}),
    run}};

}  // namespace
}  // namespace rs::cli
