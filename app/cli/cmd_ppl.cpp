// `ropescope-cli ppl DIR --text-file F`: perplexity by position under the consecutive or sliding
// protocol, or (`--lengths`) a PPL-vs-length sweep over one or more checkpoints with a CSV and an
// overlaid figure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/cli/budget_notes.h"
#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "app/cli/ppl_figure.h"
#include "app/cli/progress_bar.h"
#include "app/cli/text_input.h"
#include "csv_writer.h"
#include "error.h"
#include "perplexity.h"
#include "rope_override.h"
#include "run_plan.h"

namespace rs::cli {
namespace {

struct PplOptions {
    // One, or for a sweep every folder under every --setting (folder-major), each with its own
    // RoPE override.
    std::vector<CheckpointChoice> checkpoints;
    std::vector<std::string> settings;  // --setting labels of a sweep; empty: the --rope-* options
    InputChoice input;
    std::optional<std::string> out;
    bool quiet = false, json = false;
    PplProtocol protocol = PplProtocol::Consecutive;
    int window = 0;  // consecutive: --context (0 = whole input); sliding: --window
    int stride = 0;  // sliding only
    int bucket = 64;
    std::vector<int> lengths;  // a sweep when not empty
    std::optional<std::string> figure;
    double dpi = 150.0;
};

void refuse(const Args& args, const std::string& option, const std::string& why) {
    if (args.get(option)) throw UsageError("--" + option + " " + why);
}

std::vector<int> parse_lengths(const std::string& text) {
    std::vector<int> out;
    for (const double v : parse_number_list(text, "lengths")) {
        if (v != std::floor(v) || v < 2 || v > 1 << 24)
            throw UsageError("--lengths expects whole token counts >= 2, got " + csv_number(v));
        if (std::find(out.begin(), out.end(), int(v)) != out.end())
            throw UsageError("--lengths lists " + csv_number(v) + " twice");
        out.push_back(int(v));
    }
    return out;
}

void parse_protocol(const Args& args, PplOptions& o) {
    const std::string p = args.get_or("protocol", "consecutive");
    if (p == "sliding") {
        o.protocol = PplProtocol::Sliding;
        refuse(args, "context",
               "is the consecutive protocol's window; give --window W with --protocol sliding");
        o.window = int(args.get_int("window", 4096));
        o.stride = int(args.get_int("stride", 512));
        if (o.window < 2) throw UsageError("--window must be >= 2 tokens");
        if (o.stride < 1) throw UsageError("--stride must be >= 1");
    } else if (p == "consecutive") {
        for (const char* s : {"window", "stride"})
            refuse(args, s, "belongs to --protocol sliding (the default protocol is consecutive)");
        o.window = int(args.get_int("context", 0));
        if (o.window < 0 || o.window == 1) throw UsageError("--context must be >= 2 tokens (or 0: the whole input)");
    } else {
        throw UsageError("--protocol must be consecutive or sliding, got '" + p + "'");
    }
}

// A sweep's --setting labels (study syntax: none, or key=value,... of docs/config-keys.md), each
// checked; they replace the single-override options rather than combine with them.
std::vector<std::string> parse_settings(const Args& args) {
    std::vector<std::string> out;
    for (const auto& label : args.get_all("setting")) {
        RopeOverride r;
        try {
            r = parse_rope_override(label);
        } catch (const UsageError& e) {
            throw UsageError("--setting " + label + ": " + e.what());
        }
        if (std::find(out.begin(), out.end(), r.label()) != out.end())
            throw UsageError("--setting " + label + " is given twice");
        out.push_back(r.label());
    }
    if (!out.empty())
        for (const char* single : {"rope-theta", "pi-factor", "yarn-factor"})
            refuse(args, single, "sets one override; with --setting, write it as a setting (e.g. --setting pi_factor=4)");
    return out;
}

// Every option checked before a checkpoint opens.
PplOptions parse(const Args& args) {
    PplOptions o;
    const ModelRunChoice run = parse_model_run(args);
    o.input = run.input;
    o.out = run.out;
    o.quiet = run.quiet;
    o.json = run.json;
    parse_protocol(args, o);
    o.bucket = int(args.get_int("bucket", 64));
    if (o.bucket < 1) throw UsageError("--bucket must be >= 1");
    o.settings = parse_settings(args);
    for (const std::string& dir : operands(args)) {  // every folder but the -o pair
        CheckpointChoice c = run.checkpoint;
        c.dir = dir;
        if (o.settings.empty()) o.checkpoints.push_back(c);
        for (const auto& label : o.settings) {
            c.options.config.rope_override = parse_rope_override(label);
            o.checkpoints.push_back(c);
        }
    }
    if (auto l = args.get("lengths")) {
        o.lengths = parse_lengths(*l);
        refuse(args, "context", "does not apply to a sweep: each of --lengths is its window");
        refuse(args, "window", "does not apply to a sweep: each of --lengths is its window");
        refuse(args, "bucket", "does not apply to a sweep (it prints one row per length)");
        if (o.protocol == PplProtocol::Sliding && o.stride > *std::min_element(o.lengths.begin(), o.lengths.end()))
            throw UsageError("--stride " + std::to_string(o.stride) + " is longer than the shortest of --lengths");
        if (auto f = args.get("figure")) {
            check_ppl_figure_path(*f);
            o.figure = *f;
        }
        refuse(args, "dpi", "applies to a --figure only");
        if (o.figure) o.dpi = args.get_double("dpi", 150.0);
    } else {
        refuse(args, "figure", "draws a sweep: give --lengths 512,1024,...");
        refuse(args, "setting", "belongs to a sweep (--lengths); one run takes --rope-theta, --pi-factor, --yarn-factor");
        refuse(args, "dpi", "applies to a sweep's --figure only");
        if (o.checkpoints.size() > 1)
            throw UsageError("several checkpoints make a sweep: give --lengths 512,1024,... (got " +
                             std::to_string(o.checkpoints.size()) + " folders)");
        if (o.protocol == PplProtocol::Sliding && o.stride > o.window)
            throw UsageError("--stride must not exceed --window");
    }
    return o;
}

PositionNllOptions core_options(const PplOptions& o) {
    PositionNllOptions opt;
    opt.protocol = o.protocol;
    opt.context = o.window;
    if (o.protocol == PplProtocol::Sliding) opt.stride = o.stride;
    return opt;
}

std::string protocol_line(const PplOptions& o, int window) {
    return ppl_protocol_text(o.protocol, window, o.stride);
}

int run_single(const PplOptions& o) {
    const auto ck = open_checkpoint(o.checkpoints.front());
    const TraceTokens in = read_input(o.input, *ck);
    PositionNllOptions opt = core_options(o);
    const int T = int(in.ids.size());
    const int window = opt.context > 0 ? std::min(opt.context, T) : T;
    // Several windows reuse the converted layers.
    const RunBudget budget =
        check_run_budget(*ck, forward_plan(window, window < T), o.quiet || o.json);
    Model model(ck, budget.plan.layers_resident);
    ProgressBar bar("windows", o.quiet);
    opt.progress = bar.callback();
    const auto r = nll_by_position(model, in.ids, opt);
    if (o.out)
        write_output_file(*o.out, [&](std::ostream& f) {
            f << "position,mean_nll,windows\n";
            for (std::size_t t = 0; t < r.mean_nll.size(); ++t)
                f << t << ',' << r.mean_nll[t] << ',' << r.count[t] << '\n';
        });
    if (o.json) {
        nlohmann::json j{{"tokens", in.ids.size()},
                         {"protocol", ppl_protocol_name(r.protocol)},
                         {"context", r.context},
                         {"windows", r.windows},
                         {"scored", r.scored},
                         {"mean_nll", r.mean},
                         {"perplexity", std::exp(r.mean)},
                         {"nll_by_position", r.mean_nll},
                         {"count", r.count}};
        if (r.protocol == PplProtocol::Sliding) j["stride"] = r.stride;
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("protocol: %s\n", protocol_line(o, r.context).c_str());
    std::printf("%zu tokens in %d window(s) of %d, %ld scored; mean NLL %.4f, perplexity %.3f\n\n",
                in.ids.size(), r.windows, r.context, r.scored, r.mean, std::exp(r.mean));
    std::printf("positions        mean_nll  perplexity\n");
    for (int a = 0; a < int(r.mean_nll.size()); a += o.bucket) {
        const int b = std::min<int>(a + o.bucket, int(r.mean_nll.size()));
        if (std::all_of(r.count.begin() + a, r.count.begin() + b, [](int c) { return c == 0; })) continue;
        const double m = r.range_mean(a, b);
        std::printf("%6d-%-6d  %9.4f  %10.3f\n", a, b - 1, m, std::exp(m));
    }
    return 0;
}

std::string input_text(const InputChoice& in) {
    std::string s;
    switch (in.source) {
        case InputChoice::Source::TextFile: s = "text file " + in.value; break;
        case InputChoice::Source::Text: s = "--text (" + std::to_string(in.value.size()) + " bytes)"; break;
        case InputChoice::Source::Ids: s = "--ids (" + std::to_string(in.ids.size()) + " ids)"; break;
        case InputChoice::Source::IdsFile: s = "ids file " + in.value; break;
    }
    if (in.max_tokens > 0) s += ", first " + std::to_string(in.max_tokens) + " tokens";
    return s;
}

struct SweepEntry {
    std::shared_ptr<const Checkpoint> checkpoint;
    std::string dir, variant;
    std::string setting;  // the RoPE override's label, "none" without one
    TraceTokens tokens;
    std::vector<LengthNll> points;
};

std::string sweep_protocol(const PplOptions& o) {
    return o.protocol == PplProtocol::Sliding
               ? "sliding window of L tokens, stride " + std::to_string(o.stride) +
                     " (each window after the first scores its last " + std::to_string(o.stride) + " tokens)"
               : "consecutive windows of L tokens (a last partial window left out)";
}

void write_sweep_csv(std::ostream& f, const PplOptions& o, const std::vector<SweepEntry>& entries) {
    CsvWriter w(f);
    w.comment("ropescope-cli ppl sweep: perplexity by evaluation length L");
    w.comment("text: " + input_text(o.input));
    w.comment("protocol: " + sweep_protocol(o));
    for (const auto& e : entries)
        w.comment("tokens: " + e.dir + " " + std::to_string(e.tokens.ids.size()));
    w.row({"checkpoint", "variant", "setting", "protocol", "length", "windows", "tokens_scored",
           "mean_nll", "ppl"});
    for (const auto& e : entries)
        for (const auto& p : e.points)
            w.row({e.dir, e.variant, e.setting, ppl_protocol_name(o.protocol),
                   std::to_string(p.length), std::to_string(p.windows), std::to_string(p.scored),
                   csv_number(p.mean_nll), csv_number(std::exp(p.mean_nll))});
}

std::vector<std::string> figure_parameters(const PplOptions& o, const std::vector<SweepEntry>& entries) {
    std::string cks, tokens, settings;
    std::vector<std::string> seen;
    for (const auto& e : entries) {
        if (std::find(seen.begin(), seen.end(), e.dir) != seen.end()) continue;  // one per folder
        seen.push_back(e.dir);
        const std::string name = std::filesystem::path(e.dir).filename().string();
        cks += (cks.empty() ? "" : ", ") + name + " (" + e.variant + ")";
        tokens += (tokens.empty() ? "" : ", ") + name + " " + std::to_string(e.tokens.ids.size());
    }
    std::vector<std::string> labels;
    for (const auto& e : entries)
        if (std::find(labels.begin(), labels.end(), e.setting) == labels.end()) {
            labels.push_back(e.setting);
            settings += (settings.empty() ? "" : "; ") + e.setting;
        }
    return {"checkpoints: " + cks, "text: " + input_text(o.input), "tokens: " + tokens,
            "protocol: " + sweep_protocol(o), "RoPE setting: " + settings};
}

// A figure's legend entry: the folder and variant, and the setting when the sweep has several or
// runs with an override.
std::string series_name(const PplOptions& o, const SweepEntry& e) {
    std::string name = std::filesystem::path(e.dir).filename().string() + " (" + e.variant + ")";
    if (o.settings.size() > 1 || e.setting != "none") name += ", " + e.setting;
    return name;
}

int run_sweep(const PplOptions& o) {
    // Open and tokenize everything first: a length longer than any text fails before a run.
    std::vector<SweepEntry> entries;
    const int longest = *std::max_element(o.lengths.begin(), o.lengths.end());
    for (const auto& c : o.checkpoints) {
        SweepEntry e;
        e.checkpoint = open_checkpoint(c);
        e.dir = c.dir;
        e.variant = variant_name(e.checkpoint->variant());
        e.setting = c.options.config.rope_override.label();
        e.tokens = read_input(o.input, *e.checkpoint);
        if (int(e.tokens.ids.size()) < longest)
            throw UsageError(c.dir + ": the text has " + std::to_string(e.tokens.ids.size()) +
                             " tokens, fewer than the sweep length " + std::to_string(longest));
        entries.push_back(std::move(e));
    }
    for (auto& e : entries) {
        const RunBudget budget = check_run_budget(*e.checkpoint, forward_plan(longest, true), o.quiet || o.json);
        Model model(e.checkpoint, budget.plan.layers_resident);
        ProgressBar bar("windows", o.quiet);
        PositionNllOptions opt = core_options(o);
        opt.progress = bar.callback();
        e.points = nll_by_length(model, e.tokens.ids, o.lengths, opt);
    }
    if (o.out) write_output_file(*o.out, [&](std::ostream& f) { write_sweep_csv(f, o, entries); });
    if (o.figure) {
        std::vector<PplFigureSeries> series;
        for (const auto& e : entries) {
            PplFigureSeries s{series_name(o, e), {}};
            for (const auto& p : e.points) s.points.emplace_back(p.length, p.mean_nll);
            series.push_back(std::move(s));
        }
        write_ppl_figure(*o.figure, o.dpi, series, figure_parameters(o, entries));
    }
    if (o.json) {
        nlohmann::json rows = nlohmann::json::array();
        for (const auto& e : entries)
            for (const auto& p : e.points)
                rows.push_back({{"checkpoint", e.dir}, {"variant", e.variant}, {"setting", e.setting},
                                {"tokens", e.tokens.ids.size()}, {"length", p.length},
                                {"windows", p.windows}, {"tokens_scored", p.scored},
                                {"mean_nll", p.mean_nll}, {"perplexity", std::exp(p.mean_nll)}});
        nlohmann::json j{{"protocol", ppl_protocol_name(o.protocol)}, {"points", rows}};
        if (o.protocol == PplProtocol::Sliding) j["stride"] = o.stride;
        std::cout << j.dump() << "\n";
        return 0;
    }
    std::printf("protocol: %s\n\n", sweep_protocol(o).c_str());
    std::printf("%-28s %-10s %-16s %7s %7s %8s %9s %10s\n", "checkpoint", "variant", "setting",
                "length", "windows", "scored", "mean_nll", "perplexity");
    for (const auto& e : entries)
        for (const auto& p : e.points)
            std::printf("%-28s %-10s %-16s %7d %7d %8ld %9.4f %10.3f\n",
                        std::filesystem::path(e.dir).filename().c_str(), e.variant.c_str(), e.setting.c_str(),
                        p.length, p.windows, p.scored, p.mean_nll, std::exp(p.mean_nll));
    return 0;
}

int run(const Args& args) {
    const PplOptions o = parse(args);
    return o.lengths.empty() ? run_single(o) : run_sweep(o);
}

const Command::Register reg{Command{
    "ppl", "DIR [DIR ...]",
    "Perplexity by position (consecutive or sliding windows), or by evaluation length over "
    "several checkpoints (--lengths).",
    join_options(
        {input_options(),
         {{"protocol", "consecutive|sliding",
           "consecutive (default): non-overlapping windows; sliding: upstream rope_pp's window W, "
           "stride S, scoring each window's last S tokens (the first window all of its)"},
          {"context", "N", "consecutive: window length in tokens (default: the whole input, one window)"},
          {"window", "4096", "sliding: window length W (default 4096)"},
          {"stride", "512", "sliding: tokens scored per window after the first (default 512)"},
          {"lengths", "512,1024,...",
           "a sweep: for each L, mean NLL over the text's full windows of L tokens under the "
           "protocol (consecutive: floor(T/L) windows; sliding: window L); several DIRs allowed"},
          {"setting", "LABEL",
           "sweep: a RoPE setting to run every DIR with (none, or rope_theta=X, pi_factor=F, "
           "yarn_factor=F, yarn_hf_factor=F, ntk_factor=F joined by commas, as in `study`); repeat "
           "for several, one line each"},
          {"figure", "FIG", "sweep: also draw perplexity against length, one line per checkpoint and setting "
                            "(.png, .svg, .pdf)"},
          {"dpi", "150", "sweep: resolution of a .png --figure"},
          {"bucket", "64", "positions per printed row"},
          {"out", "nll.csv", "also write the NLL by position (a sweep: the sweep's rows) as CSV"}},
         checkpoint_options(),
         quiet_option()}),
    run}};

}  // namespace
}  // namespace rs::cli
