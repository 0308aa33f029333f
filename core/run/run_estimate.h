// What a run will cost before it starts: peak memory (from the config, the sequence length and
// the instrumentation), trace size on disk and the work in FLOPs and attention entries, so the CLI
// and the GUI can show the cost and refuse a run the machine cannot hold.
#pragma once

#include <cstdint>
#include <string>

#include "head_layout.h"
#include "model_config.h"

namespace rs {

struct RunPlan {
    int tokens = 0;
    int threads = 1;              // worker threads (per-thread attention scratch)
    int block_rows = 128;         // ForwardOptions::block_rows
    int chunk_rows = 1024;        // ForwardOptions::chunk_rows
    int vocab_chunk = 16384;      // ForwardOptions::vocab_chunk
    bool layers_resident = true;  // layers and lm_head kept in fp32, else converted as they run
    bool weights_loaded = false;  // resident weights already converted (the GUI's open model)
    bool analysis_heads = false;  // virtual imaginary heads computed too (statistics, trace)
    bool statistics = false;      // HeadStatsProbe
    bool trace = false;           // trace writer + overview maps
    bool trace_f32 = false;       // Q/K stored as float32 instead of float16
    bool keep_logits = false;     // the full [T, V] logits kept (tests)
};

struct RunEstimate {
    // Resident memory the run allocates, in bytes.
    std::uint64_t weights = 0;      // fp32 weights (layers, lm_head, norms)
    std::uint64_t activations = 0;  // residual stream, projections, MLP / lm_head chunks
    std::uint64_t scratch = 0;      // per-thread attention blocks and query copies
    std::uint64_t probes = 0;       // statistics, overview accumulators, trace buffers
    std::uint64_t baseline = 0;     // libraries, allocator slack
    std::uint64_t mapped = 0;      // the checkpoint's memory-mapped files (page cache, reclaimable)
    std::uint64_t trace_file = 0;  // upper bound of the trace on disk (overview before compression)
    double linear_flops = 0;       // projections, MLP and lm_head (2 x multiply-adds)
    double lm_head_flops = 0;      // the lm_head's part of linear_flops
    double attention_flops = 0;    // QK^T and PV over the causal triangle, every head that runs
    double attention_entries = 0;  // (query, key) pairs through softmax and the probes
    double converted_weights = 0;  // weights converted from the checkpoint's dtype during the run

    std::uint64_t needed() const { return weights + activations + scratch + probes + baseline; }
};

RunEstimate estimate_run(const ModelConfig& config, const HeadLayout& layout, const RunPlan& plan,
                         std::uint64_t mapped_bytes = 0);

// The plan to run within `available` bytes: `plan` itself when it fits; otherwise, if it keeps
// every layer converted, the same plan converting one layer at a time (slower only when the model
// runs more than once). The result may still not fit; require_memory says so.
RunPlan fit_plan_to_memory(const ModelConfig& config, const HeadLayout& layout, RunPlan plan,
                           std::uint64_t available);

// Memory this process may still allocate: MemAvailable, capped by a cgroup limit and RLIMIT_AS,
// and by the environment variable ROPESCOPE_MEMORY_LIMIT (bytes, or with K/M/G/T suffix) when set.
std::uint64_t available_memory();

// Throws ResourceError naming needed vs available memory when the run does not fit.
void require_memory(const RunEstimate& estimate, std::uint64_t available);

// "3.2 GiB", "512 MiB", "740 KiB"
std::string format_bytes(double bytes);

}  // namespace rs
