// What the GUI has open — a checkpoint (with its model and tokenizer) and a trace — and the jobs
// that produce them. Jobs are plain functions run by JobRunner on a worker thread; they return
// whole bundles so the GUI swaps state in one step and keeps the old state when a job fails.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkpoint.h"
#include "machine_rates.h"
#include "model.h"
#include "model_config.h"
#include "noise_experiment.h"
#include "perplexity.h"
#include "tokenizer.h"
#include "trace_reader.h"
#include "trace_tile_source.h"

namespace rs::ui {

struct CheckpointBundle {
    std::shared_ptr<const Checkpoint> checkpoint;
    std::shared_ptr<Model> model;
    std::shared_ptr<const Tokenizer> tokenizer;  // null when the folder has no tokenizer.json
    MachineRates rates;  // measured once when the checkpoint is opened (worker thread)
    // Why the model converts one layer at a time, when it does (the budget's notes at opening).
    std::vector<std::string> load_notes;
};

struct TraceBundle {
    std::string path;
    std::shared_ptr<TraceReader> reader;
    std::shared_ptr<TraceTileSource> tiles;
    PositionNll nll;                // per-position NLL of the traced text (one window)
    std::vector<NoiseSweep> noise;  // stored sweeps, plus any run from the GUI
    // The traced model's config.json as the run read it (its ignored keys and RoPE override
    // applied); nullopt when it does not parse (older or hand-made traces).
    std::optional<ModelConfig> config;
};

// `progress` follows the weight conversion and cancels it (Cancelled) by returning false.
CheckpointBundle load_checkpoint_bundle(const std::string& dir, const ProgressFn& progress = {});
TraceBundle open_trace_bundle(const std::string& path);

// Tokenizes `text` (at most max_tokens tokens), traces it into `destination` and opens the result.
// Throws ResourceError before anything is written when the run does not fit in memory.
TraceBundle run_trace_bundle(const CheckpointBundle& ck, const std::string& text, int max_tokens,
                             const std::string& destination, const ProgressFn& progress);

// Where the GUI keeps traces of runs not yet saved by the user (a per-user cache folder).
std::string new_autosave_path();

}  // namespace rs::ui
