// Trace -> view wiring shared by the main window and the headless renderer.
#include "trace_views.h"

#include "model_config.h"
#include "attention_view.h"
#include "curves_view.h"
#include "heads_view.h"
#include "long_range_view.h"
#include "noise_view.h"
#include "perplexity_view.h"

namespace rs::ui {

RopeParams traced_rope(const TraceMeta& meta, const std::string& trace_path) {
    try {
        return parse_model_config(meta.config_json, trace_path, {meta.ignored_config_keys, meta.rope_override}).rope_params();
    } catch (const std::exception&) {
        // Older or hand-made traces: the RoPE fields the trace stores itself are enough.
        RopeParams p;
        p.theta = meta.rope_theta;
        p.head_dim = meta.layout.head_dim;
        p.partial_rotary_factor = meta.partial_rotary_factor;
        p.linear_factor = meta.linear_factor;
        p.yarn_factor = meta.yarn_factor;
        return p;
    }
}

double traced_local_theta(const TraceMeta& meta, const std::string& trace_path) {
    if (!meta.rope_local) return 0.0;
    try {
        return parse_model_config(meta.config_json, trace_path, {meta.ignored_config_keys, meta.rope_override})
            .rope_local_theta;
    } catch (const std::exception&) {
        return 0.0;  // the per-layer spectra still reach the overlays; no theory curve to name
    }
}

int traced_training_context(const TraceMeta& meta, const std::string& trace_path) {
    try {
        return parse_model_config(meta.config_json, trace_path, {meta.ignored_config_keys, meta.rope_override}).max_position_embeddings;
    } catch (const std::exception&) {
        return 0;
    }
}

FigureSource trace_figure_source(const TraceBundle& trace) {
    const TraceMeta& meta = trace.reader->meta();
    FigureSource s;
    s.checkpoint = QString::fromStdString(meta.checkpoint_path);
    s.variant = QString::fromStdString(variant_name(meta.layout.variant));
    s.trace = QString::fromStdString(trace.path);
    s.tokens = meta.tokens;
    for (const std::string& line : meta.rope_sources) s.rope_sources << QString::fromStdString(line);
    return s;
}

void show_trace(AttentionView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    // Tiles recompute probabilities from the stored Q/K: float16 rounding moves each one by up
    // to ~1e-3 relative (rows then sum to 1 within ~1e-3); float32 only by float rounding.
    view.set_exact_note(trace.reader->meta().qk_precision == QKPrecision::F32
                            ? "Q/K stored as float32 (exact to float rounding)"
                            : "Q/K stored as float16: probabilities within ~1e-3 relative, rows "
                              "sum to 1 ± ~1e-3");
    view.set_source(trace.tiles, trace.reader->meta().layout);
}

void show_trace(HeadsView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_run(&trace.reader->stats(), &trace.reader->meta().layout);
}

void show_trace(CurvesView& view, const TraceBundle& trace) {
    const TraceMeta& meta = trace.reader->meta();
    view.set_figure_source(trace_figure_source(trace));
    // The run's own spectrum, and each layer's where they differ (Gemma 3's local-RoPE layers).
    std::vector<std::vector<double>> per_layer;
    if (meta.rope_local)
        for (int l = 0; l < meta.layers; ++l) per_layer.push_back(meta.rope_of(l).inv_freq);
    view.set_model_rope(traced_rope(meta, trace.path), meta.rope.inv_freq, std::move(per_layer),
                        traced_local_theta(meta, trace.path));
    view.set_run(&trace.reader->stats(), &meta.layout);
}

void show_trace(LongRangeView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_run(&trace.reader->stats(), &trace.reader->meta().layout);
}

void show_trace(PerplexityView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_nll(&trace.nll);
    view.set_training_context(traced_training_context(trace.reader->meta(), trace.path));
}

void show_trace(NoiseView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_sweeps(trace.noise, &trace.reader->meta().layout);
}

}  // namespace rs::ui
