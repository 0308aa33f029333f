// The core's run budget (core/run/run_budget.h) and the noise sweep's memory check: the notes the
// CLI prints and the GUI shows come from one place, and every noise sweep refuses to start when
// its runs cannot fit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "error.h"
#include "noise_run.h"
#include "run_budget.h"
#include "run_plan.h"
#include "test_util.h"

namespace rs {
namespace {

class MemoryLimit {
  public:
    explicit MemoryLimit(const std::string& value) {
        setenv("ROPESCOPE_MEMORY_LIMIT", value.c_str(), 1);
    }
    ~MemoryLimit() { unsetenv("ROPESCOPE_MEMORY_LIMIT"); }
};

std::shared_ptr<const Checkpoint> fixture() {
    return std::make_shared<const Checkpoint>(
        Checkpoint::open(test::fixture_dir("rope_pp_ec_f32").string()));
}

bool has_note(const RunBudget& b, const std::string& start) {
    for (const auto& n : b.notes)
        if (n.rfind(start, 0) == 0) return true;
    return false;
}

TEST(RunBudget, LongRunsAnnounceTheirCostShortOnesDoNot) {
    const auto ck = fixture();
    EXPECT_TRUE(budget_run(*ck, trace_plan(100, QKPrecision::F16, false)).notes.empty());
    const RunBudget b = budget_run(*ck, trace_plan(4096, QKPrecision::F16, false));
    ASSERT_TRUE(has_note(b, "estimate: 4096 tokens need about ")) << b.notes.size();
    EXPECT_NE(b.notes.back().find(", trace up to "), std::string::npos) << b.notes.back();
}

TEST(RunBudget, ResidentLayersThatDoNotFitFallBackWithANote) {
    const auto ck = fixture();
    RunPlan resident = noise_plan(64);
    RunPlan streamed = resident;
    streamed.layers_resident = false;
    const auto needs = [&](const RunPlan& p) {
        return estimate_run(ck->config(), ck->layout(), p, ck->mapped_bytes()).needed();
    };
    ASSERT_LT(needs(streamed), needs(resident));
    const MemoryLimit limit(std::to_string((needs(resident) + needs(streamed)) / 2));
    const RunBudget b = budget_run(*ck, resident);
    EXPECT_FALSE(b.plan.layers_resident);
    EXPECT_TRUE(b.fits());
    EXPECT_TRUE(has_note(b, "note: all layers in fp32 do not fit"));
    // A plan that never wanted resident layers has nothing to say.
    EXPECT_TRUE(budget_run(*ck, streamed).notes.empty());
}

TEST(RunBudget, AnOpenModelCountsTheWeightsItHolds) {
    const auto ck = fixture();
    const Model model(ck, true);
    const RunBudget b = budget_run(model, noise_plan(64));
    EXPECT_TRUE(b.plan.layers_resident);
    EXPECT_TRUE(b.plan.weights_loaded);
    EXPECT_GE(b.usable, model.held_weight_bytes());
    EXPECT_TRUE(b.fits());
}

TEST(NoiseRun, EverySweepChecksMemoryBeforeItsFirstRun) {
    const auto ck = fixture();
    Model model(ck, true);
    const std::vector<std::int32_t> ids{1, 2, 3, 4, 5, 6, 7, 8};
    NoiseOptions opt;
    opt.sigmas = {1.0};
    long runs = 0;
    opt.progress = [&](long done, long) {
        runs = done;
        return true;
    };
    {
        const MemoryLimit limit("1K");
        EXPECT_THROW(run_noise_sweep(model, ids, opt), ResourceError);
        EXPECT_THROW(run_noise_sweep(ck, ids, opt), ResourceError);
        EXPECT_EQ(runs, 0) << "no run before the refusal";
    }
    const NoiseSweep s = run_noise_sweep(model, ids, opt);
    EXPECT_EQ(s.tokens, 8);
    EXPECT_GT(runs, 0);
}

}  // namespace
}  // namespace rs
