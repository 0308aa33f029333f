// Headless rendering: one view widget, fed and exported exactly as the GUI does it, no window.
#include "headless_render.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "error.h"
#include "attention_view.h"
#include "compare_view.h"
#include "curves_view.h"
#include "figure_export.h"
#include "heads_view.h"
#include "long_range_view.h"
#include "noise_view.h"
#include "perplexity_view.h"
#include "session.h"
#include "trace_views.h"

namespace rs::ui {

namespace {

// The attention view picks its exact-tile resolution from its on-screen size: lay it out as a
// roomy main-window tab would be, so the tiles match what a user typically exports.
constexpr QSize kAttentionWidgetSize{1500, 620};
// Exact tiles of the largest zoom (kExactSpan positions) take well under a second; a minute means
// something is wrong, and a headless job should say so rather than hang.
constexpr int kTileDeadlineMs = 120'000;

constexpr std::array<std::pair<RenderView, const char*>, 7> kViewNames{{
    {RenderView::Attention, "attention"},
    {RenderView::Heads, "heads"},
    {RenderView::Curves, "curves"},
    {RenderView::LongRange, "long-range"},
    {RenderView::Perplexity, "perplexity"},
    {RenderView::Noise, "noise"},
    {RenderView::Compare, "compare"},
}};

std::string str(int v) {
    return std::to_string(v);
}

void check_range(const char* what, int value, int first, int last) {
    if (value < first || value > last)
        throw UsageError(std::string(what) + " " + str(value) + " is out of range: the trace has " +
                         what + "s " + str(first) + ".." + str(last));
}

TraceBundle open_trace(const RenderRequest& r) {
    if (r.trace.empty())
        throw UsageError("the " + render_view_name(r.view) + " view needs a trace (run.h5)");
    return open_trace_bundle(r.trace);
}

// Index of threshold D in `thresholds`, or a UsageError listing the ones there are.
int threshold_index(const std::vector<int>& thresholds, int D) {
    const auto it = std::find(thresholds.begin(), thresholds.end(), D);
    if (it != thresholds.end()) return int(it - thresholds.begin());
    std::string list;
    for (int t : thresholds) list += (list.empty() ? "" : ",") + str(t);
    throw UsageError("--threshold " + str(D) + " was not measured; the run has D = " + list);
}

// Runs the event loop until the attention view shows all it asked for: overviews and the exact
// tile the viewport wants arrive from a worker thread.
void wait_until_settled(const AttentionView& view) {
    QEventLoop loop;
    QTimer poll;
    QElapsedTimer clock;
    clock.start();
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (view.settled() || !view.tile_error().isEmpty() || clock.elapsed() > kTileDeadlineMs)
            loop.quit();
    });
    poll.start(5);
    loop.exec();
    if (!view.tile_error().isEmpty())
        throw Error("cannot compute the attention maps: " + view.tile_error().toStdString());
    if (!view.settled()) throw Error("timed out waiting for the attention maps");
}

// `trace`: the trace the figure was drawn from, if any; its warnings are read after drawing,
// because lazy reads (tiles, NLL) add to them.
RenderResult write(const Exportable& figure, const RenderRequest& r, const TraceBundle* trace) {
    FigureExportOptions options;
    options.dpi = r.dpi;
    export_figure(figure, QString::fromStdString(r.output), options);
    RenderResult done{figure.figure_name(), exported_figure_size(figure), {}};
    if (trace && trace->reader) done.warnings = trace->reader->warnings();
    return done;
}

RenderResult render_attention(const RenderRequest& r) {
    const TraceBundle trace = open_trace(r);
    const TraceMeta& meta = trace.reader->meta();
    AttentionView view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.resize(kAttentionWidgetSize);
    view.show();
    show_trace(view, trace);
    const int layer = r.layer.value_or(0);
    check_range("layer", layer, 0, meta.layers - 1);
    if (r.head) {
        check_range("head", *r.head, 0, meta.layout.analysis_heads() - 1);
        view.show_head(layer, *r.head);
    } else {
        view.show_head(layer, view.head());  // the first real head, which set_source picked
    }
    if (r.positions) {
        const auto [first, last] = *r.positions;
        if (first < 0 || last > meta.tokens || first >= last)
            throw UsageError("--positions " + str(first) + ":" + str(last) +
                             " is not a range inside the trace's 0:" + str(meta.tokens));
        view.set_viewport({first, last, first, last, 1});
    }
    wait_until_settled(view);
    return write(view, r, &trace);
}

