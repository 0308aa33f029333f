// How an open trace feeds the views: the same calls for the main window and the headless
// renderer, so a figure rendered from the CLI shows exactly what the GUI tab shows.
#pragma once

#include <optional>

#include "exportable.h"
#include "model_config.h"
#include "rope.h"
#include "session.h"

namespace rs::ui {

class AttentionView;
class CurvesView;
class HeadsView;
class LongRangeView;
class NoiseView;
class PerplexityView;

// The traced model's exact RoPE (llama3 scaling included) from its config, or the trace's own
// RoPE fields without one.
RopeParams traced_rope(const TraceMeta& meta, const std::optional<ModelConfig>& config);

// What the views of `trace` name as their source: its model, the trace file and its tokens.
FigureSource trace_figure_source(const TraceBundle& trace);

// Each shows what `trace` holds (the views copy what they keep, except the attention view, which
// shares the trace's tile source) and names the trace as the figure's source. The noise view
// shows the last stored sweep, if any.
void show_trace(AttentionView& view, const TraceBundle& trace);
void show_trace(HeadsView& view, const TraceBundle& trace);
void show_trace(CurvesView& view, const TraceBundle& trace);
void show_trace(LongRangeView& view, const TraceBundle& trace);
void show_trace(PerplexityView& view, const TraceBundle& trace);
void show_trace(NoiseView& view, const TraceBundle& trace);

}  // namespace rs::ui
