// `ropescope-cli noise DIR --text-file F --sigma 0.5,1,2|paper --seeds N --target real|imag|both`:
// the paper's noise experiment on the user's text, over several seeds with 95% intervals.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/cli/budget_notes.h"
#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/noise_args.h"
#include "app/cli/output_file.h"
#include "app/cli/progress_bar.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "csv_writer.h"
#include "noise_run.h"
#include "noise_summary.h"

namespace rs::cli {
namespace {

std::vector<NoiseTarget> parse_targets(const std::string& t) {
    if (t == "real") return {NoiseTarget::Real};
    if (t == "imag") return {NoiseTarget::Imag};
    if (t == "both") return {NoiseTarget::Both};
    if (t == "each") return {NoiseTarget::Real, NoiseTarget::Imag};
    throw UsageError("--target must be real, imag, both or each, got '" + t + "'");
}

// One row per seed and point; the seed intervals are in the JSON and in `export --what noise`.
void write_csv(std::ostream& f, const std::vector<NoiseSweep>& sweeps) {
    const NoiseSweep& first = sweeps.front();
    f << "seed,target,sigma,mean_nll,delta_nll";
    for (int D : first.thresholds) f << ",M_real_" << D << ",M_imag_" << D;
    for (std::size_t k = 0; k + 1 < first.position_edges.size(); ++k)
        f << ",dnll_pos_" << first.position_edges[k] << '_' << first.position_edges[k + 1];
    for (std::size_t k = 0; k + 1 < first.distance_edges.size(); ++k)
        f << ",dnll_dist_" << first.distance_edges[k] << '_' << first.distance_edges[k + 1];
    f << ",dnll_dist_first\n";
    for (const auto& s : sweeps)
        for (const auto& p : s.points) {
            f << s.seed << ',' << noise_target_name(p.target) << ',' << p.sigma << ',' << p.mean_nll
              << ',' << p.delta_nll;
            for (std::size_t i = 0; i < s.thresholds.size(); ++i)
                f << ',' << p.long_range_mass_real[i] << ',' << p.long_range_mass_imag[i];
            for (double v : p.delta_nll_by_position) f << ',' << csv_number(v);
            for (double v : p.delta_nll_by_distance) f << ',' << csv_number(v);
            f << "\n";
        }
}

nlohmann::json interval_json(const SeedInterval& c) {
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    return {{"n", c.n}, {"mean", num(c.mean)}, {"sd", num(c.sd)}, {"lo", num(c.lo)}, {"hi", num(c.hi)}};
}

nlohmann::json intervals_json(const std::vector<SeedInterval>& v) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : v) out.push_back(interval_json(c));
    return out;
}

struct NoiseCommandOptions {
    ModelRunChoice run;
    NoiseOptions sweep;
    std::vector<std::uint64_t> seeds;
};

// Every option checked before any layer is converted.
NoiseCommandOptions parse(const Args& args) {
    NoiseCommandOptions o;
    o.run = parse_model_run(args);
    o.sweep.sigmas = sigma_option(args).value_or(std::vector<double>{0.5, 1, 2});
    o.sweep.targets = parse_targets(args.get_or("target", "each"));
    o.seeds = parse_seeds(args);
    o.sweep.seed = o.seeds.front();
    if (auto t = args.get("thresholds"))
        for (auto v : parse_ids(*t)) o.sweep.thresholds.push_back(v);
    return o;
}

