// `ropescope-cli noise DIR --text-file F --sigma 0.5,1,2 --target real|imag|both`: the paper's
// noise experiment on the user's text.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "app/cli/progress_bar.h"
#include "app/cli/run_budget.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "noise_experiment.h"

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

int run(const Args& args) {
    auto known = kTextInputOptions;
    known.insert(known.end(),
                 {"json", "variant", "ignore-config-key", "sigma", "target", "seed", "thresholds", "out", "quiet"});
    args.allow_only(known);
    const auto ck = open_checkpoint(args);
    const auto in = read_text_input(args, *ck);
    RunPlan plan;
    plan.tokens = int(in.ids.size());
    plan.analysis_heads = plan.statistics = true;
    const RunBudget budget = check_run_budget(*ck, plan, args.flag("quiet") || args.flag("json"));
    Model model(ck, budget.layers_resident);
    NoiseOptions opt;
    opt.sigmas = parse_number_list(args.get_or("sigma", "0.5,1,2"), "sigma");
    opt.targets = parse_targets(args.get_or("target", "each"));
    opt.seed = std::uint64_t(args.get_int("seed", 0));
    if (auto t = args.get("thresholds"))
        for (auto v : parse_ids(*t)) opt.thresholds.push_back(v);
    ProgressBar bar("runs", args.flag("quiet"));
    opt.progress = bar.callback();
    const NoiseSweep s = run_noise_experiment(model, in.ids, opt);
    if (auto path = args.get("out"))
        write_output_file(*path, [&](std::ostream& f) { write_csv(f, s); });
    if (args.flag("json")) {
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

const Command::Register reg{Command{
    "noise",
    "noise DIR (--text-file F | --text S | --ids ... | --ids-file F) [--sigma 0.5,1,2] [--target "
    "real|imag|both|each] [--seed N] [--out noise.csv] [--json]",
    "The paper's noise experiment: Gaussian noise on real or imaginary queries, change in "
    "loss and long-range mass.",
    {"no-bos", "quiet"},
    run}};

}  // namespace
}  // namespace rs::cli
