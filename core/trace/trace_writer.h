// The trace writer: an attention probe that streams a run into one HDF5 file (layout in
// docs/trace-format.md) — per layer the post-RoPE real queries and keys, every attention row's
// log-sum-exp and the overview maps; after the run the statistics, per-token NLL, theory curves
// and any noise sweeps. The file appears at its destination only when finish() succeeds.
//
// Wiring: run the model with {&writer, &overview, &stats} where
//   OverviewProbe overview(writer.overview_sink());  HeadStatsProbe stats;
// then call writer.finish(result.nll, stats.stats()).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "checkpoint.h"
#include "head_stats.h"
#include "noise_experiment.h"
#include "overview_probe.h"
#include "probe.h"
#include "trace_meta.h"

namespace rs {

struct TraceWriterOptions {
    QKPrecision precision = QKPrecision::F16;
    bool allow_unnamed_temp = true;  // false forces the named temporary file (tests)
};

class TraceWriter : public AttentionProbe {
  public:
    // Creates the (still invisible) file right away, so an unwritable destination fails before
    // the model runs. Throws FileError / UsageError.
    TraceWriter(const std::string& destination, const Checkpoint& checkpoint, TraceTokens tokens,
                TraceWriterOptions options = {});
    ~TraceWriter() override;  // without a successful finish(): nothing appears, nothing is replaced
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    void begin_run(const RunInfo& info) override;
    bool wants(int layer, int head) const override { return true; }  // every head's lse
    void on_block(const AttentionBlock& b) override;
    void on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) override;
    void end_layer(int layer) override;

    // Receives an OverviewProbe's layers; every layer must arrive before finish().
    OverviewProbe::Sink overview_sink();

    // Writes the run's results, closes the file and replaces the destination atomically.
    // token_nll: [T-1]; stats from a HeadStatsProbe of the same run.
    void finish(std::span<const float> token_nll, const RunStats& stats,
                std::span<const NoiseSweep> noise = {});

    const std::string& destination() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Saves the finished trace `source` as `destination` with `noise` as its noise sweeps (replacing
// any it stored): how the GUI keeps sweeps run after the trace. `destination` appears complete or
// not at all, and may be `source` itself. Throws FileError.
void save_trace_with_noise(const std::string& source, const std::string& destination,
                           std::span<const NoiseSweep> noise);

}  // namespace rs
