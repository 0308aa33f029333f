// `ropescope-cli stats DIR --text-file F`: per layer and head, real vs imaginary long-range mass
// M(D), mean attended distance and entropy.
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
#include "head_stats.h"
#include "model.h"
#include "run_plan.h"

namespace rs::cli {
namespace {

std::vector<int> parse_thresholds(const Args& args) {
    std::vector<int> out;
    if (auto t = args.get("thresholds"))
        for (auto id : parse_ids(*t)) out.push_back(id);
    return out;
}

nlohmann::json stats_json(const RunStats& st, const HeadLayout& L) {
    nlohmann::json heads = nlohmann::json::array();
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : L.heads) {
            const auto& s = st.at(l, h.index);
            nlohmann::json lrm = nlohmann::json::array();
            for (double v : s.long_range_mass)
                lrm.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
            heads.push_back({{"layer", l},
                             {"head", h.index},
                             {"part", h.imag ? "imag" : "real"},
                             {"virtual", h.is_virtual},
                             {"query_head", h.query_head},
                             {"kv_head", h.kv_head},
                             {"long_range_mass", lrm},
                             {"mean_distance", s.mean_distance},
                             {"entropy", s.entropy},
                             {"bin_mass", s.bin_mass},
                             {"bin_logit", s.bin_logit}});
        }
    return {{"tokens", st.tokens},
            {"thresholds", st.thresholds},
            {"bin_edges", st.bin_edges},
            {"heads", heads}};
}

void write_csv(std::ostream& f, const RunStats& st, const HeadLayout& L) {
    f << "layer,head,part,virtual,query_head,kv_head";
    for (int D : st.thresholds) f << ",M_" << D;
    f << ",mean_distance,entropy\n";
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : L.heads) {
            const auto& s = st.at(l, h.index);
            f << l << ',' << h.index << ',' << (h.imag ? "imag" : "real") << ','
              << int(h.is_virtual) << ',' << h.query_head << ',' << h.kv_head;
            for (double v : s.long_range_mass) f << ',' << v;
            f << ',' << s.mean_distance << ',' << s.entropy << '\n';
        }
}

struct StatsOptions {
    ModelRunChoice run;
    std::vector<int> thresholds;
};

// Every option checked before the checkpoint opens.
StatsOptions parse(const Args& args) {
    StatsOptions o;
    o.run = parse_model_run(args);
    o.thresholds = parse_thresholds(args);
    return o;
}

int run(const Args& args) {
    const StatsOptions o = parse(args);
    const auto ck = open_checkpoint(o.run.checkpoint);
    const TraceTokens in = read_input(o.run.input, *ck);
    // One forward: each layer is converted once either way.
    check_run_budget(*ck, statistics_plan(int(in.ids.size()), false), o.run.quiet || o.run.json);
    Model model(ck, false);
    HeadStatsProbe probe(true, o.thresholds);
    ProgressBar bar("layers", o.run.quiet);
    ForwardOptions opt;
    opt.probes = {&probe};
    opt.progress = bar.callback();
    const auto out = model.forward(in.ids, opt);
    const RunStats& st = probe.stats();
    const auto& L = ck->layout();
    if (o.run.out) write_output_file(*o.run.out, [&](std::ostream& f) { write_csv(f, st, L); });
    if (o.run.json) {
        auto j = stats_json(st, L);
        j["mean_nll"] = out.mean_nll();
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("%d tokens, mean NLL %.4f; M(D) = mean attention mass at distance >= D\n\n",
                st.tokens, out.mean_nll());
    std::printf("layer head  part      ");
    for (int D : st.thresholds) std::printf("  M(%5d)", D);
    std::printf("  mean_dist  entropy\n");
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : L.heads) {
            const auto& s = st.at(l, h.index);
            std::printf("%5d %4d  %-4s%-6s", l, h.index, h.imag ? "imag" : "real",
                        h.is_virtual ? " (v)" : "");
            for (double v : s.long_range_mass) std::printf("  %8.4f", v);
            std::printf("  %9.2f  %7.3f\n", s.mean_distance, s.entropy);
        }
    return 0;
}

const Command::Register reg{Command{
    "stats", "DIR",
    "Per-head long-range mass M(D), mean attended distance and entropy, real vs imaginary heads.",
    join_options({input_options(),
                  {{"thresholds", "16,64", "distances D of the long-range mass M(D)"},
                   {"out", "stats.csv", "also write the table as CSV"}},
                  checkpoint_options(),
                  quiet_option()}),
    run}};

}  // namespace
}  // namespace rs::cli
