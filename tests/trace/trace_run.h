// Test helper: runs a fixture checkpoint once with the trace writer, the overview and statistics
// probes AND a FullMapProbe, so tests can compare what the trace stores with the full maps the
// same run computed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "head_stats.h"
#include "model.h"
#include "overview_probe.h"
#include "trace_writer.h"
#include "tests/full_map_probe.h"
#include "tests/test_util.h"

namespace rs::test {

struct TracedRun {
    std::shared_ptr<const Checkpoint> ck;
    std::unique_ptr<Model> model;  // kept: full.info() points into it
    FullMapProbe full;
    RunStats stats;
    ForwardResult result;
    std::vector<OverviewLayer> overview;  // what the writer received, unrounded
};

// `count` deterministic token ids within the fixture's vocabulary.
inline std::vector<std::int32_t> test_ids(int count, int vocab) {
    std::vector<std::int32_t> ids(count);
    for (int t = 0; t < count; ++t) ids[t] = std::int32_t((t * 37 + 11) % vocab);
    return ids;
}

inline std::unique_ptr<TracedRun> trace_fixture(const std::string& fixture,
                                                const std::filesystem::path& out, int tokens,
                                                QKPrecision precision, TraceTokens input = {},
                                                std::span<const NoiseSweep> noise = {}) {
    auto run = std::make_unique<TracedRun>();
    run->ck = std::make_shared<const Checkpoint>(Checkpoint::open(fixture_dir(fixture).string()));
    if (input.ids.empty()) input.ids = test_ids(tokens, run->ck->config().vocab_size);
    const auto ids = input.ids;
    TraceWriterOptions opt;
    opt.precision = precision;
    TraceWriter writer(out.string(), *run->ck, std::move(input), opt);
    auto sink = writer.overview_sink();
    OverviewProbe overview([&](OverviewLayer&& o) {
        run->overview.push_back(o);
        sink(std::move(o));
    });
    HeadStatsProbe stats(true);
    run->model = std::make_unique<Model>(run->ck);
    ForwardOptions fopt;
    fopt.block_rows = 7;  // several blocks per head, including a ragged last one
    fopt.probes = {&writer, &overview, &stats, &run->full};
    run->result = run->model->forward(ids, fopt);
    run->stats = stats.stats();
    writer.finish(run->result.nll, run->stats, noise);
    return run;
}

}  // namespace rs::test
