// Noise grid and seed options, and the tidy table of noise sweeps with their seed intervals.
#include "app/cli/noise_args.h"

#include <cmath>

#include "csv_writer.h"
#include "error.h"
#include "noise_summary.h"

namespace rs::cli {

std::vector<double> parse_sigmas(const std::string& text, const std::string& option) {
    if (text == "paper") return paper_sigmas();
    return parse_number_list(text, option);
}

std::optional<std::vector<double>> sigma_option(const Args& args) {
    const auto a = args.get("sigma"), b = args.get("sigmas");
    if (a && b) throw UsageError("give --sigma or --sigmas, not both");
    if (a) return parse_sigmas(*a, "sigma");
    if (b) return parse_sigmas(*b, "sigmas");
    return std::nullopt;
}

std::vector<std::uint64_t> parse_seeds(const Args& args) {
    const std::uint64_t first = std::uint64_t(args.get_int("seed", 0));
    if (args.get_int("seed", 0) < 0) throw UsageError("--seed must be >= 0");
    const auto s = args.get("seeds");
    if (!s) return {first};
    std::vector<std::uint64_t> out;
    if (s->find(',') == std::string::npos) {
        const long n = args.get_int("seeds", 1);
        if (n < 1 || n > 1000) throw UsageError("--seeds N must be between 1 and 1000, got " + *s);
        for (long i = 0; i < n; ++i) out.push_back(first + std::uint64_t(i));
        return out;
    }
    if (args.get("seed")) throw UsageError("--seed does not apply with a --seeds list (the list names every seed)");
    for (double v : parse_number_list(*s, "seeds")) {
        if (v != std::floor(v) || v > 9.0e15) throw UsageError("--seeds expects whole numbers, got " + csv_number(v));
        for (std::uint64_t x : out)
            if (x == std::uint64_t(v)) throw UsageError("--seeds lists " + csv_number(v) + " twice");
        out.push_back(std::uint64_t(v));
    }
    return out;
}

std::vector<Option> noise_grid_options(const std::string& prefix) {
    return {{"sigma", "0.5,1,2|paper", prefix + "noise standard deviations, one run each; paper: 0.2,0.4,...,1.4,1.5", "sigma"},
            {"sigmas", "0.5,1,2|paper", prefix + "the same as --sigma", "sigma"},
            {"seed", "N", prefix + "random seed (default 0; the first of --seeds N)"},
            {"seeds", "N|A,B,C", prefix + "N seeds from --seed on, or these seeds; 95% t intervals over them"}};
}

namespace {

nlohmann::json jnum(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

std::pair<std::string, nlohmann::json> num(double v) {
    return {csv_number(v), jnum(v)};
}

std::pair<std::string, nlohmann::json> text(const std::string& s) {
    return {s, s};
}

std::string seed_list(const std::vector<std::uint64_t>& seeds) {
    std::string s;
    for (auto v : seeds) s += (s.empty() ? "" : " ") + std::to_string(v);
    return s;
}

struct Row {
    std::string quantity, from, to;
    long tokens = -1;  // -1: not a bucket
    const SeedInterval* ci;
};

}  // namespace

std::vector<std::string> noise_table_header() {
    return {"experiment", "seeds", "target", "sigma", "quantity", "bucket_from", "bucket_to",
            "tokens", "n", "mean", "sd", "ci95_lo", "ci95_hi"};
}

std::vector<NoiseCells> noise_table_rows(std::span<const NoiseSweep> sweeps) {
    std::vector<NoiseCells> out;
    const auto summaries = summarize_noise(sweeps);
    for (std::size_t e = 0; e < summaries.size(); ++e) {
        const NoiseSummary& s = summaries[e];
        const NoiseSweep& d = *s.first;
        for (const NoiseSummaryPoint& p : s.points) {
            std::vector<Row> rows{{"mean_nll", "", "", -1, &p.mean_nll}, {"delta_nll", "", "", -1, &p.delta_nll}};
            for (std::size_t k = 0; k < p.delta_nll_by_position.size(); ++k)
                rows.push_back({"delta_nll_by_position", std::to_string(d.position_edges[k]),
                                std::to_string(d.position_edges[k + 1]), d.position_tokens[k], &p.delta_nll_by_position[k]});
            for (std::size_t k = 0; k < p.delta_nll_by_distance.size(); ++k) {
                const bool first = k + 1 == p.delta_nll_by_distance.size();
                rows.push_back({"delta_nll_by_distance", first ? "first occurrence" : std::to_string(d.distance_edges[k]),
                                first ? "" : std::to_string(d.distance_edges[k + 1]), d.distance_tokens[k], &p.delta_nll_by_distance[k]});
            }
            for (std::size_t k = 0; k < d.thresholds.size(); ++k) {
                rows.push_back({"M_real_" + std::to_string(d.thresholds[k]), "", "", -1, &p.mass_real[k]});
                rows.push_back({"M_imag_" + std::to_string(d.thresholds[k]), "", "", -1, &p.mass_imag[k]});
            }
            for (const Row& r : rows) {
                NoiseCells c{{std::to_string(e), long(e)}, text(seed_list(s.seeds)), text(noise_target_name(p.target)),
                             num(p.sigma), text(r.quantity), text(r.from), text(r.to)};
                c.push_back(r.tokens < 0 ? std::pair<std::string, nlohmann::json>{"", nullptr}
                                         : std::pair<std::string, nlohmann::json>{std::to_string(r.tokens), r.tokens});
                c.push_back({std::to_string(r.ci->n), r.ci->n});
                c.push_back(num(r.ci->mean));
                c.push_back(num(r.ci->sd));
                c.push_back(num(r.ci->lo));
                c.push_back(num(r.ci->hi));
                out.push_back(std::move(c));
            }
        }
    }
    return out;
}

}  // namespace rs::cli
