// Cost model of one forward pass, mirroring the allocations of model.cpp, causal_attention.cpp and
// the probes (see the comments there), and the memory the machine can actually give us.
#include "run_estimate.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "error.h"
#include "overview_probe.h"

namespace rs {

namespace {

constexpr std::uint64_t kFloat = 4;
constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

std::uint64_t layer_weight_floats(const ModelConfig& c, const HeadLayout& l) {
    const std::uint64_t D = c.hidden_size, d = l.head_dim, I = c.intermediate_size;
    std::uint64_t n =
        D * d * (std::uint64_t(l.query_heads) + 2 * l.kv_heads + l.model_heads) + 3 * D * I + 2 * D;
    if (c.qkv_bias) n += d * (std::uint64_t(l.query_heads) + 2 * l.kv_heads);
    if (c.o_bias) n += D;
    if (c.qk_norm) n += 2 * d;
    if (c.mlp_bias) n += 2 * I + D;
    return n;
}

// Peak of Model::attention (x, q, k, v, attn_out, o alive at once; xn is freed before attention)
// versus the MLP chunks and the lm_head (normed rows, a logits tile and, when not resident, a chunk
// of lm_head converted), which run after attention's buffers are gone.
std::uint64_t activation_bytes(const ModelConfig& c, const HeadLayout& l, const RunPlan& p) {
    const std::uint64_t T = p.tokens, D = c.hidden_size, d = l.head_dim;
    const std::uint64_t chunk = std::min<std::uint64_t>(p.chunk_rows, T);
    const std::uint64_t residual = T * D;
    const std::uint64_t attention =
        T * (d * (std::uint64_t(l.query_heads) + 2 * l.kv_heads + l.model_heads) + D);
    const std::uint64_t mlp = chunk * (2 * D + 2 * std::uint64_t(c.intermediate_size));
    const std::uint64_t vocab_chunk = std::min<std::uint64_t>(p.vocab_chunk, c.vocab_size);
    const std::uint64_t lm_head =
        T * D + chunk * vocab_chunk + (p.layers_resident ? 0 : vocab_chunk * D) + 3 * T;
    const std::uint64_t rope_table = T * (d / 2) * 2;
    std::uint64_t bytes = kFloat * (residual + std::max({attention, mlp, lm_head}) + rope_table);
    if (p.keep_logits) bytes += kFloat * T * std::uint64_t(c.vocab_size);
    return bytes + 4 * T;  // NLL
}

std::uint64_t probe_bytes(const HeadLayout& l, const RunPlan& p, int heads) {
    const std::uint64_t T = p.tokens, d = l.head_dim;
    std::uint64_t bytes = 0;
    if (p.statistics) bytes += kFloat * T * (d / 2) * 2;  // un-rotation tables
    if (p.trace) {
        const std::uint64_t P = overview_levels(p.tokens).front();
        bytes += 8 * heads * P * P;              // overview accumulator of a layer (double)
        bytes += kFloat * heads * P * P * 2;     // pooled levels handed to the writer
        bytes += kFloat * heads * T;             // row log-sum-exps of a layer
        bytes += (p.trace_f32 ? 4 : 2) * T * d;  // one head's Q or K being written
        bytes += std::uint64_t(32) << 20;        // HDF5 chunk cache and metadata
    }
    return bytes;
}

std::uint64_t trace_file_bytes(const ModelConfig& c, const HeadLayout& l, const RunPlan& p,
                               int heads) {
    if (!p.trace) return 0;
    const std::uint64_t T = p.tokens, d = l.head_dim, L = c.num_hidden_layers;
    const std::uint64_t qk =
        (p.trace_f32 ? 4 : 2) * T * d * (std::uint64_t(l.query_heads) + l.kv_heads);
    std::uint64_t overview = 0;
    for (int P : overview_levels(p.tokens)) overview += kFloat * heads * std::uint64_t(P) * P;
    return L * (qk + kFloat * heads * T + overview) + 8 * T;
}

// "512M" -> bytes; 0 when unparsable.
std::uint64_t parse_size(const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !(v > 0)) return 0;
    double scale = 1;
    switch (*end) {
        case 'k':
        case 'K':
            scale = 1024.0;
            break;
        case 'm':
        case 'M':
            scale = 1024.0 * 1024;
            break;
        case 'g':
        case 'G':
            scale = 1024.0 * 1024 * 1024;
            break;
        case 't':
        case 'T':
            scale = 1024.0 * 1024 * 1024 * 1024;
            break;
        case '\0':
            break;
        default:
            return 0;
    }
    return std::uint64_t(v * scale);
}

std::uint64_t read_number(const char* path) {
    std::ifstream in(path);
    std::string s;
    if (!(in >> s) || s == "max") return kUnlimited;
    return std::strtoull(s.c_str(), nullptr, 10);
}

std::uint64_t meminfo_available() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (in >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024;
    return kUnlimited;
}

// Address space left under RLIMIT_AS (virtual size, as the kernel counts it for that limit).
std::uint64_t address_space_left() {
    rlimit r{};
    if (getrlimit(RLIMIT_AS, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return kUnlimited;
    std::ifstream in("/proc/self/statm");
    std::uint64_t pages = 0;
    in >> pages;
    const std::uint64_t used = pages * std::uint64_t(sysconf(_SC_PAGESIZE));
    return r.rlim_cur > used ? r.rlim_cur - used : 0;
}

// (query, key) pairs a layer computes over T tokens: the causal triangle, or with a sliding window
// W each query's min(t + 1, W) keys (masked blocks are skipped, not computed).
double visible_pairs(std::uint64_t T, int window) {
    const double t = double(T), w = double(window);
    if (window <= 0 || t <= w) return t * (t + 1) / 2;
    return w * (w + 1) / 2 + (t - w) * w;
}

}  // namespace

RunEstimate estimate_run(const ModelConfig& c, const HeadLayout& l, const RunPlan& p,
                         std::uint64_t mapped_bytes) {
    if (p.tokens <= 0) throw UsageError("a run needs at least one token");
    RunEstimate e;
    const int heads = p.analysis_heads ? l.analysis_heads() : l.model_heads;
    const std::uint64_t T = p.tokens, D = c.hidden_size, V = c.vocab_size, d = l.head_dim;
    const std::uint64_t layers_converted = p.layers_resident ? c.num_hidden_layers : 1;
    e.weights = kFloat * (layers_converted * layer_weight_floats(c, l) +
                          (p.layers_resident ? V * D : 0) + D);
    e.activations = activation_bytes(c, l, p);
    const std::uint64_t block = std::min<std::uint64_t>(p.block_rows, T);
    const bool observed = p.statistics || p.trace;
    e.scratch =
        std::uint64_t(std::max(1, p.threads)) * kFloat * (block * T * (observed ? 2 : 1) + T * d);
    e.probes = probe_bytes(l, p, heads);
    e.baseline = std::uint64_t(96) << 20;
    e.mapped = mapped_bytes;
    e.trace_file = trace_file_bytes(c, l, p, heads);
    const double linear_per_token =
        2.0 * double(D) * double(d) * (l.query_heads + 2.0 * l.kv_heads + l.model_heads) +
        2.0 * 3.0 * double(D) * c.intermediate_size;
    e.lm_head_flops = double(T) * 2.0 * double(D) * double(V);
    e.linear_flops = double(T) * c.num_hidden_layers * linear_per_token + e.lm_head_flops;
    for (int layer = 0; layer < c.num_hidden_layers; ++layer)
        e.attention_entries += heads * visible_pairs(T, c.attention_window(layer));
    // Resident or not, a run converts every weight once, unless an open model already holds them.
    if (!(p.layers_resident && p.weights_loaded))
        e.converted_weights =
            double(c.num_hidden_layers) * double(layer_weight_floats(c, l)) + double(V * D);
    e.attention_flops = e.attention_entries * 4.0 * double(d);
    return e;
}

RunPlan fit_plan_to_memory(const ModelConfig& c, const HeadLayout& l, RunPlan plan,
                           std::uint64_t available) {
    if (plan.layers_resident && estimate_run(c, l, plan).needed() > available)
        plan.layers_resident = false;
    return plan;
}

std::uint64_t available_memory() {
    std::uint64_t avail = std::min(meminfo_available(), address_space_left());
    const std::uint64_t cg_max = read_number("/sys/fs/cgroup/memory.max");
    if (cg_max != kUnlimited) {
        const std::uint64_t cur = read_number("/sys/fs/cgroup/memory.current");
        avail = std::min(avail, cg_max > cur ? cg_max - cur : 0);
    }
    if (const char* env = std::getenv("ROPESCOPE_MEMORY_LIMIT")) {
        const std::uint64_t limit = parse_size(env);
        if (limit == 0)
            throw UsageError(std::string("ROPESCOPE_MEMORY_LIMIT='") + env +
                             "' is not a size (use bytes or a K/M/G/T suffix, e.g. 8G)");
        avail = std::min(avail, limit);
    }
    return avail;
}

void require_memory(const RunEstimate& e, std::uint64_t available) {
    if (e.needed() <= available) return;
    throw ResourceError("this run needs about " + format_bytes(double(e.needed())) +
                        " of memory (weights " + format_bytes(double(e.weights)) +
                        ", activations " + format_bytes(double(e.activations + e.scratch)) +
                        ", instrumentation " + format_bytes(double(e.probes)) + ") but only " +
                        format_bytes(double(available)) +
                        " is available; use fewer tokens or a machine with more memory");
}

std::string format_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : (bytes < 10 ? "%.1f %s" : "%.0f %s"), bytes,
                  units[u]);
    return buf;
}

}  // namespace rs
