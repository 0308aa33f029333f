// `ropescope-cli render [run.h5 | DIR | study.h5] --view
// attention|heads|curves|long-range|perplexity|noise|compare -o fig.pdf`: a GUI view rendered headless to PNG/SVG/PDF/CSV through ui/shell/headless_render.h.
// This file only parses options; a checkpoint folder is accepted for the noise view, whose sweep
// needs model runs.
#include <QApplication>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/cli/budget_notes.h"
#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "app/cli/headless_app.h"
#include "app/cli/progress_bar.h"
#include "app/cli/text_input.h"
#include "error.h"
#include "headless_render.h"
#include "noise_run.h"

namespace rs::cli {
namespace {

using ui::RenderRequest;
using ui::RenderView;

// The input file or folder: the positional that is not the `-o PATH` pair (none for curves).
std::string input_path(const Args& args) {
    const std::vector<std::string> inputs = operands(args);
    if (inputs.size() > 1)
        throw UsageError("give one trace or checkpoint folder, got '" + inputs[1] + "' too");
    return inputs.empty() ? std::string() : inputs.front();
}

int parse_int(const std::string& text, const std::string& option) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end || v < -1'000'000'000L || v > 1'000'000'000L)
        throw UsageError("--" + option + " expects an integer, got '" + text + "'");
    return int(v);
}

// "a:b" for --positions, "L:H" for --overlay items.
std::pair<int, int> parse_pair(const std::string& text, const std::string& option) {
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw UsageError("--" + option + " expects A:B, got '" + text + "'");
    return {parse_int(text.substr(0, colon), option), parse_int(text.substr(colon + 1), option)};
}

std::optional<int> int_option(const Args& args, const std::string& name) {
    const auto v = args.get(name);
    if (!v) return std::nullopt;
    return parse_int(*v, name);
}