RenderResult render_heads(const RenderRequest& r) {
    const TraceBundle trace = open_trace(r);
    HeadsView view;
    show_trace(view, trace);
    if (r.threshold)
        view.set_threshold_index(threshold_index(trace.reader->stats().thresholds, *r.threshold));
    view.flush();
    return write(view, r, &trace);
}

void apply(const CurveOverrides& o, DecaySettings& s) {
    if (o.bases) s.bases = *o.bases;
    if (o.head_dim) s.head_dim = *o.head_dim;
    if (o.partial_rotary) s.partial_rotary = *o.partial_rotary;
    if (o.scaling) {
        s.scaling = *o.scaling;
        s.factor = o.factor;
    }
    if (o.max_distance) s.max_distance = *o.max_distance;
    if (o.log_distance) s.log_distance = *o.log_distance;
}

// The view's controls clamp and round what they are given (the same limits a user has in the
// GUI); a setting they cannot hold is an error, not a silently different figure.
void check_kept(const DecaySettings& asked, const DecaySettings& got) {
    auto check = [](bool kept, const std::string& what) {
        if (!kept) throw UsageError(what + " is outside what the curves view takes");
    };
    check(asked.head_dim == got.head_dim, "--head-dim " + str(asked.head_dim) + " (2..1024)");
    check(std::abs(asked.partial_rotary - got.partial_rotary) < 1e-9,
          "--partial (0.01..1, 3 decimals)");
    check(std::abs(asked.factor - got.factor) < 1e-9, "the scaling factor (1..1024, 2 decimals)");
    check(asked.max_distance == got.max_distance, "--max-distance (2..2097152, whole positions)");
}

RenderResult render_curves(const RenderRequest& r) {
    CurvesView view;
    std::optional<TraceBundle> trace;
    if (!r.trace.empty()) {
        trace = open_trace_bundle(r.trace);
        show_trace(view, *trace);
    }
    DecaySettings s = view.settings().value_or(DecaySettings{});
    apply(r.curves, s);
    view.set_settings(s);
    check_kept(s, view.settings().value_or(DecaySettings{}));
    if (!r.curves.overlay_heads.empty()) {
        if (!trace) throw UsageError("--overlay needs a trace to take the heads' curves from");
        const TraceMeta& meta = trace->reader->meta();
        for (const auto& [layer, head] : r.curves.overlay_heads) {
            check_range("layer", layer, 0, meta.layers - 1);
            check_range("head", head, 0, meta.layout.analysis_heads() - 1);
        }
        view.set_overlay_heads(r.curves.overlay_heads);
    }
    view.flush();
    if (!view.error().isEmpty()) throw UsageError(view.error().toStdString());
    return write(view, r, trace ? &*trace : nullptr);
}

RenderResult render_long_range(const RenderRequest& r) {
    const TraceBundle trace = open_trace(r);
    LongRangeView view;
    show_trace(view, trace);
    if (r.layer) {
        if (*r.layer != -1) check_range("layer", *r.layer, 0, trace.reader->meta().layers - 1);
        view.set_layer(*r.layer);
    }
    view.set_show_heads(r.show_heads);
    view.flush();
    return write(view, r, &trace);
}

RenderResult render_perplexity(const RenderRequest& r) {
    const TraceBundle trace = open_trace(r);
    PerplexityView view;
    show_trace(view, trace);
    if (r.loss_scale) view.set_scale(*r.loss_scale);
    if (r.smoothing) {
        if (*r.smoothing < 1) throw UsageError("--smoothing must be at least 1 position");
        view.set_smoothing(*r.smoothing);
        if (view.smoothing() != *r.smoothing)
            throw UsageError("--smoothing " + str(*r.smoothing) +
                             " is larger than the view allows");
    }
    view.flush();
    return write(view, r, &trace);
}

RenderResult render_noise(const RenderRequest& r) {
    NoiseView view;
    std::optional<TraceBundle> trace;
    if (r.noise) {
        view.set_sweep(&*r.noise, r.noise_layout ? &*r.noise_layout : nullptr);
        view.set_figure_source(r.noise_source);
    } else {
        trace = open_trace(r);
        if (trace->noise.empty())
            throw UsageError(r.trace +
                             " holds no noise sweep: trace with --noise 0.5,1,2, or render a "
                             "checkpoint folder with --text-file and --sigma");
        show_trace(view, *trace);
    }
    const NoiseSweep& sweep = r.noise ? *r.noise : trace->noise.back();
    if (r.threshold) view.set_threshold_index(threshold_index(sweep.thresholds, *r.threshold));
    view.flush();
    return write(view, r, trace ? &*trace : nullptr);
}

