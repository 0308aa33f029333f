// `ropescope-cli stats DIR --text-file F`: per layer and head, real vs imaginary long-range mass
// M(D), mean attended distance, entropy and sink mass; then the same by query-position bucket.
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
#include "app/cli/stats_args.h"
#include "app/cli/stats_tables.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "head_stats.h"
#include "model.h"
#include "run_plan.h"

namespace rs::cli {
namespace {

nlohmann::json numbers(const std::vector<double>& v) {
    nlohmann::json out = nlohmann::json::array();
    for (double x : v) out.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json());
    return out;
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json bucket_json(const BucketStats& b) {
    return {{"long_range_mass", numbers(b.long_range_mass)},
            {"mean_distance", number(b.mean_distance)},
            {"entropy", number(b.entropy)},
            {"sink_mass", numbers(b.sink_mass)},
            {"long_range_mass_ex", numbers(b.long_range_mass_ex)},
            {"mean_distance_ex", number(b.mean_distance_ex)},
            {"bin_mass", numbers(b.bin_mass)},
            {"bin_mass_ex", numbers(b.bin_mass_ex)}};
}

// Bucket definitions, the uniform reference and per head the bucketed statistics.
void add_bucket_json(nlohmann::json& j, const RunStats& st) {
    nlohmann::json buckets = nlohmann::json::array(), uniform = nlohmann::json::array();
    for (std::size_t b = 0; b < st.buckets.size(); ++b) {
        buckets.push_back({{"name", st.buckets[b].name}, {"lo", st.buckets[b].lo}, {"hi", st.buckets[b].hi}});
        uniform.push_back(bucket_json(st.uniform[b]));
    }
    j["sink_counts"] = st.sink_counts;
    j["sink_exclude"] = st.sink_exclude;
    j["train_length"] = st.train_length;
    j["train_length_source"] = st.train_length_source;
    j["buckets"] = buckets;
    j["uniform"] = uniform;
    // Sliding-window layers: uniform attention over each query's visible keys, per window.
    nlohmann::json windowed = nlohmann::json::array();
    for (const auto& [window, reference] : st.uniform_windowed) {
        nlohmann::json per = nlohmann::json::array();
        for (const auto& b : reference) per.push_back(bucket_json(b));
        windowed.push_back({{"window", window}, {"uniform", per}});
    }
    j["uniform_windowed"] = windowed;
    for (auto& h : j["heads"]) {
        nlohmann::json per = nlohmann::json::array();
        for (const auto& b : st.at(h["layer"], h["head"]).buckets) per.push_back(bucket_json(b));
        h["buckets"] = per;
    }
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
    nlohmann::json j{{"tokens", st.tokens},
                     {"thresholds", st.thresholds},
                     {"bin_edges", st.bin_edges},
                     {"heads", heads}};
    add_bucket_json(j, st);
    return j;
}

void write_csv(std::ostream& f, const RunStats& st, const HeadLayout& L) {
    f << "layer,head,part,virtual,query_head,kv_head";
    for (int D : st.thresholds) f << ",M_" << D;
    f << ",mean_distance,entropy";
    for (const auto& c : sink_columns(st)) f << ',' << c;
    f << '\n';
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : L.heads) {
            const auto& s = st.at(l, h.index);
            f << l << ',' << h.index << ',' << (h.imag ? "imag" : "real") << ','
              << int(h.is_virtual) << ',' << h.query_head << ',' << h.kv_head;
            for (double v : s.long_range_mass) f << ',' << v;
            f << ',' << s.mean_distance << ',' << s.entropy;
            if (st.observed[std::size_t(l) * st.heads + h.index])
                for (const auto& c : sink_cells(st, s)) f << ',' << c.first;
            else
                f << std::string(sink_columns(st).size(), ',');
            f << '\n';
        }
}

struct StatsOptions {
    ModelRunChoice run;
    StatsArgs stats;
};

// Every option checked before the checkpoint opens.
StatsOptions parse(const Args& args) {
    StatsOptions o;
    o.run = parse_model_run(args);
    o.stats = parse_stats_args(args);
    return o;
}

int run(const Args& args) {
    const StatsOptions o = parse(args);
    const auto ck = open_checkpoint(o.run.checkpoint);
    const TraceTokens in = read_input(o.run.input, *ck);
    // One forward: each layer is converted once either way.
    check_run_budget(*ck, statistics_plan(int(in.ids.size()), false), o.run.quiet || o.run.json);
    Model model(ck, false);
    HeadStatsProbe probe(true, resolve(o.stats, ck->config()));
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
    std::printf("%d tokens, mean NLL %.4f; M(D) = mean attention mass at distance >= D; sink(k) = "
                "mass on the first k keys; dist_ex%d = mean distance without the first %d keys\n",
                st.tokens, out.mean_nll(), st.sink_exclude, st.sink_exclude);
    std::printf("%s\n\n", train_length_line(st).c_str());
    std::printf("layer head  part      ");
    for (int D : st.thresholds) std::printf("  M(%5d)", D);
    std::printf("  mean_dist  entropy");
    for (int k : st.sink_counts) std::printf("  sink(%d)", k);
    std::printf("  dist_ex%d\n", st.sink_exclude);
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : L.heads) {
            const auto& s = st.at(l, h.index);
            std::printf("%5d %4d  %-4s%-6s", l, h.index, h.imag ? "imag" : "real",
                        h.is_virtual ? " (v)" : "");
            for (double v : s.long_range_mass) std::printf("  %8.4f", v);
            std::printf("  %9.2f  %7.3f", s.mean_distance, s.entropy);
            if (!s.buckets.empty()) {
                for (double v : s.buckets[0].sink_mass) std::printf("  %7.4f", v);
                std::printf("  %8.2f", s.buckets[0].mean_distance_ex);
            }
            std::printf("\n");
        }
    print_bucket_summary(st, L);
    return 0;
}

const Command::Register reg{Command{
    "stats", "DIR",
    "Per-head long-range mass M(D), mean attended distance, entropy and sink mass, real vs "
    "imaginary heads, also by query position (inside/beyond the training length).",
    join_options({input_options(),
                  stats_options(),
                  {{"out", "stats.csv", "also write the table as CSV"}},
                  checkpoint_options(),
                  quiet_option()}),
    run}};

}  // namespace
}  // namespace rs::cli
