// Head layouts of the three variants, following upstream's interleaved q_real / q_imag stacking.
#include "head_layout.h"

#include "error.h"

namespace rs {

std::string variant_name(Variant v) {
    switch (v) {
        case Variant::Rope: return "RoPE";
        case Variant::RopePPEH: return "RoPE++_EH";
        case Variant::RopePPEC: return "RoPE++_EC";
    }
    return "?";
}

std::string variant_key(Variant v) {
    switch (v) {
        case Variant::Rope: return "rope";
        case Variant::RopePPEH: return "rope_pp_eh";
        case Variant::RopePPEC: return "rope_pp_ec";
    }
    return "?";
}

std::optional<Variant> parse_variant(const std::string& key) {
    if (key == "rope" || key == "vanilla") return Variant::Rope;
    if (key == "rope_pp_eh" || key == "eh" || key == "imag1") return Variant::RopePPEH;
    if (key == "rope_pp_ec" || key == "ec" || key == "imag2") return Variant::RopePPEC;
    return std::nullopt;
}

std::string HeadLayout::label(int head) const {
    const auto& h = heads.at(head);
    // Appends rather than operator+ chains: GCC 12 -O3 warns falsely (-Wrestrict) on the latter.
    std::string s = "q";
    s += std::to_string(h.query_head);
    s += h.imag ? " imag" : " real";
    if (h.is_virtual) s += " (virtual)";
    return s;
}

std::optional<Variant> variant_from_config(const ModelConfig& c) {
    if (!c.rope_config.present) return std::nullopt;
    if (!c.rope_config.imag) return Variant::Rope;
    return c.rope_config.imag_mode == "imag1" ? Variant::RopePPEH : Variant::RopePPEC;
}

std::optional<Variant> variant_from_shapes(const ModelConfig& c, long q_rows, long o_cols) {
    const long hd = long(c.num_attention_heads) * c.head_dim;
    if (q_rows == hd && o_cols == hd) return Variant::Rope;
    if (q_rows == hd && o_cols == 2 * hd) return Variant::RopePPEC;
    if (2 * q_rows == hd && o_cols == hd && c.num_key_value_heads % 2 == 0) return Variant::RopePPEH;
    return std::nullopt;
}

HeadLayout make_head_layout(const ModelConfig& c, Variant v) {
    HeadLayout l;
    l.variant = v;
    l.head_dim = c.head_dim;
    const int H = c.num_attention_heads, Hkv = c.num_key_value_heads;
    switch (v) {
        case Variant::Rope:
            l.query_heads = H, l.kv_heads = Hkv, l.model_heads = H;
            break;
        case Variant::RopePPEC:
            l.query_heads = H, l.kv_heads = Hkv, l.model_heads = 2 * H;
            break;
        case Variant::RopePPEH:
            if (H % 2 || Hkv % 2)
                throw FileError(c.path, "RoPE++_EH needs even num_attention_heads and num_key_value_heads");
            l.query_heads = H / 2, l.kv_heads = Hkv / 2, l.model_heads = H;
            break;
    }
    // repeat_kv: attention head a reads KV head a / (model_heads / kv_heads).
    const int group = l.model_heads / l.kv_heads;
    if (v == Variant::Rope) {
        for (int h = 0; h < H; ++h) l.heads.push_back({h, h, h / group, false, false, H + h});
        for (int h = 0; h < H; ++h) l.heads.push_back({H + h, h, h / group, true, true, h});
    } else {
        for (int a = 0; a < l.model_heads; ++a)
            l.heads.push_back({a, a / 2, a / group, a % 2 == 1, false, a ^ 1});
    }
    return l;
}

long kv_cache_bytes_per_token(const ModelConfig& c, const HeadLayout& l) {
    return 2L /*K and V*/ * l.kv_heads * c.head_dim * 2 /*bytes*/ * c.num_hidden_layers;
}

}  // namespace rs