// The choices of `r` applied to `view`; a choice the chosen figure does not read, or a name the
// study does not hold, is a UsageError naming the option.
void apply_compare(const CompareChoice& c, CompareView& view) {
    const auto named = compare_figure_named(QString::fromStdString(c.figure.value_or("mass")));
    if (!named)
        throw UsageError("--figure must be one of " + compare_figure_list().toStdString() +
                         ", got '" + *c.figure + "'");
    const CompareFigure figure = *named;
    const std::string name = compare_figure_name(figure).toStdString();
    auto refuse = [&](const std::optional<std::string>& given, const char* option, CompareFigure reads) {
        if (given && figure != reads)
            throw UsageError(std::string("--") + option + " does not apply to the compare view's " + name +
                             " figure");
    };
    refuse(c.family, "family", CompareFigure::Mass);
    refuse(c.parts, "part", CompareFigure::Mass);
    refuse(c.statistic, "statistic", CompareFigure::Twins);
    view.set_figure(figure);
    if (c.family && !view.set_family(QString::fromStdString(*c.family)))
        throw UsageError("--family " + *c.family + " is not in the study; it has " +
                         mass_families(view.study()->header()).join(", ").toStdString());
    if (c.parts) {
        const auto parts = compare_parts_named(QString::fromStdString(*c.parts));
        if (!parts) throw UsageError("--part must be both, real or imag, got '" + *c.parts + "'");
        view.set_parts(*parts);
    }
    if (c.setting && (c.setting->empty() || !view.set_setting(QString::fromStdString(*c.setting))))
        throw UsageError("--setting " + *c.setting + " is not a setting of the study");
    if (c.statistic && !view.set_statistic(QString::fromStdString(*c.statistic)))
        throw UsageError("--statistic " + *c.statistic + " is not a statistic of the study (see `ropescope-cli study show`)");
}

RenderResult render_compare(const RenderRequest& r) {
    if (r.study.empty()) throw UsageError("the compare view needs a study file (ropescope-cli study -o study.h5)");
    CompareView view;
    view.set_study(std::make_shared<const StudyComparison>(
        load_study_comparison(QString::fromStdString(r.study))));
    apply_compare(r.compare, view);
    view.flush();
    return write(view, r, nullptr);
}

}  // namespace

std::optional<RenderView> render_view_named(const std::string& name) {
    for (const auto& [view, text] : kViewNames)
        if (name == text) return view;
    return std::nullopt;
}

std::string render_view_name(RenderView view) {
    for (const auto& [v, text] : kViewNames)
        if (v == view) return text;
    return {};
}

std::string render_view_list() {
    std::string list;
    for (const auto& [view, text] : kViewNames)
        list += (list.empty() ? "" : ", ") + std::string(text);
    return list;
}

void check_render_output(const std::string& path) {
    if (path.empty()) throw UsageError("no output file given");
    if (!figure_format_for(QString::fromStdString(path)))
        throw UsageError(path +
                         ": unknown figure format; use a .png, .svg, .pdf or .csv file name");
    const QFileInfo info(QString::fromStdString(path));
    if (!info.absoluteDir().exists())
        throw FileError(
            path, "cannot write: folder " + info.absolutePath().toStdString() + " does not exist");
    if (info.isDir()) throw FileError(path, "is a folder");
}

RenderResult render_to_file(const RenderRequest& request) {
    // Checked first: a bad file name should not cost a trace load or a tile computation.
    check_render_output(request.output);
    switch (request.view) {
        case RenderView::Attention:
            return render_attention(request);
        case RenderView::Heads:
            return render_heads(request);
        case RenderView::Curves:
            return render_curves(request);
        case RenderView::LongRange:
            return render_long_range(request);
        case RenderView::Perplexity:
            return render_perplexity(request);
        case RenderView::Noise:
            return render_noise(request);
        case RenderView::Compare:
            return render_compare(request);
    }
    throw UsageError("unknown view");
}

}  // namespace rs::ui
