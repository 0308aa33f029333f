// How fast this machine runs the forward pass's kinds of work, measured in about a fifth of a
// second: dense GEMM throughput of the layers and of the lm_head, the cost per (query, key) entry
// of causal attention with and without the statistics and overview probes, and the cost of
// converting a weight to fp32. Turns a
// RunEstimate into seconds before a run.
#pragma once

#include "head_layout.h"
#include "model_config.h"
#include "run_estimate.h"

namespace rs {

struct MachineRates {
    double gemm_flops_per_second = 0;           // all threads, a 1024-wide linear layer (Eigen)
    double lm_head_flops_per_second = 0;        // all threads, a vocabulary-wide product (OpenBLAS)
    double seconds_per_entry_plain = 0;         // all threads busy: QK^T, softmax, PV per entry
    double seconds_per_entry_instrumented = 0;  // the same with statistics and overview probes
    double seconds_per_converted_weight = 0;    // BF16 -> fp32 into fresh memory, all threads
    int threads = 1;
};

// Runs the micro-measurements with the model's width, head dimension and RoPE settings.
MachineRates measure_machine_rates(const ModelConfig& config, const HeadLayout& layout);

// Predicted wall-clock seconds of the run the estimate describes.
double predict_seconds(const RunEstimate& estimate, const MachineRates& rates, bool instrumented);

}  // namespace rs
