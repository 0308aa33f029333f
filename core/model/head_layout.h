// Which attention head is real or imaginary, which query and KV head feeds it: the head layout of
// RoPE, RoPE++_EH and RoPE++_EC, plus the analysis-only "virtual imaginary" heads of vanilla RoPE.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model_config.h"

namespace rs {

enum class Variant { Rope, RopePPEH, RopePPEC };

std::string variant_name(Variant v);        // "RoPE", "RoPE++_EH", "RoPE++_EC"
std::string variant_key(Variant v);         // "rope", "rope_pp_eh", "rope_pp_ec"
std::optional<Variant> parse_variant(const std::string& key);  // accepts keys and "eh"/"ec"

struct HeadInfo {
    int index = 0;        // position in HeadLayout::heads
    int query_head = 0;   // row block of q_proj that feeds it
    int kv_head = 0;      // row block of k_proj / v_proj it attends with
    bool imag = false;    // imaginary (−π/2 rotated query) head
    bool is_virtual = false;  // computed for analysis only; not part of the model's output
    int twin = -1;        // the head with the same query and the other part, if any
};

struct HeadLayout {
    Variant variant = Variant::Rope;
    int head_dim = 0;
    int query_heads = 0;  // q_proj rows / head_dim
    int kv_heads = 0;     // k_proj rows / head_dim
    int model_heads = 0;  // attention heads feeding o_proj (o_proj columns / head_dim)
    // Model heads first (upstream order: RoPE++ interleaves real 2h and imaginary 2h+1), then, for
    // vanilla RoPE only, one virtual imaginary head per query head.
    std::vector<HeadInfo> heads;

    int analysis_heads() const { return static_cast<int>(heads.size()); }
    std::string label(int head) const;  // "h3 real", "h3 imag", "h3 imag (virtual)"
};

// Variant written in config.json (rope_config), or nullopt when the config does not say.
std::optional<Variant> variant_from_config(const ModelConfig& c);

// Variant implied by tensor shapes (q_proj rows, o_proj columns); nullopt when no variant matches.
std::optional<Variant> variant_from_shapes(const ModelConfig& c, long q_rows, long o_cols);

HeadLayout make_head_layout(const ModelConfig& c, Variant v);

// Bytes of KV cache one token costs in fp16/bf16 (2 bytes per element), all layers.
long kv_cache_bytes_per_token(const ModelConfig& c, const HeadLayout& l);

}  // namespace rs
