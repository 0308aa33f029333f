// The cost model: exact work counts, memory that grows linearly with the tokens, and a clear
// refusal (CLI exit 1, nothing written) when a run does not fit the memory available.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "checkpoint.h"
#include "error.h"
#include "model.h"
#include "run_estimate.h"
#include "test_util.h"

namespace rs {
namespace {

const std::string kSample = (test::source_dir() / "sample_data" / "rope_pp_ec").string();
const std::string kSampleText = (test::source_dir() / "sample_data" / "sample.txt").string();

// Sets an environment variable for one scope (children started by run_cli inherit it).
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
    ~ScopedEnv() { unsetenv(name_); }

  private:
    const char* name_;
};

// A sliding-window layer computes each query's last W keys only: W(W+1)/2 pairs for the first W
// queries, then W per query (the qwen2_window fixture windows layers 1-2 of 3, W = 8).
TEST(RunEstimate, SlidingWindowLayersCountOnlyTheirVisiblePairs) {
    const auto ck = Checkpoint::open(test::fixture_dir("qwen2_window").string());
    const auto& c = ck.config();
    ASSERT_EQ(c.attention_window(0), 0);
    ASSERT_EQ(c.attention_window(1), 8);
    RunPlan p;
    p.analysis_heads = p.statistics = true;
    p.tokens = 40;
    const RunEstimate e = estimate_run(c, ck.layout(), p);
    const double heads = ck.layout().analysis_heads();
    double want = 0;
    for (int l = 0; l < c.num_hidden_layers; ++l)
        for (int t = 0; t < 40; ++t) want += heads * (c.attention_window(l) ? std::min(t + 1, 8) : t + 1);
    EXPECT_DOUBLE_EQ(e.attention_entries, want);
    p.tokens = 8;  // no longer than the window: the full triangle everywhere
    EXPECT_DOUBLE_EQ(estimate_run(c, ck.layout(), p).attention_entries, c.num_hidden_layers * heads * 36.0);
}

TEST(RunEstimate, CountsEveryAttentionEntryAndGrowsLinearlyInMemory) {
    const auto ck = Checkpoint::open(kSample);
    const auto& c = ck.config();
    RunPlan p;
    p.analysis_heads = p.statistics = p.trace = true;
    p.chunk_rows = 64;  // fixed chunks, so activations are linear in T from the start
    p.tokens = 1000;
    const RunEstimate a = estimate_run(c, ck.layout(), p);
    p.tokens = 2000;
    const RunEstimate b = estimate_run(c, ck.layout(), p);
    p.tokens = 3000;
    const RunEstimate e3 = estimate_run(c, ck.layout(), p);

    const double heads = ck.layout().analysis_heads(), layers = c.num_hidden_layers;
    EXPECT_DOUBLE_EQ(a.attention_entries, layers * heads * 1000.0 * 1001.0 / 2);
    EXPECT_DOUBLE_EQ(a.attention_flops, a.attention_entries * 4 * c.head_dim);
    EXPECT_DOUBLE_EQ(b.linear_flops, 2 * a.linear_flops);
    EXPECT_EQ(a.weights, b.weights);  // weights do not depend on the sequence
    // Activations and scratch: equal steps for equal increments of T.
    EXPECT_EQ(b.activations + b.scratch - a.activations - a.scratch,
              e3.activations + e3.scratch - b.activations - b.scratch);
    EXPECT_GT(b.trace_file, a.trace_file);
    EXPECT_GT(a.needed(), a.weights);
}

TEST(RunEstimate, RefusesARunThatDoesNotFitAndNamesBothNumbers) {
    const auto ck = Checkpoint::open(kSample);
    RunPlan p;
    p.tokens = 512;
    const RunEstimate e = estimate_run(ck.config(), ck.layout(), p);
    EXPECT_NO_THROW(require_memory(e, e.needed()));
    try {
        require_memory(e, e.needed() / 2);
        FAIL() << "a run needing twice the memory available was accepted";
    } catch (const ResourceError& err) {
        const std::string msg = err.what();
        EXPECT_NE(msg.find(format_bytes(double(e.needed()))), std::string::npos) << msg;
        EXPECT_NE(msg.find(format_bytes(double(e.needed() / 2))), std::string::npos) << msg;
    }
}

TEST(RunEstimate, EnvironmentLimitCapsTheAvailableMemory) {
    {
        ScopedEnv env("ROPESCOPE_MEMORY_LIMIT", "3M");
        EXPECT_EQ(available_memory(), 3u << 20);
    }
    {
        ScopedEnv env("ROPESCOPE_MEMORY_LIMIT", "lots");
        EXPECT_THROW(available_memory(), UsageError);
    }
    EXPECT_GT(available_memory(), 3u << 20);
}

TEST(RunEstimate, CliRefusesBeforeLoadingAndWritesNothing) {
    test::TempDir dir;
    const auto out = dir / "run.h5";
    ScopedEnv env("ROPESCOPE_MEMORY_LIMIT", "20M");
    const auto r = test::run_cli(
        {"trace", kSample, "--text-file", kSampleText, "-o", out.string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("this run needs about"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("20 MiB is available"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(RunEstimate, WeightsAreWhatTheModelHolds) {
    const auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(kSample));
    const int layers = ck->config().num_hidden_layers;
    RunPlan p;
    p.tokens = 16;
    const RunEstimate resident = estimate_run(ck->config(), ck->layout(), p);
    p.layers_resident = false;
    const RunEstimate streamed = estimate_run(ck->config(), ck->layout(), p);
    const std::uint64_t D = ck->config().hidden_size, V = ck->config().vocab_size;
    const std::uint64_t norm = 4 * D, lm_head = 4 * V * D;
    const std::uint64_t one_layer = (resident.weights - lm_head - norm) / layers;
    EXPECT_EQ(Model(ck, true).held_weight_bytes(), resident.weights);
    // Streaming holds only the final norm between runs, and one converted layer while it runs
    // (its lm_head chunks are counted with the activations).
    EXPECT_EQ(Model(ck, false).held_weight_bytes(), norm);
    EXPECT_EQ(norm + one_layer, streamed.weights);
}

TEST(RunEstimate, ConvertsOneLayerAtATimeWhenAllLayersDoNotFit) {
    const auto ck = Checkpoint::open(kSample);
    RunPlan p;
    p.tokens = 512;
    const std::uint64_t needed = estimate_run(ck.config(), ck.layout(), p).needed();
    EXPECT_TRUE(fit_plan_to_memory(ck.config(), ck.layout(), p, needed).layers_resident);
    EXPECT_FALSE(fit_plan_to_memory(ck.config(), ck.layout(), p, needed - 1).layers_resident);
    p.layers_resident = false;
    EXPECT_FALSE(fit_plan_to_memory(ck.config(), ck.layout(), p, needed * 4).layers_resident);
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// The noise experiment runs the model several times, so it asks for resident layers; under a limit
// between the two plans it must say it streams them and still give the same numbers.
TEST(RunEstimate, CliStreamsLayersUnderALimitAndGetsTheSameResult) {
    const auto ck = Checkpoint::open(kSample);
    RunPlan p;
    p.tokens = 300;  // --max-tokens below
    p.threads = 2;   // the CLI's thread count, fixed below
    p.analysis_heads = p.statistics = true;
    const std::uint64_t resident = estimate_run(ck.config(), ck.layout(), p).needed();
    p.layers_resident = false;
    const std::uint64_t streamed = estimate_run(ck.config(), ck.layout(), p).needed();
    ASSERT_LT(streamed, resident);
    ScopedEnv threads("OMP_NUM_THREADS", "2");
    test::TempDir dir;
    const std::vector<std::string> args = {"noise",        kSample, "--text-file", kSampleText,
                                           "--max-tokens", "300",   "--sigma",     "1",
                                           "--target",     "imag",  "--out"};
    auto with_out = [&](const std::string& name) {
        auto a = args;
        a.push_back((dir / name).string());
        return a;
    };
    const auto free_run = test::run_cli(with_out("free.csv"));
    ASSERT_EQ(free_run.exit_code, 0) << free_run.err;
    EXPECT_EQ(free_run.err.find("each layer is converted"), std::string::npos) << free_run.err;
    const std::string limit = std::to_string((resident + streamed) / 2);
    ScopedEnv env("ROPESCOPE_MEMORY_LIMIT", limit.c_str());
    const auto limited = test::run_cli(with_out("limited.csv"));
    ASSERT_EQ(limited.exit_code, 0) << limited.err;
    EXPECT_NE(limited.err.find("each layer is converted when it runs"), std::string::npos)
        << limited.err;
    EXPECT_EQ(slurp(dir / "free.csv"), slurp(dir / "limited.csv"));
}

TEST(RunEstimate, FormatsBytesForPeople) {
    EXPECT_EQ(format_bytes(512), "512 B");
    EXPECT_EQ(format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(format_bytes(3.0 * (1u << 30)), "3.0 GiB");
    EXPECT_EQ(format_bytes(200.0 * (1u << 20)), "200 MiB");
}

}  // namespace
}  // namespace rs
