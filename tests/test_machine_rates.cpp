// The run-time prediction: each kind of work divided by the rate measured for it, and the
// measurement itself returning usable rates on this machine (values are not asserted: no timing
// assertions in unit tests).
#include <gtest/gtest.h>

#include <cmath>

#include "checkpoint.h"
#include "machine_rates.h"
#include "test_util.h"

namespace rs {
namespace {

const std::string kSample = (test::source_dir() / "sample_data" / "rope_pp_ec").string();

TEST(MachineRates, PredictionAddsEachKindOfWorkAtItsOwnRate) {
    const auto ck = Checkpoint::open(kSample);
    RunPlan p;
    p.tokens = 1000;
    const RunEstimate e = estimate_run(ck.config(), ck.layout(), p);
    ASSERT_GT(e.lm_head_flops, 0);
    ASSERT_GT(e.linear_flops, e.lm_head_flops);
    MachineRates r;
    r.gemm_flops_per_second = 2e11;
    r.lm_head_flops_per_second = 1e11;
    r.seconds_per_entry_plain = 2e-9;
    r.seconds_per_entry_instrumented = 5e-9;
    r.seconds_per_converted_weight = 1e-9;
    const double layers = (e.linear_flops - e.lm_head_flops) / 2e11;
    const double conversion = e.converted_weights * 1e-9;
    EXPECT_DOUBLE_EQ(predict_seconds(e, r, false),
                     layers + e.lm_head_flops / 1e11 + e.attention_entries * 2e-9 + conversion);
    EXPECT_DOUBLE_EQ(predict_seconds(e, r, true),
                     layers + e.lm_head_flops / 1e11 + e.attention_entries * 5e-9 + conversion);
    r.lm_head_flops_per_second = 0;  // not measured: the lm_head at the layers' rate
    EXPECT_DOUBLE_EQ(predict_seconds(e, r, false),
                     e.linear_flops / 2e11 + e.attention_entries * 2e-9 + conversion);
}

TEST(MachineRates, EveryWeightIsConvertedOnceUnlessAnOpenModelHoldsThem) {
    const auto ck = Checkpoint::open(kSample);
    const auto& c = ck.config();
    RunPlan p;
    p.tokens = 100;
    const RunEstimate resident = estimate_run(c, ck.layout(), p);
    // lm_head (tied: the embedding) plus every layer's matrices, norms and biases.
    EXPECT_GT(resident.converted_weights, double(c.vocab_size) * c.hidden_size);
    p.layers_resident = false;
    EXPECT_EQ(estimate_run(c, ck.layout(), p).converted_weights, resident.converted_weights);
    p.weights_loaded = true;  // streaming converts again on every run
    EXPECT_EQ(estimate_run(c, ck.layout(), p).converted_weights, resident.converted_weights);
    p.layers_resident = true;
    EXPECT_EQ(estimate_run(c, ck.layout(), p).converted_weights, 0.0);
}

TEST(MachineRates, MeasuresEveryRate) {
    const auto ck = Checkpoint::open(kSample);
    const MachineRates r = measure_machine_rates(ck.config(), ck.layout());
    EXPECT_GE(r.threads, 1);
    for (double v : {r.gemm_flops_per_second, r.lm_head_flops_per_second, r.seconds_per_entry_plain,
                     r.seconds_per_entry_instrumented, r.seconds_per_converted_weight}) {
        EXPECT_TRUE(std::isfinite(v)) << v;
        EXPECT_GT(v, 0);
    }
}

}  // namespace
}  // namespace rs
