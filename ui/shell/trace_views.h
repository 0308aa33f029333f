// How an open trace feeds the views: the same calls for the main window and the headless
// renderer, so a figure rendered from the CLI shows exactly what the GUI tab shows.
#pragma once

#include "rope.h"
#include "exportable.h"
#include "session.h"

namespace rs::ui {

class AttentionView;
class CurvesView;
class HeadsView;
class LongRangeView;
class NoiseView;
class PerplexityView;

// The traced model's exact RoPE (llama3 scaling included) from its config.json, or the trace's
// own RoPE fields when that config does not parse.
RopeParams traced_rope(const TraceMeta& meta, const std::string& trace_path);
// Gemma 3's rope_local_base_freq when the trace has local-RoPE layers; 0 otherwise or when the
// config does not parse.
double traced_local_theta(const TraceMeta& meta, const std::string& trace_path);
// max_position_embeddings of the traced model; 0 when unknown.
int traced_training_context(const TraceMeta& meta, const std::string& trace_path);

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