ui::CurveOverrides curve_overrides(const Args& args) {
    ui::CurveOverrides o;
    if (auto b = args.get("base")) {
        o.bases = rs::parse_number_list(*b, "--base", kDecayBaseBounds);
    }
    o.head_dim = int_option(args, "head-dim");
    if (o.head_dim && (*o.head_dim < 2 || *o.head_dim % 2))
        throw UsageError("--head-dim must be an even number >= 2");
    if (args.get("partial")) o.partial_rotary = args.get_double("partial", 1.0);
    if (args.get("factor") && args.get("yarn"))
        throw UsageError("--factor (linear interpolation) and --yarn exclude each other");
    if (args.get("factor")) {
        o.scaling = DecayScaling::Linear;
        o.factor = args.get_double("factor", 1.0);
    } else if (args.get("yarn")) {
        o.scaling = DecayScaling::Yarn;
        o.factor = args.get_double("yarn", 1.0);
    }
    if (o.scaling && !(o.factor >= 1.0)) throw UsageError("the scaling factor must be >= 1");
    if (args.get("max-distance")) o.max_distance = args.get_double("max-distance", 0);
    if (args.flag("log") && args.flag("linear"))
        throw UsageError("give --log or --linear, not both");
    if (args.flag("log") || args.flag("linear")) o.log_distance = args.flag("log");
    if (auto list = args.get("overlay")) {
        std::size_t pos = 0;
        while (pos <= list->size()) {
            const auto comma = list->find(',', pos);
            o.overlay_heads.push_back(parse_pair(list->substr(pos, comma - pos), "overlay"));
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    }
    return o;
}

std::optional<ui::LossScale> loss_scale(const Args& args) {
    const auto s = args.get("scale");
    if (!s) return std::nullopt;
    if (*s == "nll") return ui::LossScale::Nll;
    if (*s == "ppl") return ui::LossScale::Perplexity;
    throw UsageError("--scale must be nll or ppl, got '" + *s + "'");
}

// The noise view from a checkpoint folder: the sweep `ropescope-cli noise` runs, with its
// options parsed before the checkpoint opens.
struct NoiseRun {
    CheckpointChoice checkpoint;
    InputChoice input;
    NoiseOptions sweep;
};

NoiseRun parse_noise_run(const Args& args, const std::string& dir) {
    NoiseRun n;
    n.checkpoint = parse_checkpoint(args);
    n.checkpoint.dir = dir;
    n.input = parse_input(args);
    n.sweep.sigmas = parse_number_list(args.get_or("sigma", "0.5,1,2"), "sigma");
    n.sweep.targets = {NoiseTarget::Real, NoiseTarget::Imag};
    n.sweep.seed = std::uint64_t(args.get_int("seed", 0));
    return n;
}

void run_noise(const NoiseRun& n, bool quiet, RenderRequest& r) {
    const auto ck = open_checkpoint(n.checkpoint);
    const TraceTokens in = read_input(n.input, *ck);
    ProgressBar bar("noise runs", quiet);
    NoiseOptions opt = n.sweep;
    opt.progress = bar.callback();
    r.noise =
        run_noise_sweep(ck, in.ids, opt, [&](const RunBudget& b) { print_budget_notes(b, quiet); });
    r.noise_layout = ck->layout();
    r.noise_source.checkpoint =
        QString::fromStdString(std::filesystem::absolute(ck->dir()).lexically_normal().string());
    r.noise_source.variant = QString::fromStdString(variant_name(ck->layout().variant));
    r.noise_source.tokens = int(in.ids.size());
    for (const auto& line : provenance_lines(ck->config()))
        r.noise_source.rope_sources << QString::fromStdString(line);
}

RenderRequest parse_request(const Args& args) {
    RenderRequest r;
    const std::string view = args.get_or("view", "");
    const auto v = ui::render_view_named(view);
    if (!v)
        throw UsageError("--view must be one of " + ui::render_view_list() + ", got '" + view +
                         "'");
    r.view = *v;
    r.output = output_path(args, "give the output file with -o fig.png|svg|pdf|csv");
    r.dpi = args.get_double("dpi", 150.0);
    r.layer = int_option(args, "layer");
    r.head = int_option(args, "head");
    if (auto p = args.get("positions")) r.positions = parse_pair(*p, "positions");
    r.threshold = int_option(args, "threshold");
    r.show_heads = args.flag("per-head");
    r.loss_scale = loss_scale(args);
    r.smoothing = int_option(args, "smoothing");
    r.curves = curve_overrides(args);
    r.compare = {args.get("figure"), args.get("family"), args.get("part"), args.get("statistic"),
                 args.get("setting")};
    return r;
}

// The noise view from a checkpoint folder reads the model-input options too (text_input.h).
std::vector<std::string> noise_options() {
    // The RoPE overrides too (parse_checkpoint reads them): listed, so every other view refuses
    // them by name rather than drawing the stored data as if they applied.
    std::vector<std::string> names{"threshold", "variant",    "ignore-config-key", "sigma",
                                   "seed",      "quiet",      "rope-theta",        "pi-factor",
                                   "yarn-factor"};
    for (const auto& o : input_options()) names.push_back(o.name);
    return names;
}

// The options each view reads (besides --view, -o/--out, --dpi and --json).
const std::map<RenderView, std::vector<std::string>>& view_options() {
    static const std::map<RenderView, std::vector<std::string>> options{
        {RenderView::Attention, {"layer", "head", "positions"}},
        {RenderView::Heads, {"threshold"}},
        {RenderView::Curves,
         {"base", "head-dim", "partial", "factor", "yarn", "max-distance", "log", "linear",
          "overlay"}},
        {RenderView::LongRange, {"layer", "per-head"}},
        {RenderView::Perplexity, {"scale", "smoothing"}},
        {RenderView::Noise, noise_options()},
        {RenderView::Compare, {"figure", "family", "part", "statistic", "setting"}},
    };
    return options;
}

// Unknown options are usage errors; so are known ones the chosen view would silently ignore —
// including the model-run options of the noise view when it reads a trace's stored sweep.
void check_options(const Args& args) {
    std::vector<std::string> known{"json", "view", "out", "dpi"};
    for (const auto& [view, names] : view_options())
        known.insert(known.end(), names.begin(), names.end());
    const auto view = ui::render_view_named(args.get_or("view", ""));
    if (!view) return;  // parse_request names the problem
    const std::string input = input_path(args);
    const bool from_trace = !input.empty() && !std::filesystem::is_directory(input);
    const std::vector<std::string> trace_noise{"threshold"};
    const auto& mine =
        *view == RenderView::Noise && from_trace ? trace_noise : view_options().at(*view);
    for (const auto& name : known) {
        const bool given = args.get(name).has_value() || args.flag(name);
        const bool used = name == "json" || name == "view" || name == "out" || name == "dpi" ||
                          std::find(mine.begin(), mine.end(), name) != mine.end();
        if (given && !used && *view == RenderView::Noise)
            throw UsageError("--" + name +
                             " does not apply to the noise view of a trace, which shows the "
                             "sweep stored in it (a checkpoint folder runs a new one)");
        if (given && !used)
            throw UsageError("--" + name + " does not apply to the " + ui::render_view_name(*view) +
                             " view");
    }
}

struct RenderOptions {
    RenderRequest request;
    std::optional<NoiseRun> noise_run;  // the input is a checkpoint folder
    bool quiet = false, json = false;
};

// Every option checked before a trace loads or a model runs.
RenderOptions parse(const Args& args) {
    check_options(args);
    RenderOptions o;
    o.request = parse_request(args);
    const std::string input = input_path(args);
    if (!input.empty() && std::filesystem::is_directory(input)) {
        if (o.request.view == RenderView::Compare)
            throw UsageError(input + " is a folder; the compare view renders from a study file: "
                             "make one with `ropescope-cli study`");
        if (o.request.view != RenderView::Noise)
            throw UsageError(input + " is a checkpoint folder; the " +
                             ui::render_view_name(o.request.view) +
                             " view renders from a trace: make one with `ropescope-cli trace`");
        o.noise_run = parse_noise_run(args, input);
    } else if (o.request.view == RenderView::Compare) {
        o.request.study = input;
    } else {
        o.request.trace = input;
    }
    o.quiet = args.flag("quiet");
    o.json = args.flag("json");
    return o;
}

int run(const Args& args) {
    const RenderOptions o = parse(args);
    RenderRequest r = o.request;
    ui::check_render_output(r.output);  // before any model run or trace load
    const auto app = headless_app("render");
    if (o.noise_run) run_noise(*o.noise_run, o.quiet, r);
    const ui::RenderResult done = ui::render_to_file(r);
    print_warnings("render", done.warnings);
    if (o.json) {
        std::cout << nlohmann::json{{"output", r.output},
                                    {"view", ui::render_view_name(r.view)},
                                    {"figure", done.figure_name.toStdString()},
                                    {"width_pt", done.size.width()},
                                    {"height_pt", done.size.height()}}
                         .dump()
                  << "\n";
    } else {
        std::printf("wrote %s (%s, %g x %g pt)\n", r.output.c_str(),
                    done.figure_name.toUtf8().constData(), done.size.width(), done.size.height());
    }
    return 0;
}

// The model-input options, optional here: only the noise view of a checkpoint folder reads them.
std::vector<Option> noise_input_options() {
    std::vector<Option> options = input_options();
    for (auto& o : options) {
        o.required = false;
        o.help = "(DIR only, noise) " + o.help;
    }
    return options;
}

const Command::Register reg{Command{
    "render", "[run.h5 | DIR | study.h5] -o FIG",
    "Render a view of the desktop app headless to FIG (.png at --dpi, .svg, .pdf, or .csv of its "
    "data), with the same widgets and export code as the GUI.",
    join_options({{{"view", "attention|heads|curves|long-range|perplexity|noise|compare",
                    "the view to render", "view", true},
                   {"out", "FIG", "the output file (or -o FIG)"},
                   {"dpi", "150", "resolution of a .png"},
                   {"layer", "L", "attention, long-range: the layer"},
                   {"head", "H", "attention: the head"},
                   {"positions", "A:B", "attention: the positions shown"},
                   {"threshold", "D", "heads, noise: the distance D of M(D)"},
                   {"per-head", "", "long-range: one line per head"},
                   {"scale", "nll|ppl", "perplexity: the loss scale"},
                   {"smoothing", "N", "perplexity: moving average over N positions"},
                   {"base", "10000,500000", "curves: RoPE bases"},
                   {"head-dim", "128", "curves: head dimension"},
                   {"partial", "F", "curves: fraction of the head dimension rotated"},
                   {"factor", "8", "curves: linear position interpolation", "scaling"},
                   {"yarn", "32", "curves: YaRN scaling", "scaling"},
                   {"max-distance", "N", "curves: the largest distance"},
                   {"log", "", "curves: log-spaced distances", "grid"},
                   {"linear", "", "curves: evenly spaced distances", "grid"},
                   {"overlay", "L:H,...", "curves: overlay these heads of the trace"},
                   {"figure", "mass|twins|nll|position", "compare (study.h5): the figure (default mass)"},
                   {"family", "M", "compare mass: the M(D) columns (M, M_ex4, inside_M, ...)"},
                   {"part", "both|real|imag", "compare mass: the head kinds (default both)"},
                   {"statistic", "mean_distance", "compare twins: the statistic (default mean_distance)"},
                   {"setting", "LABEL", "compare: draw only this RoPE setting (default all)"}},
                  noise_input_options(),
                  {{"sigma", "0.5,1,2", "(DIR only, noise) noise standard deviations"},
                   {"seed", "N", "(DIR only, noise) random seed"}},
                  checkpoint_options(),
                  quiet_option()}),
    run}};

}  // namespace
}  // namespace rs::cli
