// `ropescope-cli curves --base 10000,500000 ...`: RoPE characteristic curves (exact sums and the
// Ci/Si closed form) per base, as a tidy CSV plus a gap summary on stdout (or JSON).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "csv_writer.h"
#include "error.h"
#include "number_list.h"
#include "theory_curves.h"

namespace rs::cli {
namespace {

constexpr long kMaxPoints = 1'000'000;
constexpr long kMaxHeadDim = 65536;

RopeParams parse_params(const Args& args) {
    RopeParams p;
    const long head_dim = args.get_int("head-dim", 128);
    if (head_dim < 2 || head_dim > kMaxHeadDim)
        throw UsageError("--head-dim must be between 2 and " + std::to_string(kMaxHeadDim));
    p.head_dim = int(head_dim);
    p.partial_rotary_factor = args.get_double("partial", 1.0);
    if (args.get("factor") && args.get("yarn"))
        throw UsageError("--factor (linear interpolation) and --yarn exclude each other");
    p.linear_factor = args.get_double("factor", 1.0);
    p.yarn_factor = args.get_double("yarn", 0.0);
    if (args.get("yarn") && !(p.yarn_factor >= 1.0)) throw UsageError("--yarn must be >= 1");
    return p;
}

std::vector<double> parse_grid(const Args& args) {
    if (args.flag("log") && args.flag("linear"))
        throw UsageError("give --log or --linear, not both");
    const double max_distance = args.get_double("max-distance", 65536.0);
    const long points = args.get_int("points", 512);
    if (points < 2 || points > kMaxPoints)
        throw UsageError("--points must be between 2 and " + std::to_string(kMaxPoints));
    return args.flag("linear") ? linear_distances(max_distance, int(points))
                               : log_distances(max_distance, int(points));
}

// "nan" for a missing closed form.
void write_csv(std::ostream& f, const std::vector<CharacteristicCurves>& family) {
    CsvWriter csv(f);
    csv.row({"base", "distance", "real_sum", "imag_sum", "real_closed", "imag_closed"});
    for (const auto& c : family)
        for (std::size_t j = 0; j < c.distance.size(); ++j)
            csv.row({csv_number(c.base), csv_number(c.distance[j]), csv_number(c.real_sum[j]),
                     csv_number(c.imag_sum[j]), csv_number(c.real_closed[j]),
                     csv_number(c.imag_closed[j])});
}

nlohmann::json gap_json(const CurveGap& g) {
    return {{"max_abs", g.max_abs}, {"relative", g.relative}, {"at_distance", g.at_distance}};
}

nlohmann::json curves_json(const CharacteristicCurves& c) {
    return {{"base", c.base},
            {"rotary_dim", c.rotary_dim},
            {"has_closed_form", c.has_closed_form},
            {"closed_form_note", c.closed_form_note},
            {"logit_scale", c.logit_scale},
            {"logit_scale_applied", c.logit_scale_applied},
            {"real_gap", gap_json(c.real_gap)},
            {"imag_gap", gap_json(c.imag_gap)},
            {"distance", c.distance},
            {"real_sum", c.real_sum},
            {"imag_sum", c.imag_sum},
            {"real_closed", c.real_closed},  // NaN becomes null
            {"imag_closed", c.imag_closed}};
}

void print_summary(const CharacteristicCurves& c) {
    std::printf("base %g (rotary dim %d, %zu distances %g..%g)\n", c.base, c.rotary_dim,
                c.distance.size(), c.distance.front(), c.distance.back());
    if (c.logit_scale != 1.0)
        std::printf("  logit scale s^2 = %.6g (%s)\n", c.logit_scale,
                    c.logit_scale_applied ? "applied" : "not applied; --logit-scale applies it");
    if (!c.has_closed_form) {
        std::printf("  closed form unavailable: %s\n", c.closed_form_note.c_str());
        return;
    }
    const double half = c.rotary_dim / 2.0;
    std::printf("  real: max |sum - closed| %.6g at distance %g (%.3g%% of d/2 = %g)\n",
                c.real_gap.max_abs, c.real_gap.at_distance, 100 * c.real_gap.relative, half);
    std::printf("  imag: max |sum - closed| %.6g at distance %g (%.3g%% of d/2 = %g)\n",
                c.imag_gap.max_abs, c.imag_gap.at_distance, 100 * c.imag_gap.relative, half);
}

int run(const Args& args) {
    const auto bases = rs::parse_number_list(args.get_or("base", "10000"), "--base", {1.0, true});
    const RopeParams proto = parse_params(args);
    const auto distances = parse_grid(args);
    CurveOptions options;
    options.apply_logit_scale = args.flag("logit-scale");
    const auto family = curve_family(proto, bases, distances, options);
    const auto out = args.get("out");
    if (out) write_output_file(*out, [&](std::ostream& f) { write_csv(f, family); });

    if (args.flag("json")) {
        nlohmann::json j{{"head_dim", proto.head_dim},
                         {"partial_rotary_factor", proto.partial_rotary_factor},
                         {"linear_factor", proto.linear_factor},
                         {"yarn_factor", proto.yarn_factor},
                         {"grid", args.flag("linear") ? "linear" : "log"},
                         {"out", out ? nlohmann::json(*out) : nlohmann::json(nullptr)},
                         {"curves", nlohmann::json::array()}};
        for (const auto& c : family) j["curves"].push_back(curves_json(c));
        std::cout << j.dump() << "\n";
        return 0;
    }
    for (const auto& c : family) print_summary(c);
    if (out) std::printf("wrote %s (%zu rows)\n", out->c_str(), family.size() * distances.size());
    return 0;
}

const Command::Register reg{Command{
    "curves",
    "",
    "RoPE characteristic curves per base: exact sums of cos/sin over the spectrum vs the Ci/Si "
    "closed form, with their gap.",
    {{"base", "10000,500000", "RoPE bases, one curve each (default 10000)"},
     {"head-dim", "128", "head dimension"},
     {"partial", "0.5", "fraction of the head dimension rotated"},
     {"factor", "8", "linear position interpolation by this factor", "scaling"},
     {"yarn", "32", "YaRN scaling by this factor", "scaling"},
     {"max-distance", "65536", "the largest distance"},
     {"points", "512", "points per curve"},
     {"log", "", "log-spaced distances (the default)", "grid"},
     {"linear", "", "evenly spaced distances", "grid"},
     {"logit-scale", "", "apply the model's attention logit scale"},
     {"out", "curves.csv", "also write the curves as CSV"}},
    run}};

}  // namespace
}  // namespace rs::cli
