// Forward pass: embeddings -> [RMSNorm -> attention (+probes) -> RMSNorm -> SiLU MLP] x L ->
// lm_head.
#include "model.h"

#include <cblas.h>
#include <omp.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <optional>

#include "causal_attention.h"
#include "error.h"
#include "soft_cap.h"

namespace rs {

double ForwardResult::mean_nll() const {
    if (nll.empty()) return 0.0;
    return std::accumulate(nll.begin(), nll.end(), 0.0) / double(nll.size());
}

void rms_norm_rows(const float* x, float* out, long rows, long dim, long ld_in, long ld_out,
                   const VectorF& weight, float eps) {
#pragma omp parallel for schedule(static) if (rows >= 64)
    for (long r = 0; r < rows; ++r) {
        const float* xr = x + r * ld_in;
        float* o = out + r * ld_out;
        double ss = 0.0;
        for (long i = 0; i < dim; ++i) ss += double(xr[i]) * xr[i];
        const float var = static_cast<float>(ss / double(dim));
        const float inv = 1.0f / std::sqrt(var + eps);
        for (long i = 0; i < dim; ++i) o[i] = weight[i] * (xr[i] * inv);
    }
}

namespace {

void add_bias(MatrixRM& m, const VectorF& b) {
    if (b.size()) m.rowwise() += b.transpose();
}

float silu(float v) {
    return v / (1.0f + std::exp(-v));
}

// PyTorch's gelu(approximate="tanh"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
float gelu_tanh(float v) {
    constexpr float kBeta = 0.7978845608028654f, kKappa = 0.044715f;
    return 0.5f * v * (1.0f + std::tanh(kBeta * (v + kKappa * v * v * v)));
}

}  // namespace

// The caller's ProgressFn, polled from inside long loops on any thread: one call at a time (others
// skip rather than wait), at most every kInterval; once it answers false every poll throws.
class Model::Poll {
  public:
    Poll(const ProgressFn& fn, long total) : fn_(fn), total_(total) {}
    void report(long done) {  // between layers, always called
        done_ = done;
        const std::lock_guard lock(mutex_);
        call();
    }
    void operator()() {
        if (stop_) throw Cancelled();
        if (!fn_) return;
        const long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
        if (now - last_ms_ < kIntervalMs) return;
        const std::unique_lock lock(mutex_, std::try_to_lock);
        if (!lock.owns_lock()) return;
        last_ms_ = now;
        call();
    }

  private:
    static constexpr long kIntervalMs = 50;
    void call() {
        if (fn_ && !fn_(done_, total_)) stop_ = true;
        if (stop_) throw Cancelled();
    }
    const ProgressFn& fn_;
    const long total_;
    std::atomic<long> done_{0};
    std::atomic<long> last_ms_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
};

Model::Model(std::shared_ptr<const Checkpoint> ck, bool keep_layers_resident,
             const ProgressFn& progress)
    : ck_(std::move(ck)),
      weights_(*ck_, keep_layers_resident, progress),
      params_(ck_->config().rope_params()),
      rope_(make_rope_spectrum(params_)) {
    if (!ck_->config().local_rope_layers.empty())
        local_rope_ = make_rope_spectrum(ck_->config().local_rope_params());
}

RopeSpectrum Model::rope_for(long tokens) const {
    return params_.depends_on_run_length() ? make_rope_spectrum(params_, tokens) : rope_;
}

ForwardResult Model::forward(std::span<const std::int32_t> ids, const ForwardOptions& opt) const {
    const auto& c = ck_->config();
    const int T = static_cast<int>(ids.size());
    if (T == 0) throw UsageError("the token sequence is empty");
    for (auto id : ids)
        if (id < 0 || id >= c.vocab_size)
            throw UsageError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                             std::to_string(c.vocab_size) + ")");
    Poll poll(opt.progress, c.num_hidden_layers + 1);
    auto report = [&](long done) { poll.report(done); };

    // longrope and dynamic NTK change the spectrum with the run length; the probes (and traces)
    // get the spectrum this run used.
    std::optional<RopeSpectrum> run_rope;
    if (params_.depends_on_run_length()) run_rope = make_rope_spectrum(params_, T);
    const RopeSpectrum& rope = run_rope ? *run_rope : rope_;
    RunInfo info{T, c.num_hidden_layers, &ck_->layout(), &rope, c.attention_scale(),
                 float(c.attn_logit_softcap), c.layer_window, local_rope(), c.local_rope_layers};
    for (auto* p : opt.probes) p->begin_run(info);

