// `ropescope-cli noise DIR --text-file F --sigma 0.5,1,2 --target real|imag|both`: the paper's
// noise experiment on the user's text.
#include <cstdio>
#include <cstdlib>
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
#include "noise_run.h"

namespace rs::cli {
namespace {

std::vector<NoiseTarget> parse_targets(const std::string& t) {
    if (t == "real") return {NoiseTarget::Real};
    if (t == "imag") return {NoiseTarget::Imag};
    if (t == "both") return {NoiseTarget::Both};
    if (t == "each") return {NoiseTarget::Real, NoiseTarget::Imag};
    throw UsageError("--target must be real, imag, both or each, got '" + t + "'");
}

void write_csv(std::ostream& f, const NoiseSweep& s) {
    f << "target,sigma,mean_nll,delta_nll";
    for (int D : s.thresholds) f << ",M_real_" << D << ",M_imag_" << D;
    f << "\n";
    for (const auto& p : s.points) {
        f << noise_target_name(p.target) << ',' << p.sigma << ',' << p.mean_nll << ','
          << p.delta_nll;
        for (std::size_t i = 0; i < s.thresholds.size(); ++i)
            f << ',' << p.long_range_mass_real[i] << ',' << p.long_range_mass_imag[i];
        f << "\n";
    }
}

struct NoiseCommandOptions {
    ModelRunChoice run;
    NoiseOptions sweep;
};

// Every option checked before any layer is converted.
NoiseCommandOptions parse(const Args& args) {
    NoiseCommandOptions o;
    o.run = parse_model_run(args);
    o.sweep.sigmas = parse_number_list(args.get_or("sigma", "0.5,1,2"), "sigma");
    o.sweep.targets = parse_targets(args.get_or("target", "each"));
    o.sweep.seed = std::uint64_t(args.get_int("seed", 0));
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
    const NoiseSweep s = run_noise_sweep(ck, in.ids, opt, [&](const RunBudget& b) {
        print_budget_notes(b, o.run.quiet || o.run.json);
    });
    if (o.run.out) write_output_file(*o.run.out, [&](std::ostream& f) { write_csv(f, s); });
    if (o.run.json) {
        nlohmann::json pts = nlohmann::json::array();
        for (const auto& p : s.points)
            pts.push_back({{"target", noise_target_name(p.target)},
                           {"sigma", p.sigma},
                           {"mean_nll", p.mean_nll},
                           {"delta_nll", p.delta_nll},
                           {"long_range_mass_real", p.long_range_mass_real},
                           {"long_range_mass_imag", p.long_range_mass_imag}});
        nlohmann::json j{{"tokens", s.tokens},
                         {"seed", s.seed},
                         {"thresholds", s.thresholds},
                         {"baseline_nll", s.baseline_nll},
                         {"baseline_mass_real", s.baseline_mass_real},
                         {"baseline_mass_imag", s.baseline_mass_imag},
                         {"points", pts}};
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("%d tokens, seed %llu, baseline mean NLL %.4f\n", s.tokens,
                (unsigned long long)s.seed, s.baseline_nll);
    if (ck->variant() == Variant::Rope)
        std::printf(
            "(vanilla RoPE: imaginary heads are virtual, so noise on them cannot change the "
            "loss)\n");
    const int D = s.thresholds.empty() ? 0 : s.thresholds.back();
    std::printf("\ntarget  sigma   mean_nll   delta_nll   M_real(%d)  M_imag(%d)\n", D, D);
    for (const auto& p : s.points)
        std::printf("%-6s %6.3f  %9.4f  %+10.4f   %9.4f  %9.4f\n",
                    noise_target_name(p.target).c_str(), p.sigma, p.mean_nll, p.delta_nll,
                    p.long_range_mass_real.empty() ? 0.0 : p.long_range_mass_real.back(),
                    p.long_range_mass_imag.empty() ? 0.0 : p.long_range_mass_imag.back());
    return 0;
}

const Command::Register reg{
    Command{"noise", "DIR",
            "The paper's noise experiment: Gaussian noise on real or imaginary queries, change in "
            "loss and long-range mass.",
            join_options(
                {input_options(),
                 {{"sigma", "0.5,1,2", "noise standard deviations, one run each (default 0.5,1,2)"},
                  {"target", "real|imag|both|each", "the queries noised (default each)"},
                  {"seed", "N", "random seed (default 0)"},
                  {"thresholds", "16,64", "distances D of the long-range mass M(D)"},
                  {"out", "noise.csv", "also write the points as CSV"}},
                 checkpoint_options(),
                 quiet_option()}),
            run}};

}  // namespace
}  // namespace rs::cli
