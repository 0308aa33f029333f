// Causal (optionally sliding-window) softmax attention of ONE head, computed in blocks of query rows so memory is
// O(block x T), never O(T^2); each block is handed to the probes that asked for this head.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "probe.h"

namespace rs {

struct StridedMatrix {
    const float* data = nullptr;
    long ld = 0;  // row stride in floats
};

struct HeadAttentionJob {
    int layer = 0;
    int head = 0;     // analysis head index
    int tokens = 0;   // T
    int head_dim = 0; // d
    float scale = 0;  // 1/sqrt(d), or the family's own (ModelConfig::attention_scale)
    float softcap = 0;  // Gemma 2: scaled logits -> softcap tanh(logit / softcap); 0 = none
    int window = 0;   // sliding window W: query t sees keys t - W < s <= t; 0 = full causal
    int block_rows = 128;
    StridedMatrix q;  // [T, d] rotated query (real or imaginary)
    StridedMatrix k;  // [T, d] rotated keys
    StridedMatrix v;  // [T, d] values; may be null for analysis-only heads
    float* out = nullptr;  // [T, d] with stride out_ld; null for analysis-only heads
    long out_ld = 0;
    // Called after each block of query rows, e.g. to check for a cancel (it may throw); at long
    // context one head of one layer is seconds of work.
    std::function<void()> after_block;
};

// Per-thread scratch, reused across heads and layers to avoid reallocating O(block x T) buffers.
struct AttentionScratch {
    std::vector<float> logits;  // [block_rows, T]
    std::vector<float> probs;   // [block_rows, T] (only when a probe looks)
    std::vector<float> lse;     // [block_rows]
};

void causal_attention_head(const HeadAttentionJob& job, std::span<AttentionProbe* const> probes,
                           AttentionScratch& scratch);

}  // namespace rs