    MatrixRM x(T, c.hidden_size);  // [T, D] residual stream
    for (int t = 0; t < T; ++t) weights_.embed_row(ids[t], x.row(t).data());
    // Gemma: hidden_size**0.5 as a float32 tensor, as its modeling code rounds it.
    if (c.embed_scale) x *= static_cast<float>(std::sqrt(double(c.hidden_size)));
    const RopeTable table = make_rope_table(rope, T);
    const RopeTable local_table = local_rope_ ? make_rope_table(*local_rope_, T) : RopeTable{};
    report(0);
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        // A streamed layer is this run's own and is freed at the end of the iteration (or when
        // a cancel unwinds), before the next one is converted.
        const auto w = weights_.layer(l);
        if (c.uses_local_rope(l))
            attention(l, *w, x, *local_rope_, local_table, opt, poll);
        else
            attention(l, *w, x, rope, table, opt, poll);
        mlp(*w, x, opt.chunk_rows, poll);
        for (auto* p : opt.probes) p->end_layer(l);
        report(l + 1);
    }
    ForwardResult out;
    if (opt.keep_logits) out.logits.resize(T, c.vocab_size);
    lm_head(x, ids, opt, out, poll);
    for (auto* p : opt.probes) p->end_run();
    report(c.num_hidden_layers + 1);
    return out;
}

void Model::attention(int layer, const LayerWeights& w, MatrixRM& x, const RopeSpectrum& rope_spectrum,
                      const RopeTable& table, const ForwardOptions& opt, Poll& poll) const {
    const auto& c = ck_->config();
    const auto& L = ck_->layout();
    const int T = static_cast<int>(x.rows()), d = c.head_dim;
    MatrixRM xn(T, c.hidden_size);  // [T, D]
    rms_norm_rows(x.data(), xn.data(), T, c.hidden_size, c.hidden_size, c.hidden_size, w.attn_norm,
                  float(c.rms_norm_eps));
    MatrixRM q = xn * w.wq.transpose();  // [T, query_heads*d]
    MatrixRM k = xn * w.wk.transpose();  // [T, kv_heads*d]
    MatrixRM v = xn * w.wv.transpose();  // [T, kv_heads*d]
    add_bias(q, w.bq);
    add_bias(k, w.bk);
    add_bias(v, w.bv);
    xn.resize(0, 0);
    if (c.qk_norm) {  // Qwen3, Gemma 3: each head's q and k normalised over head_dim before RoPE
        rms_norm_rows(q.data(), q.data(), long(T) * L.query_heads, d, d, d, w.q_norm, float(c.rms_norm_eps));
        rms_norm_rows(k.data(), k.data(), long(T) * L.kv_heads, d, d, d, w.k_norm, float(c.rms_norm_eps));
    }
    // A NoPE layer (SmolLM3) attends by content alone: no rotation, hence no imaginary part.
    const bool rope = c.layer_has_rope(layer);
    if (rope) {
        apply_rope(rope_spectrum, table, q.data(), T, L.query_heads, q.cols());
        apply_rope(rope_spectrum, table, k.data(), T, L.kv_heads, k.cols());
    }
    for (auto* p : opt.probes) p->on_layer_qk(layer, q, k);

    // Heads to run: every model head, plus virtual heads some probe asked for.
    struct Run {
        int head;
        std::vector<AttentionProbe*> probes;
    };
    std::vector<Run> runs;
    for (const auto& h : L.heads) {
        Run r{h.index, {}};
        if (h.imag && !rope) continue;  // only vanilla models have NoPE layers: these heads are virtual
        for (auto* p : opt.probes)
            if (p->wants(layer, h.index)) r.probes.push_back(p);
        if (!h.is_virtual || !r.probes.empty()) runs.push_back(std::move(r));
    }

    MatrixRM attn_out = MatrixRM::Zero(T, long(L.model_heads) * d);  // [T, model_heads*d]
    const float scale = c.attention_scale();
    std::exception_ptr failure;
#pragma omp parallel
    {
        AttentionScratch scratch;
        MatrixRM qh(T, d);  // [T, d] this head's rotated query
#pragma omp for schedule(dynamic, 1)
        for (int i = 0; i < int(runs.size()); ++i) {
            try {
                const HeadInfo& h = L.heads[runs[i].head];
                const float* qsrc = q.data() + long(h.query_head) * d;
                if (h.imag)
                    imag_from_real(rope_spectrum, qsrc, q.cols(), qh.data(), d, T);
                else
                    for (int t = 0; t < T; ++t)
                        std::copy_n(qsrc + long(t) * q.cols(), d, qh.data() + long(t) * d);
                if (opt.query_hook) opt.query_hook(layer, h, qh.data(), d, T);
                HeadAttentionJob job;
                job.layer = layer;
                job.head = h.index;
                job.tokens = T;
                job.head_dim = d;
                job.scale = scale;
                job.softcap = float(c.attn_logit_softcap);
                job.window = c.attention_window(layer);
                job.block_rows = opt.block_rows;
                job.q = {qh.data(), d};
                job.k = {k.data() + long(h.kv_head) * d, k.cols()};
                job.v = {v.data() + long(h.kv_head) * d, v.cols()};
                if (!h.is_virtual) {
                    job.out = attn_out.data() + long(h.index) * d;
                    job.out_ld = attn_out.cols();
                }
                job.after_block = [&poll] { poll(); };
                causal_attention_head(job, runs[i].probes, scratch);
            } catch (...) {
#pragma omp critical
                if (!failure) failure = std::current_exception();
            }
        }
    }
    if (failure) std::rethrow_exception(failure);
    MatrixRM o = attn_out * w.wo.transpose();  // [T, D]
    add_bias(o, w.bo);
    if (w.post_attn_norm.size())
        rms_norm_rows(o.data(), o.data(), T, c.hidden_size, c.hidden_size, c.hidden_size, w.post_attn_norm,
                      float(c.rms_norm_eps));
    x += o;
}

