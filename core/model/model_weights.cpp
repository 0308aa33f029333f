// Conversion of checkpoint tensors into Eigen matrices (exact for BF16/F16 -> F32).
#include "model_weights.h"

#include "error.h"
#include "page_advice.h"

namespace rs {

namespace {

const TensorView& require_matrix(const TensorView& t) {
    if (t.shape.size() != 2) throw FileError(t.file, "tensor '" + t.name + "' is not 2-D");
    return t;
}

}  // namespace

MatrixRM load_matrix(const TensorView& t) {
    require_matrix(t);
    MatrixRM m(t.shape[0], t.shape[1]);
    advise_huge_pages(m.data(), std::size_t(m.size()) * sizeof(float));
    convert_to_f32(t.dtype, t.bytes, std::span<float>(m.data(), std::size_t(m.size())));
    return m;
}

VectorF load_vector(const TensorView& t) {
    if (t.shape.size() != 1) throw FileError(t.file, "tensor '" + t.name + "' is not 1-D");
    VectorF v(t.shape[0]);
    convert_to_f32(t.dtype, t.bytes, std::span<float>(v.data(), std::size_t(v.size())));
    return v;
}

namespace {

// Phi-3's fused projections split by rows, as its modeling code splits their outputs: q, k, v
// (query rows first) and gate, up (halves). Checkpoint::check_tensors has checked the shapes.
void split_fused(const Checkpoint& ck, const std::string& p, LayerWeights& w) {
    const MatrixRM qkv = load_matrix(ck.tensor(p + "self_attn.qkv_proj.weight"));
    const long kv = long(ck.layout().kv_heads) * ck.config().head_dim, q = qkv.rows() - 2 * kv;
    w.wq = qkv.topRows(q);
    w.wk = qkv.middleRows(q, kv);
    w.wv = qkv.bottomRows(kv);
    const MatrixRM gate_up = load_matrix(ck.tensor(p + "mlp.gate_up_proj.weight"));
    const long inter = gate_up.rows() / 2;
    w.w_gate = gate_up.topRows(inter);
    w.w_up = gate_up.bottomRows(inter);
}

// An RMSNorm weight as the forward pass multiplies by it: Gemma's norms scale by 1 + w, computed
// in float32 as its modeling code does.
VectorF load_norm(const Checkpoint& ck, const std::string& name) {
    VectorF w = load_vector(ck.tensor(name));
    if (ck.config().norm_offset) w.array() += 1.0f;
    return w;
}

std::shared_ptr<LayerWeights> convert_layer(const Checkpoint& ck, int i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    auto w = std::make_shared<LayerWeights>();
    w->attn_norm = load_norm(ck, p + "input_layernorm.weight");
    if (ck.config().sandwich_norms) {  // Gemma's post_attention_layernorm is on the attention output
        w->post_attn_norm = load_norm(ck, p + "post_attention_layernorm.weight");
        w->mlp_norm = load_norm(ck, p + "pre_feedforward_layernorm.weight");
        w->post_mlp_norm = load_norm(ck, p + "post_feedforward_layernorm.weight");
    } else {
        w->mlp_norm = load_norm(ck, p + "post_attention_layernorm.weight");
    }
    if (ck.config().fused_projections) {
        split_fused(ck, p, *w);
    } else {
        w->wq = load_matrix(ck.tensor(p + "self_attn.q_proj.weight"));
        w->wk = load_matrix(ck.tensor(p + "self_attn.k_proj.weight"));
        w->wv = load_matrix(ck.tensor(p + "self_attn.v_proj.weight"));
        w->w_gate = load_matrix(ck.tensor(p + "mlp.gate_proj.weight"));
        w->w_up = load_matrix(ck.tensor(p + "mlp.up_proj.weight"));
    }
    w->wo = load_matrix(ck.tensor(p + "self_attn.o_proj.weight"));
    if (ck.config().qkv_bias) {
        w->bq = load_vector(ck.tensor(p + "self_attn.q_proj.bias"));
        w->bk = load_vector(ck.tensor(p + "self_attn.k_proj.bias"));
        w->bv = load_vector(ck.tensor(p + "self_attn.v_proj.bias"));
    }
    if (ck.config().o_bias) w->bo = load_vector(ck.tensor(p + "self_attn.o_proj.bias"));
    if (ck.config().qk_norm) {
        w->q_norm = load_norm(ck, p + "self_attn.q_norm.weight");
        w->k_norm = load_norm(ck, p + "self_attn.k_norm.weight");
    }
    w->w_down = load_matrix(ck.tensor(p + "mlp.down_proj.weight"));
    if (ck.config().mlp_bias) {
        w->b_gate = load_vector(ck.tensor(p + "mlp.gate_proj.bias"));
        w->b_up = load_vector(ck.tensor(p + "mlp.up_proj.bias"));
        w->b_down = load_vector(ck.tensor(p + "mlp.down_proj.bias"));
    }
    return w;
}

}  // namespace

ModelWeights::ModelWeights(const Checkpoint& ck, bool keep_layers_resident,
                           const ProgressFn& progress)
    : ck_(ck), resident_(keep_layers_resident), layers_(ck.config().num_hidden_layers) {
    embed_view_ = &require_matrix(ck.tensor("model.embed_tokens.weight"));
    final_norm_ = load_norm(ck, "model.norm.weight");
    lm_head_view_ = &require_matrix(ck.tensor(
        ck.config().tie_word_embeddings ? "model.embed_tokens.weight" : "lm_head.weight"));
    if (resident_) {
        const long total = long(layers_.size()) + 1;
        auto report = [&](long done) {
            if (progress && !progress(done, total)) throw Cancelled();
        };
        report(0);
        lm_head_ = load_matrix(*lm_head_view_);
        report(1);
        for (int i = 0; i < int(layers_.size()); ++i) {
            layers_[i] = convert_layer(ck_, i);
            report(i + 2);
        }
    }
}

const float* ModelWeights::lm_head_rows(long first, long count, MatrixRM& scratch) const {
    const TensorView& t = *lm_head_view_;
    const long dim = long(t.shape[1]);
    if (resident_) return lm_head_.data() + first * dim;
    if (scratch.rows() != count || scratch.cols() != dim) {
        scratch.resize(count, dim);
        advise_huge_pages(scratch.data(), std::size_t(scratch.size()) * sizeof(float));
    }
    const std::size_t row_bytes = std::size_t(dim) * dtype_size(t.dtype);
    convert_to_f32(t.dtype,
                   t.bytes.subspan(std::size_t(first) * row_bytes, std::size_t(count) * row_bytes),
                   std::span<float>(scratch.data(), std::size_t(scratch.size())));
    return scratch.data();
}

void ModelWeights::embed_row(int id, float* out) const {
    const TensorView& t = *embed_view_;
    const std::size_t dim = std::size_t(t.shape[1]), row_bytes = dim * dtype_size(t.dtype);
    convert_to_f32(t.dtype, t.bytes.subspan(std::size_t(id) * row_bytes, row_bytes),
                   std::span<float>(out, dim));
}

std::shared_ptr<const LayerWeights> ModelWeights::layer(int i) const {
    const auto& held = layers_.at(std::size_t(i));  // also checks i
    if (resident_) return held;
    return convert_layer(ck_, i);
}

std::uint64_t ModelWeights::held_bytes() const {
    std::uint64_t floats = std::uint64_t(lm_head_.size() + final_norm_.size());
    if (resident_)
        for (const auto& w : layers_)
            if (w) floats += w->float_count();
    return floats * sizeof(float);
}

}  // namespace rs
