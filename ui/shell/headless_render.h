// Renders one view to a file without a window (`ropescope-cli render`): it builds the very view
// widget the GUI shows, feeds it through ui/shell/trace_views.h, waits for its data and writes it with
// ui/export/figure_export.h, so a headless figure and a GUI export of the same state are the same file.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QSizeF>
#include <QString>

#include "head_layout.h"
#include "noise_experiment.h"
#include "decay_curves.h"
#include "exportable.h"
#include "perplexity_view.h"

namespace rs::ui {

enum class RenderView { Attention, Heads, Curves, LongRange, Perplexity, Noise, Compare };

// "attention", "heads", "curves", "long-range", "perplexity", "noise", "compare"; nullopt for
// anything else.
std::optional<RenderView> render_view_named(const std::string& name);
std::string render_view_name(RenderView view);
std::string render_view_list();  // "attention, heads, curves, long-range, perplexity, noise, compare"

// Decay-curve settings given on the command line; unset ones keep the view's value (the traced
// model's RoPE when a trace is open, else the view's defaults).
struct CurveOverrides {
    std::optional<std::vector<double>> bases;
    std::optional<int> head_dim;
    std::optional<double> partial_rotary;
    std::optional<DecayScaling> scaling;  // with factor
    double factor = 1.0;
    std::optional<double> max_distance;
    std::optional<bool> log_distance;
    std::vector<std::pair<int, int>> overlay_heads;  // (layer, head) measured curves to overlay
};

// The compare view's choices (compare_figure.h names); unset ones keep the view's default (the
// M(D) figure of family "M", both head kinds; statistic "mean_distance"). A choice the figure
// does not read is refused by name.
struct CompareChoice {
    std::optional<std::string> figure;     // mass, twins, nll
    std::optional<std::string> family;     // mass: "M", "M_ex4", "inside_M", ...
    std::optional<std::string> parts;      // mass: both, real, imag
    std::optional<std::string> statistic;  // twins: a statistic column of the study
    std::optional<std::string> setting;    // every figure: the one setting drawn (default all)
};

struct RenderRequest {
    RenderView view = RenderView::Attention;
    std::string trace;   // trace file; may be empty for the curves view and a given noise sweep
    std::string study;   // compare: the study file (`ropescope-cli study`)
    std::string output;  // the format follows the extension: .png .svg .pdf .csv
    double dpi = 150.0;  // PNG only

    // attention: layer (default 0) and any head of the pair (default: the first real head);
    // long-range: layer, or -1 (default) for the mean over layers.
    std::optional<int> layer;
    std::optional<int> head;
    std::optional<std::pair<int, int>> positions;  // attention: zoom to [first, last) squared
    std::optional<int> threshold;                  // heads, noise: the D of M(D)
    bool show_heads = false;                       // long-range: a thin line per head
    std::optional<LossScale> loss_scale;           // perplexity
    std::optional<int> smoothing;                  // perplexity: moving-average window
    CurveOverrides curves;
    // A sweep run by the caller, shown instead of the trace's stored one (`layout` says which
    // imaginary heads are virtual).
    std::optional<NoiseSweep> noise;
    std::optional<HeadLayout> noise_layout;
    FigureSource noise_source;  // the model and tokens that sweep ran with
    CompareChoice compare;
};

struct RenderResult {
    QString figure_name;  // e.g. "attention_L0_H0"
    QSizeF size;          // in points
    std::vector<std::string> warnings;  // the trace's: data usable but suspicious (TraceReader)
};

// Throws rs::UsageError when `path` names no figure format (.png .svg .pdf .csv) and
// rs::FileError when its folder does not exist: checked before any long work.
void check_render_output(const std::string& path);

// Needs a QApplication (any platform; offscreen is enough). Throws rs::UsageError for a request
// that does not fit the data (layer or head out of range, a threshold the run did not measure,
// no data for the view), rs::FileError for an unreadable trace or an unwritable output, and
// rs::Error when the attention tiles cannot be computed; rs::FileError naming the study file for
// one that is not a study or is damaged.
RenderResult render_to_file(const RenderRequest& request);

}  // namespace rs::ui