void Model::mlp(const LayerWeights& w, MatrixRM& x, int chunk_rows, Poll& poll) const {
    const auto& c = ck_->config();
    const long T = x.rows(), D = c.hidden_size;
    const bool gelu = c.hidden_act == "gelu_pytorch_tanh";
    MatrixRM xn, g, u, y;
    for (long r0 = 0; r0 < T; r0 += chunk_rows) {
        const long rows = std::min<long>(chunk_rows, T - r0);
        xn.resize(rows, D);  // [rows, D]
        rms_norm_rows(x.data() + r0 * D, xn.data(), rows, D, D, D, w.mlp_norm,
                      float(c.rms_norm_eps));
        g.noalias() = xn * w.w_gate.transpose();  // [rows, I]
        u.noalias() = xn * w.w_up.transpose();    // [rows, I]
        add_bias(g, w.b_gate);
        add_bias(u, w.b_up);
        if (gelu)
            g = g.unaryExpr([](float v) { return gelu_tanh(v); }).cwiseProduct(u);
        else
            g = g.unaryExpr([](float v) { return silu(v); }).cwiseProduct(u);
        y.noalias() = g * w.w_down.transpose();  // [rows, D]
        add_bias(y, w.b_down);
        if (w.post_mlp_norm.size())
            rms_norm_rows(y.data(), y.data(), rows, D, D, D, w.post_mlp_norm, float(c.rms_norm_eps));
        x.middleRows(r0, rows) += y;
        poll();
    }
}

// Vocabulary chunks outside, row chunks inside: each chunk of lm_head is converted (when not
// resident) once per forward pass, and each row's log-sum-exp is accumulated online across chunks
// (running max and rescaled sum), so neither [T, V] logits nor the whole fp32 lm_head exist.
void Model::lm_head(const MatrixRM& x, std::span<const std::int32_t> ids, const ForwardOptions& opt,
                    ForwardResult& out, Poll& poll) const {
    const auto& c = ck_->config();
    const long T = x.rows(), D = c.hidden_size, V = c.vocab_size;
    MatrixRM xn(T, D);  // [T, D]
    rms_norm_rows(x.data(), xn.data(), T, D, D, D, weights_.final_norm(), float(c.rms_norm_eps));
    std::vector<float> row_max(T, -std::numeric_limits<float>::infinity()), target(T, 0.0f);
    std::vector<double> row_sum(T, 0.0);
    MatrixRM w_scratch, logits;
    for (long v0 = 0; v0 < V; v0 += opt.vocab_chunk) {
        const long cols = std::min<long>(opt.vocab_chunk, V - v0);
        const float* w = weights_.lm_head_rows(v0, cols, w_scratch);  // [cols, D]
        for (long r0 = 0; r0 < T; r0 += opt.chunk_rows) {
            const long rows = std::min<long>(opt.chunk_rows, T - r0);
            logits.resize(rows, cols);  // [rows, cols] = xn [rows, D] x w [cols, D]^T
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(cols), int(D), 1.0f,
                        xn.data() + r0 * D, int(D), w, int(D), 0.0f, logits.data(), int(cols));
            soft_cap(logits.data(), logits.size(), float(c.final_logit_softcap));
            for (long r = 0; r < rows; ++r) {
                const long t = r0 + r;
                if (t + 1 >= T) continue;
                // Float sum of a vectorised exp per chunk: 16 lanes keep the rounding error far
                // below 1e-6, and a scalar double loop cost as much as the lm_head GEMM.
                const float m = std::max(row_max[t], logits.row(r).maxCoeff());
                const double chunk_sum = (logits.row(r).array() - m).exp().sum();
                row_sum[t] = row_sum[t] * std::exp(double(row_max[t]) - m) + chunk_sum;
                row_max[t] = m;
                const long id = ids[t + 1];
                if (id >= v0 && id < v0 + cols) target[t] = logits(r, id - v0);
            }
            if (out.logits.size()) out.logits.block(r0, v0, rows, cols) = logits;
            poll();
        }
    }
    out.nll.assign(T - 1, 0.0f);
    for (long t = 0; t + 1 < T; ++t)
        out.nll[t] = static_cast<float>(row_max[t] + std::log(row_sum[t]) - target[t]);
}

}  // namespace rs
