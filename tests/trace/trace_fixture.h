// Test helper: a fixture checkpoint traced by the core's run_trace with a FullMapProbe on the same
// pass, so tests can compare what the trace stores with the full maps the same run computed.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model.h"
#include "tests/full_map_probe.h"
#include "tests/test_util.h"
#include "trace_run.h"

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
    run->model = std::make_unique<Model>(run->ck);
    TraceRunOptions opt;
    opt.writer.precision = precision;
    opt.stored_noise.assign(noise.begin(), noise.end());
    opt.block_rows = 7;  // several blocks per head, including a ragged last one
    opt.extra_probes = {&run->full};
    opt.on_overview = [&](const OverviewLayer& o) { run->overview.push_back(o); };
    TraceRunResult r = run_trace(*run->model, input, out.string(), opt);
    run->result = std::move(r.forward);
    run->stats = std::move(r.stats);
    return run;
}

}  // namespace rs::test
