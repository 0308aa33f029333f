// The cost model: exact work counts, memory that grows linearly with the tokens, and a clear
// refusal (CLI exit 1, nothing written) when a run does not fit the memory available.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/checkpoint.h"
#include "core/error.h"
#include "core/run_estimate.h"
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

TEST(RunEstimate, FormatsBytesForPeople) {
    EXPECT_EQ(format_bytes(512), "512 B");
    EXPECT_EQ(format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(format_bytes(3.0 * (1u << 30)), "3.0 GiB");
    EXPECT_EQ(format_bytes(200.0 * (1u << 20)), "200 MiB");
}

}  // namespace
}  // namespace rs