int run(const Args& args) {
    const NoiseCommandOptions o = parse(args);
    const auto ck = open_checkpoint(o.run.checkpoint);
    const TraceTokens in = read_input(o.run.input, *ck);
    ProgressBar bar("runs", o.run.quiet);
    NoiseOptions opt = o.sweep;
    opt.progress = bar.callback();
    const std::vector<NoiseSweep> sweeps = run_noise_sweeps(ck, in.ids, opt, o.seeds, [&](const RunBudget& b) {
        print_budget_notes(b, o.run.quiet || o.run.json);
    });
    const NoiseSweep& s = sweeps.front();
    const NoiseSummary sum = summarize_noise(sweeps).front();
    if (o.run.out) write_output_file(*o.run.out, [&](std::ostream& f) { write_csv(f, sweeps); });
    if (o.run.json) {
        nlohmann::json pts = nlohmann::json::array();
        for (const auto& p : s.points)
            pts.push_back({{"target", noise_target_name(p.target)},
                           {"sigma", p.sigma},
                           {"mean_nll", p.mean_nll},
                           {"delta_nll", p.delta_nll},
                           {"long_range_mass_real", p.long_range_mass_real},
                           {"long_range_mass_imag", p.long_range_mass_imag}});
        nlohmann::json summary = nlohmann::json::array();
        for (const auto& p : sum.points)
            summary.push_back({{"target", noise_target_name(p.target)},
                               {"sigma", p.sigma},
                               {"delta_nll", interval_json(p.delta_nll)},
                               {"delta_nll_by_position", intervals_json(p.delta_nll_by_position)},
                               {"delta_nll_by_distance", intervals_json(p.delta_nll_by_distance)},
                               {"long_range_mass_real", intervals_json(p.mass_real)},
                               {"long_range_mass_imag", intervals_json(p.mass_imag)}});
        // The first seed's sweep keeps the single-seed fields; "summary" is over every seed.
        nlohmann::json j{{"tokens", s.tokens},
                         {"seed", s.seed},
                         {"seeds", o.seeds},
                         {"thresholds", s.thresholds},
                         {"baseline_nll", s.baseline_nll},
                         {"baseline_mass_real", s.baseline_mass_real},
                         {"baseline_mass_imag", s.baseline_mass_imag},
                         {"position_edges", s.position_edges},
                         {"position_tokens", s.position_tokens},
                         {"distance_edges", s.distance_edges},
                         {"distance_tokens", s.distance_tokens},
                         {"points", pts},
                         {"interval", "95% Student t over seeds: mean +- t(0.975, n-1) sd / sqrt(n)"},
                         {"summary", summary}};
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("%d tokens, %zu seed(s) from %llu, baseline mean NLL %.4f\n", s.tokens, o.seeds.size(),
                (unsigned long long)s.seed, s.baseline_nll);
    if (ck->variant() == Variant::Rope)
        std::printf(
            "(vanilla RoPE: imaginary heads are virtual, so noise on them cannot change the "
            "loss)\n");
    if (o.seeds.size() > 1) std::printf("[lo, hi]: 95%% Student t interval over the seeds\n");
    const int D = s.thresholds.empty() ? 0 : s.thresholds.back();
    std::printf("\ntarget  sigma   delta_nll  %-22s M_real(%d)  M_imag(%d)\n", o.seeds.size() > 1 ? "[lo, hi]" : "", D, D);
    for (const auto& p : sum.points) {
        char ci[64] = "";
        if (p.delta_nll.n > 1) std::snprintf(ci, sizeof ci, "[%+.4f, %+.4f]", p.delta_nll.lo, p.delta_nll.hi);
        std::printf("%-6s %6.3f  %+10.4f  %-22s %9.4f  %9.4f\n", noise_target_name(p.target).c_str(), p.sigma,
                    p.delta_nll.mean, ci, p.mass_real.empty() ? 0.0 : p.mass_real.back().mean,
                    p.mass_imag.empty() ? 0.0 : p.mass_imag.back().mean);
    }
    return 0;
}

const Command::Register reg{
    Command{"noise", "DIR",
            "The paper's noise experiment: Gaussian noise on real or imaginary queries, change in "
            "loss and long-range mass.",
            join_options(
                {input_options(),
                 noise_grid_options(""),
                 {{"target", "real|imag|both|each", "the queries noised (default each)"},
                  {"thresholds", "16,64", "distances D of the long-range mass M(D)"},
                  {"out", "noise.csv", "also write the points (one row per seed) as CSV"}},
                 checkpoint_options(),
                 quiet_option()}),
            run}};

}  // namespace
}  // namespace rs::cli
