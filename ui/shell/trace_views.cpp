// Trace -> view wiring shared by the main window and the headless renderer.
#include "trace_views.h"

#include "attention_view.h"
#include "curves_view.h"
#include "heads_view.h"
#include "long_range_view.h"
#include "noise_view.h"
#include "perplexity_view.h"

namespace rs::ui {

RopeParams traced_rope(const TraceMeta& meta, const std::optional<ModelConfig>& config) {
    if (config) return config->rope_params();
    // Older or hand-made traces: the RoPE fields the trace stores itself are enough.
    RopeParams p;
    p.theta = meta.rope_theta;
    p.head_dim = meta.layout.head_dim;
    p.partial_rotary_factor = meta.partial_rotary_factor;
    p.linear_factor = meta.linear_factor;
    p.yarn_factor = meta.yarn_factor;
    return p;
}

FigureSource trace_figure_source(const TraceBundle& trace) {
    const TraceMeta& meta = trace.reader->meta();
    FigureSource s;
    s.checkpoint = QString::fromStdString(meta.checkpoint_path);
    s.variant = QString::fromStdString(variant_name(meta.layout.variant));
    s.trace = QString::fromStdString(trace.path);
    s.tokens = meta.tokens;
    for (const std::string& line : meta.rope_sources)
        s.rope_sources << QString::fromStdString(line);
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
    const std::optional<ModelConfig>& config = trace.config;
    // Without a parsed config the per-layer spectra still reach the overlays, with no local
    // theory curve to name.
    const double local_theta = meta.rope_local && config ? config->rope_local_theta : 0.0;
    view.set_model_rope(traced_rope(meta, config), meta.rope.inv_freq, std::move(per_layer),
                        local_theta);
    view.set_run(&trace.reader->stats(), &meta.layout);
}

void show_trace(LongRangeView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_run(&trace.reader->stats(), &trace.reader->meta().layout);
}

void show_trace(PerplexityView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_nll(&trace.nll);
    // 0: the training context is unknown.
    view.set_training_context(trace.config ? trace.config->max_position_embeddings : 0);
}

void show_trace(NoiseView& view, const TraceBundle& trace) {
    view.set_figure_source(trace_figure_source(trace));
    view.set_sweeps(trace.noise, &trace.reader->meta().layout);
}

}  // namespace rs::ui
