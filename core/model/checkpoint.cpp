// Opening a checkpoint folder: finds the weight files, resolves the variant, checks every tensor.
#include "checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "error.h"
#include "json_depth.h"

namespace rs {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::string read_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw FileError(p.string(), "cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Index of the first of n raw values whose exponent bits (mask) are all ones, or n. Blocks are
// scanned in parallel with a branch-free, vectorisable test; only a block that holds a match is
// scanned again for its position. The scan reads every weight once, as fast as memory allows.
template <class Word>
std::size_t first_all_ones_exponent(const std::uint8_t* p, std::size_t n, Word mask) {
    constexpr std::size_t kBlock = std::size_t(1) << 16;
    const std::size_t blocks = (n + kBlock - 1) / kBlock;
    std::size_t first = n;
#pragma omp parallel for schedule(static) reduction(min : first) if (blocks > 1)
    for (std::size_t b = 0; b < blocks; ++b) {
        const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
        bool any = false;
        for (std::size_t i = begin; i < end; ++i) {
            Word v;
            std::memcpy(&v, p + sizeof(Word) * i, sizeof(Word));
            any |= (v & mask) == mask;
        }
        if (!any) continue;
        for (std::size_t i = begin; i < end; ++i) {
            Word v;
            std::memcpy(&v, p + sizeof(Word) * i, sizeof(Word));
            if ((v & mask) == mask) {
                first = std::min(first, i);
                break;
            }
        }
    }
    return first;
}

// Index of the first NaN or infinity among a float tensor's raw values (all-ones exponent), if any.
std::optional<std::size_t> first_non_finite(const TensorView& t) {
    const std::size_t n = std::size_t(t.numel());
    std::size_t first = n;
    if (t.dtype == DType::F32)
        first = first_all_ones_exponent<std::uint32_t>(t.bytes.data(), n, 0x7f800000u);
    else if (t.dtype == DType::BF16 || t.dtype == DType::F16)
        first = first_all_ones_exponent<std::uint16_t>(
            t.bytes.data(), n, std::uint16_t(t.dtype == DType::BF16 ? 0x7f80 : 0x7c00));
    if (first == n) return std::nullopt;
    return first;
}

// "[3, 17]" for flat index 65 of a [4, 16] tensor.
std::string element_index(const TensorView& t, std::size_t flat) {
    std::vector<std::int64_t> idx(t.shape.size());
    for (std::size_t d = t.shape.size(); d-- > 0;) {
        idx[d] = std::int64_t(flat % std::size_t(t.shape[d]));
        flat /= std::size_t(t.shape[d]);
    }
    TensorView v;
    v.shape = idx;
    return v.shape_string();
}

}  // namespace

std::vector<std::string> parse_safetensors_index(const std::string& text,
                                                 const std::string& where) {
    if (!json_depth_within(text))
        throw FileError(where,
                        "nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw FileError(where, std::string("not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw FileError(where, "has no \"weight_map\" object");
    std::vector<std::string> names;
    for (const auto& [tensor, file] : j["weight_map"].items()) {
        if (!file.is_string())
            throw FileError(where, "weight_map entry for '" + tensor + "' is not a file name");
        auto name = file.get<std::string>();
        if (name.empty() || name.find('/') != std::string::npos ||
            name.find('\\') != std::string::npos || name == "." || name == "..")
            throw FileError(where, "weight_map names '" + name +
                                       "', which is not a file inside the checkpoint folder");
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    if (names.empty()) throw FileError(where, "weight_map is empty");
    return names;
}

std::vector<std::pair<std::string, std::vector<std::int64_t>>> expected_tensors(
    const ModelConfig& c, const HeadLayout& l) {
    using Shape = std::vector<std::int64_t>;
    const std::int64_t D = c.hidden_size, I = c.intermediate_size, d = c.head_dim;
    const std::int64_t q = l.query_heads * d, kv = l.kv_heads * d, o = l.model_heads * d;
    std::vector<std::pair<std::string, Shape>> t;
    t.push_back({"model.embed_tokens.weight", {c.vocab_size, D}});
    for (int i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        t.push_back({p + "input_layernorm.weight", {D}});
        t.push_back({p + "post_attention_layernorm.weight", {D}});
        if (c.sandwich_norms) {
            t.push_back({p + "pre_feedforward_layernorm.weight", {D}});
            t.push_back({p + "post_feedforward_layernorm.weight", {D}});
        }
        if (c.fused_projections) {
            t.push_back({p + "self_attn.qkv_proj.weight", {q + 2 * kv, D}});
        } else {
            t.push_back({p + "self_attn.q_proj.weight", {q, D}});
            t.push_back({p + "self_attn.k_proj.weight", {kv, D}});
            t.push_back({p + "self_attn.v_proj.weight", {kv, D}});
        }
        t.push_back({p + "self_attn.o_proj.weight", {D, o}});
        if (c.qkv_bias) {
            t.push_back({p + "self_attn.q_proj.bias", {q}});
            t.push_back({p + "self_attn.k_proj.bias", {kv}});
            t.push_back({p + "self_attn.v_proj.bias", {kv}});
        }
        if (c.o_bias) t.push_back({p + "self_attn.o_proj.bias", {D}});
        if (c.qk_norm) {
            t.push_back({p + "self_attn.q_norm.weight", {d}});
            t.push_back({p + "self_attn.k_norm.weight", {d}});
        }
        if (c.fused_projections) {
            t.push_back({p + "mlp.gate_up_proj.weight", {2 * I, D}});
        } else {
            t.push_back({p + "mlp.gate_proj.weight", {I, D}});
            t.push_back({p + "mlp.up_proj.weight", {I, D}});
        }
        t.push_back({p + "mlp.down_proj.weight", {D, I}});
        if (c.mlp_bias) {
            t.push_back({p + "mlp.gate_proj.bias", {I}});
            t.push_back({p + "mlp.up_proj.bias", {I}});
            t.push_back({p + "mlp.down_proj.bias", {D}});
        }
    }
    t.push_back({"model.norm.weight", {D}});
    if (!c.tie_word_embeddings) t.push_back({"lm_head.weight", {c.vocab_size, D}});
    return t;
}

// Multimodal Gemma 3 keeps its language model's tensors under a prefix: language_model.model.*
// and language_model.lm_head.weight as published on the Hub, model.language_model.* as
// transformers 5 saves it. They are indexed under the text model's names; the vision tower's
// tensors keep theirs and are never read.
namespace {
std::string language_model_name(const std::string& name) {
    for (const char* prefix : {"language_model.model.", "model.language_model."})
        if (name.rfind(prefix, 0) == 0) return "model." + name.substr(std::strlen(prefix));
    if (name == "language_model.lm_head.weight") return "lm_head.weight";
    return name;
}
}  // namespace

void Checkpoint::index_file(std::shared_ptr<SafetensorsFile> f) {
    const bool wrapped = !config_.language_model_of.empty();
    for (const auto& [stored, view] : f->tensors()) {
        const std::string name = wrapped ? language_model_name(stored) : stored;
        auto [it, fresh] = index_.emplace(name, &view);
        if (!fresh)
            throw FileError(f->path(), "tensor '" + name + "' also appears in " + it->second->file);
    }
    files_.push_back(std::move(f));
}

Checkpoint Checkpoint::open(const std::string& dir_arg, const CheckpointOptions& options) {
    const fs::path dir(dir_arg);
    if (!fs::exists(dir)) throw FileError(dir_arg, "no such file or folder");
    if (!fs::is_directory(dir))
        throw FileError(dir_arg, "is not a folder (a checkpoint is a folder with config.json)");
    Checkpoint ck;
    ck.dir_ = dir_arg;
    const fs::path config_path = dir / "config.json";
    if (!fs::exists(config_path))
        throw FileError(config_path.string(), "missing: every checkpoint folder needs config.json");
    ck.config_ = load_model_config(config_path.string(), options.config);

    const fs::path single = dir / "model.safetensors", index = dir / "model.safetensors.index.json";
    if (fs::exists(index)) {
        for (const auto& name : parse_safetensors_index(read_text(index), index.string())) {
            const fs::path shard = dir / name;
            if (!fs::exists(shard))
                throw FileError(shard.string(),
                                "missing (listed in " + index.filename().string() + ")");
            ck.index_file(std::make_shared<SafetensorsFile>(shard.string()));
        }
    } else if (fs::exists(single)) {
        ck.index_file(std::make_shared<SafetensorsFile>(single.string()));
    } else if (fs::exists(dir / "pytorch_model.bin") ||
               fs::exists(dir / "pytorch_model.bin.index.json")) {
        throw FileError(dir_arg,
                        "has only pytorch_model.bin (a pickle, which RoPEScope never loads because "
                        "unpickling runs arbitrary code); convert it to model.safetensors first");
    } else {
        throw FileError(dir_arg, "has no model.safetensors or model.safetensors.index.json");
    }

    // Variant: explicit override, else rope_config, else the tensor shapes.
    const auto* q = ck.has("model.layers.0.self_attn.q_proj.weight")
                        ? &ck.tensor("model.layers.0.self_attn.q_proj.weight")
                        : nullptr;
    const auto* o = ck.has("model.layers.0.self_attn.o_proj.weight")
                        ? &ck.tensor("model.layers.0.self_attn.o_proj.weight")
                        : nullptr;
    std::optional<Variant> from_shapes;
    if (q && o && q->shape.size() == 2 && o->shape.size() == 2)
        from_shapes = variant_from_shapes(ck.config_, long(q->shape[0]), long(o->shape[1]));
    if (const char* qkv = "model.layers.0.self_attn.qkv_proj.weight";
        ck.config_.fused_projections && o && ck.has(qkv) && ck.tensor(qkv).shape.size() == 2) {
        // The query rows of a fused projection: what is left after k and v (shapes are checked
        // against the variant's layout below).
        const long kv_rows = long(ck.config_.num_key_value_heads) * ck.config_.head_dim;
        from_shapes = variant_from_shapes(ck.config_, long(ck.tensor(qkv).shape[0]) - 2 * kv_rows,
                                          long(o->shape[1]));
    }
    Variant v;
    if (options.variant) {
        v = *options.variant;
        ck.variant_source_ = "override";
    } else if (auto from_config = variant_from_config(ck.config_)) {
        v = *from_config;
        ck.variant_source_ = "rope_config";
    } else if (from_shapes) {
        v = *from_shapes;
        ck.variant_source_ = "tensor shapes";
    } else {
        std::string detail =
            (q && o) ? "q_proj is " + q->shape_string() + " and o_proj is " + o->shape_string()
                     : std::string("layer 0 has no q_proj/o_proj weights");
        throw FileError(dir_arg, "cannot tell RoPE, RoPE++_EH or RoPE++_EC apart: " + detail +
                                     ", which fits none of them for num_attention_heads " +
                                     std::to_string(ck.config_.num_attention_heads) +
                                     " and head_dim " + std::to_string(ck.config_.head_dim));
    }
    ck.layout_ = make_head_layout(ck.config_, v);
    ck.check_tensors();
    return ck;
}

void Checkpoint::check_tensors() const {
    for (const auto& [name, shape] : expected_tensors(config_, layout_)) {
        auto it = index_.find(name);
        if (it == index_.end())
            throw FileError(dir_, "tensor '" + name + "' is missing (needed by config.json's " +
                                      variant_name(layout_.variant) + " layout)");
        const TensorView& t = *it->second;
        if (!is_float_weight_dtype(t.dtype))
            throw FileError(t.file, "tensor '" + name + "' has dtype " + dtype_name(t.dtype) +
                                        "; weights must be BF16, F16 or F32");
        if (t.shape != shape) {
            TensorView want;
            want.shape = shape;
            throw FileError(t.file, "tensor '" + name + "' has shape " + t.shape_string() +
                                        " but " + variant_name(layout_.variant) +
                                        " with this config.json needs " + want.shape_string());
        }
    }
}

const TensorView& Checkpoint::tensor(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) throw FileError(dir_, "tensor '" + name + "' is missing");
    const TensorView& t = *it->second;
    {
        std::lock_guard lock(finite_->mutex);
        if (finite_->names.count(name)) return t;
    }
    // Scanned outside the lock so layers loading in parallel do not wait for each other. A NaN
    // weight is an error, not a warning: it reaches every attention row downstream of it, so no
    // map, statistic or loss from such a model would mean anything.
    if (const auto bad = first_non_finite(t)) {
        float v = 0;
        convert_to_f32(t.dtype, t.bytes.subspan(*bad * dtype_size(t.dtype), dtype_size(t.dtype)),
                       std::span<float>(&v, 1));
        throw FileError(t.file, "tensor '" + name + "' holds " +
                                    (std::isnan(v) ? "NaN"
                                     : v > 0       ? "+Inf"
                                                   : "-Inf") +
                                    " at element " + element_index(t, *bad) +
                                    "; a model with non-finite weights cannot produce meaningful "
                                    "attention");
    }
    std::lock_guard lock(finite_->mutex);
    finite_->names.insert(name);
    return t;
}

long Checkpoint::parameter_count() const {
    long n = 0;
    for (const auto& [name, shape] : expected_tensors(config_, layout_))
        n += index_.at(name)->numel();
    return n;
}

std::string Checkpoint::weight_dtype() const {
    return dtype_name(index_.at("model.embed_tokens.weight")->dtype);
}

std::uint64_t Checkpoint::mapped_bytes() const {
    std::uint64_t total = 0;
    for (const auto& f : files_) total += f->mapped_bytes();
    return total;
}

std::vector<std::string> Checkpoint::files() const {
    std::vector<std::string> out;
    for (const auto& f : files_) out.push_back(f->path());
    return out;
}

}  // namespace rs
