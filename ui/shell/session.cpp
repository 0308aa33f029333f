// Session jobs: each builds a complete bundle or throws; nothing here touches widgets.
#include "session.h"

#include <QDateTime>
#include <filesystem>

#include "app_state.h"
#include "error.h"
#include "run_budget.h"
#include "run_cost.h"
#include "run_input.h"
#include "run_plan.h"
#include "trace_run.h"

namespace rs::ui {

CheckpointBundle load_checkpoint_bundle(const std::string& dir, const ProgressFn& progress) {
    CheckpointBundle b;
    b.checkpoint = std::make_shared<const Checkpoint>(Checkpoint::open(dir));
    const auto& config = b.checkpoint->config();
    // About 0.2 s of micro-benchmarks, here on the worker so the input panel can predict run times.
    b.rates = measure_machine_rates(config, b.checkpoint->layout());
    // Resident layers make the GUI's repeated runs fast; a model whose fp32 layers would leave no
    // room for a trace of the default length converts one layer at a time instead.
    const RunBudget budget = budget_run(
        *b.checkpoint, trace_plan(kDefaultTraceTokens, trace_precision(kDefaultTraceTokens), true));
    b.load_notes = budget.notes;
    b.model = std::make_shared<Model>(b.checkpoint, budget.plan.layers_resident, progress);
    if (std::filesystem::exists(std::filesystem::path(dir) / "tokenizer.json"))
        b.tokenizer = std::make_shared<const Tokenizer>(Tokenizer::load(dir));
    return b;
}

namespace {

std::optional<ModelConfig> traced_config(const TraceMeta& meta, const std::string& trace_path) {
    try {
        return parse_model_config(meta.config_json, trace_path,
                                  {meta.ignored_config_keys, meta.rope_override});
    } catch (const std::exception&) {
        return std::nullopt;  // the views fall back on the RoPE fields the trace stores itself
    }
}

}  // namespace

TraceBundle open_trace_bundle(const std::string& path) {
    TraceBundle t;
    t.path = path;
    t.reader = std::make_shared<TraceReader>(TraceReader::open(path));
    const auto& nll = t.reader->token_nll();
    t.nll.context = t.reader->meta().tokens;
    t.nll.windows = 1;
    t.nll.mean_nll.assign(nll.begin(), nll.end());
    t.nll.count.assign(nll.size(), 1);
    t.nll.mean = t.reader->mean_nll();
    t.noise = t.reader->noise();
    t.config = traced_config(t.reader->meta(), path);
    t.reader->curves();  // load now, on the worker, rather than on first paint
    t.tiles = std::make_shared<TraceTileSource>(t.reader);
    return t;
}

TraceBundle run_trace_bundle(const CheckpointBundle& ck, const std::string& text, int max_tokens,
                             const std::string& destination, const ProgressFn& progress) {
    if (!ck.tokenizer)
        throw Error(ck.checkpoint->dir() + ": no tokenizer.json, so text cannot be tokenized");
    const TraceTokens tokens = encode_text(*ck.tokenizer, text, true, max_tokens);
    require_trace_fits(ck, int(tokens.ids.size()));
    TraceRunOptions opt;
    opt.progress = progress;
    opt.writer.precision = trace_precision(int(tokens.ids.size()));
    run_trace(*ck.model, tokens, destination, opt);
    return open_trace_bundle(destination);
}

std::string new_autosave_path() {
    const QString dir = autosave_dir();
    const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss-zzz");
    return (dir + "/run-" + stamp + ".h5").toStdString();
}

}  // namespace rs::ui
