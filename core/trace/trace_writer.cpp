// Trace writer: creates every dataset from the schema tables at begin_run, streams Q/K, lse and
// overview maps layer by layer, writes the results in finish(), then publishes the file.
#include "trace_writer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>

#include "dtype.h"
#include "error.h"
#include "hdf5_io.h"
#include "trace_curves.h"
#include "trace_noise.h"
#include "trace_output_file.h"
#include "trace_schema.h"

namespace rs {

namespace {

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Overview means keep 12 significant bits (relative error <= 2^-12, round to nearest even): the
// zeroed low mantissa bits let shuffle + deflate halve the maps again (docs/trace-format.md).
constexpr int kOverviewDroppedBits = 12;

float round_significand(float v) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    if ((bits & 0x7f800000u) == 0x7f800000u) return v;  // inf / NaN unchanged
    const std::uint32_t half = 1u << (kOverviewDroppedBits - 1);
    const std::uint32_t odd = (bits >> kOverviewDroppedBits) & 1u;
    bits = (bits + half - 1 + odd) & ~((1u << kOverviewDroppedBits) - 1);
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

// [layers, heads, n] from per-head vectors; heads whose vector is not n long (not observed) are
// NaN.
template <class Get>
std::vector<double> per_head(const RunStats& st, std::size_t n, Get get) {
    std::vector<double> out(std::size_t(st.layers) * st.heads * n, kNaN);
    for (int l = 0; l < st.layers; ++l)
        for (int h = 0; h < st.heads; ++h) {
            const std::vector<double>& v = get(st.at(l, h));
            if (v.size() == n)
                std::copy(v.begin(), v.end(), out.begin() + (std::size_t(l) * st.heads + h) * n);
        }
    return out;
}

template <class Get>
std::vector<double> per_head_scalar(const RunStats& st, Get get) {
    std::vector<double> out;
    out.reserve(std::size_t(st.layers) * st.heads);
    for (int l = 0; l < st.layers; ++l)
        for (int h = 0; h < st.heads; ++h)
            out.push_back(st.observed[std::size_t(l) * st.heads + h] ? get(st.at(l, h)) : kNaN);
    return out;
}

// One bucketed statistic of every head: [layers, heads, buckets, n] (n = 1 for a scalar); heads
// not observed are NaN.
template <class Get>
std::vector<double> per_head_bucket(const RunStats& st, std::size_t n, Get get) {
    const std::size_t B = st.buckets.size();
    std::vector<double> out(std::size_t(st.layers) * st.heads * B * n, kNaN);
    for (std::size_t i = 0; i < st.head.size(); ++i)
        for (std::size_t b = 0; b < B && b < st.head[i].buckets.size(); ++b)
            get(st.head[i].buckets[b], out.begin() + std::ptrdiff_t((i * B + b) * n));
    return out;
}

template <class Get>
std::vector<double> per_bucket(const std::vector<BucketStats>& v, std::size_t n, Get get) {
    std::vector<double> out(v.size() * n, kNaN);
    for (std::size_t b = 0; b < v.size(); ++b) get(v[b], out.begin() + std::ptrdiff_t(b * n));
    return out;
}

// Copies a list statistic of the expected length (anything else stays NaN: a mismatch is a bug
// caught by the round-trip tests, not data to write).
void copy_list(const std::vector<double>& v, std::size_t n, std::vector<double>::iterator to) {
    if (v.size() == n) std::copy(v.begin(), v.end(), to);
}

}  // namespace

struct TraceWriter::Impl {
    TraceOutputFile out;
    h5::Handle file;  // closed before `out` publishes or discards the file
    std::string checkpoint_dir, config_json, rope_sources, ignored_keys, rope_override;
    std::vector<char> rope_layers;  // [layers] 1 = RoPE; empty = every layer
    std::vector<int> layer_window;  // [layers] sliding window, 0 = full; empty = every layer full
    RopeParams params;
    TraceTokens tokens;
    QKPrecision precision;
    RunInfo info;
    HeadLayout layout;
    RopeSpectrum rope;
    std::optional<RopeSpectrum> rope_local;  // Gemma 3's local-RoPE layers' spectrum
    trace::Shape shape;
    std::vector<float> lse;        // [heads, T] of the layer being run
    std::vector<char> layer_done;  // [layers] bit 1: q/k, 2: lse, 4: overview
    bool finished = false;

    Impl(const std::string& dest, bool allow_unnamed) : out(dest, allow_unnamed) {}

    hid_t f() const { return file.get(); }
    void dataset(const std::string& path, auto&& write) {
        h5::Handle d = h5::open_dataset(f(), path);
        write(d.get());
    }
    template <class T>
    void put(const std::string& path, const std::vector<T>& v) {
        dataset(path, [&](hid_t d) { h5::write_whole<T>(d, v); });
    }
    void create(const std::vector<trace::DatasetSpec>& specs) {
        for (const auto& s : specs) {
            h5::Handle t = trace::file_type_of(s.elem, precision);
            h5::create_dataset(f(), s.path, t.get(), s.dims, trace::storage_for(s));
        }
    }
    void write_meta();
    void write_heads();
    void write_qk(int layer, const char* name, const MatrixRM& m, int heads);
    void write_overview(const OverviewLayer& o);
    void write_stats(const RunStats& st);
    void write_bucket_stats(const RunStats& st);
    void write_results(std::span<const float> nll, const RunStats& st);
    void write_noise(std::span<const NoiseSweep> noise);
};

// Every public entry: HDF5 silenced on this thread, HDF5 failures reported against the destination.
template <class F>
static auto guarded(const std::string& dest, F&& f) {
    return h5::as_file_error(dest, "cannot write the trace: ", std::forward<F>(f));
}

TraceWriter::TraceWriter(const std::string& destination, const Checkpoint& ck, TraceTokens tokens,
                         TraceWriterOptions options) {
    guarded(destination, [&] {
        impl_ = std::make_unique<Impl>(destination, options.allow_unnamed_temp);
        Impl& m = *impl_;
        m.checkpoint_dir = std::filesystem::absolute(ck.dir()).lexically_normal().string();
        m.config_json = ck.config().source_text;
        m.rope_layers = ck.config().rope_layers;
        m.layer_window = ck.config().layer_window;
        for (const auto& line : provenance_lines(ck.config())) m.rope_sources += line + "\n";
        for (const auto& key : ck.config().ignored_keys) m.ignored_keys += key + "\n";
        m.rope_override = ck.config().rope_override.label();
        m.params = ck.config().rope_params();
        m.tokens = std::move(tokens);
        m.precision = options.precision;
        const std::size_t T = m.tokens.ids.size();
        if (!m.tokens.display.empty() && m.tokens.display.size() != T)
            throw UsageError("trace: token strings and token ids differ in count");
        if (!m.tokens.offsets.empty() && m.tokens.offsets.size() != T)
            throw UsageError("trace: token offsets and token ids differ in count");
        m.file = h5::create_file(m.out.write_path(), m.out.unnamed());
        h5::write_attr(m.f(), "format", std::string(trace::kFormat));
        h5::write_attr(m.f(), "schema_version", std::int64_t(trace::kSchemaVersion));
        h5::write_attr(m.f(), "created_by", std::string("RoPEScope " ROPESCOPE_VERSION));
        h5::write_attr(m.f(), "created_at", utc_now());
    });
}

TraceWriter::~TraceWriter() = default;

const std::string& TraceWriter::destination() const {
    return impl_->out.destination();
}

void TraceWriter::begin_run(const RunInfo& info) {
    guarded(destination(), [&] {
        Impl& m = *impl_;
        if (std::size_t(info.tokens) != m.tokens.ids.size())
            throw UsageError("trace: the run has " + std::to_string(info.tokens) +
                             " tokens, the writer was given " +
                             std::to_string(m.tokens.ids.size()));
        m.info = info;
        m.layout = *info.layout;
        m.rope = *info.rope;
        m.info.layout = &m.layout;
        m.info.rope = &m.rope;
        if (info.rope_local) {  // copied like the main spectrum: the run's may not outlive it
            m.rope_local = *info.rope_local;
            m.info.rope_local = &*m.rope_local;
        }
        auto& s = m.shape;
        s.tokens = hsize_t(info.tokens);
        s.layers = hsize_t(info.layers);
        s.heads = hsize_t(m.layout.analysis_heads());
        s.query_heads = hsize_t(m.layout.query_heads);
        s.kv_heads = hsize_t(m.layout.kv_heads);
        s.head_dim = hsize_t(m.layout.head_dim);
        s.half = hsize_t(m.rope.half());
        s.local_rope = m.rope_local.has_value();
        s.overview_cells = overview_levels(info.tokens);
        m.lse.assign(s.heads * s.tokens, 0.0f);
        m.layer_done.assign(info.layers, 0);
        m.write_meta();
        h5::create_group(m.f(), "layers");
        for (int l = 0; l < info.layers; ++l) {
            h5::Handle g = h5::create_group(m.f(), trace::layer_group(l, info.layers));
            h5::write_attr(g.get(), "layer", std::int64_t(l));
            h5::write_attr(g.get(), "rope", std::int64_t(m.rope_layers.empty() || m.rope_layers[l]));
            h5::write_attr(g.get(), "window", std::int64_t(m.layer_window.empty() ? 0 : m.layer_window[l]));
            h5::write_attr(g.get(), "local_rope", std::int64_t(m.info.uses_local_rope(l)));
            h5::create_group(g.get(), "overview");
            m.create(trace::layer_datasets(s, l));
        }
    });
}

void TraceWriter::Impl::write_meta() {
    h5::Handle g = h5::create_group(f(), "meta");
    const hid_t mg = g.get();
    h5::write_attr(mg, "checkpoint_path", checkpoint_dir);
    h5::write_attr(mg, "config_json", config_json);
    h5::write_attr(mg, "rope_sources", rope_sources);
    h5::write_attr(mg, "ignored_config_keys", ignored_keys);
    h5::write_attr(mg, "rope_override", rope_override);
    h5::write_attr(mg, "variant", variant_key(layout.variant));
    h5::write_attr(mg, "variant_name", variant_name(layout.variant));
    h5::write_attr(mg, "tokens", std::int64_t(info.tokens));
    h5::write_attr(mg, "layers", std::int64_t(info.layers));
    h5::write_attr(mg, "head_dim", std::int64_t(layout.head_dim));
    h5::write_attr(mg, "query_heads", std::int64_t(layout.query_heads));
    h5::write_attr(mg, "kv_heads", std::int64_t(layout.kv_heads));
    h5::write_attr(mg, "model_heads", std::int64_t(layout.model_heads));
    h5::write_attr(mg, "analysis_heads", std::int64_t(layout.analysis_heads()));
    h5::write_attr(mg, "rope_theta", params.theta);
    h5::write_attr(mg, "rotary_dim", std::int64_t(rope.rotary_dim));
    h5::write_attr(mg, "partial_rotary_factor", params.partial_rotary_factor);
    h5::write_attr(mg, "linear_factor", params.linear_factor);
    h5::write_attr(mg, "yarn_factor", params.yarn_factor);
    h5::write_attr_f32(mg, "cos_sin_scale", rope.cos_sin_scale);
    h5::write_attr_f32(mg, "logit_scale", info.logit_scale);
    // Always written (0 = none): whoever recomputes logits from Q and K must cap them as the run did.
    h5::write_attr_f32(mg, "logit_softcap", info.logit_softcap);
    h5::write_attr(mg, "qk_dtype", qk_precision_name(precision));
    h5::write_attr(mg, "has_text", std::int64_t(!tokens.text.empty()));
    h5::write_attr(mg, "has_token_display", std::int64_t(!tokens.display.empty()));
    h5::create_group(mg, "heads");
    create(trace::meta_datasets(shape));

    const std::size_t T = tokens.ids.size();
    dataset("meta/input_text", [&](hid_t d) { h5::write_whole_strings(d, {tokens.text}); });
    put("meta/token_ids", tokens.ids);
    std::vector<std::string> display = tokens.display;
    display.resize(T);
    dataset("meta/token_display", [&](hid_t d) { h5::write_whole_strings(d, display); });
    std::vector<std::int64_t> offsets(2 * T, -1);  // [T, 2]; -1 where no tokenizer said
    for (std::size_t t = 0; t < tokens.offsets.size(); ++t) {
        offsets[2 * t] = std::int64_t(tokens.offsets[t].first);
        offsets[2 * t + 1] = std::int64_t(tokens.offsets[t].second);
    }
    put("meta/token_offsets", offsets);
    put("meta/inv_freq", rope.inv_freq);
    put("meta/inv_freq_f32", rope.inv_freq_f32);
    if (rope_local) {
        put("meta/inv_freq_local", rope_local->inv_freq);
        put("meta/inv_freq_local_f32", rope_local->inv_freq_f32);
    }
    put("meta/overview_cells",
        std::vector<std::int32_t>(shape.overview_cells.begin(), shape.overview_cells.end()));
    write_heads();
}

void TraceWriter::Impl::write_heads() {
    std::vector<std::uint8_t> imag, virt;
    std::vector<std::int32_t> qh, kvh, twin;
    std::vector<std::string> label;
    for (const auto& h : layout.heads) {
        imag.push_back(h.imag);
        virt.push_back(h.is_virtual);
        qh.push_back(h.query_head);
        kvh.push_back(h.kv_head);
        twin.push_back(h.twin);
        label.push_back(layout.label(h.index));
    }
    put("meta/heads/imag", imag);
    put("meta/heads/virtual", virt);
    put("meta/heads/query_head", qh);
    put("meta/heads/kv_head", kvh);
    put("meta/heads/twin", twin);
    dataset("meta/heads/label", [&](hid_t d) { h5::write_whole_strings(d, label); });
}

void TraceWriter::on_block(const AttentionBlock& b) {
    // Worker threads: each head owns its own row of the buffer, so no lock is needed.
    float* dst = impl_->lse.data() + std::size_t(b.head) * impl_->info.tokens;
    std::copy(b.lse, b.lse + b.rows(), dst + b.row_begin);
}

void TraceWriter::Impl::write_qk(int layer, const char* name, const MatrixRM& m, int heads) {
    const int T = info.tokens, d = layout.head_dim;
    h5::Handle ds = h5::open_dataset(f(), trace::layer_group(layer, info.layers) + "/" + name);
    std::vector<float> f32;          // [T, d] one head (f32 storage)
    std::vector<std::uint16_t> f16;  // [T, d] one head (f16 storage)
    h5::Handle half = h5::half_type();
    for (int h = 0; h < heads; ++h) {
        const h5::Dims offset{hsize_t(h), 0, 0}, count{1, hsize_t(T), hsize_t(d)};
        if (precision == QKPrecision::F32) {
            f32.resize(std::size_t(T) * d);
            for (int t = 0; t < T; ++t)
                std::copy_n(m.data() + std::size_t(t) * m.cols() + std::size_t(h) * d, d,
                            &f32[std::size_t(t) * d]);
            h5::write_block(ds.get(), H5T_NATIVE_FLOAT, offset, count, f32.data());
            continue;
        }
        f16.resize(std::size_t(T) * d);
        for (int t = 0; t < T; ++t)
            for (int i = 0; i < d; ++i) {
                const float v = m(t, std::size_t(h) * d + i);
                const std::uint16_t bits = f32_to_f16_rne(v);
                if (std::isfinite(v) && (bits & 0x7c00) == 0x7c00)
                    throw Error("layer " + std::to_string(layer) + ": a post-RoPE " +
                                (name[0] == 'q' ? "query" : "key") + " value (" +
                                std::to_string(v) +
                                ") exceeds the float16 range; trace with --f32");
                f16[std::size_t(t) * d + i] = bits;
            }
        h5::write_block(ds.get(), half.get(), offset, count, f16.data());
    }
}

void TraceWriter::on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) {
    guarded(destination(), [&] {
        Impl& m = *impl_;
        m.write_qk(layer, "q", q, m.layout.query_heads);
        m.write_qk(layer, "k", k, m.layout.kv_heads);
        m.layer_done[layer] |= 1;
    });
}

void TraceWriter::end_layer(int layer) {
    guarded(destination(), [&] {
        Impl& m = *impl_;
        m.put(trace::layer_group(layer, m.info.layers) + "/lse", m.lse);
        m.layer_done[layer] |= 2;
    });
}

void TraceWriter::Impl::write_overview(const OverviewLayer& o) {
    if (o.heads != int(shape.heads) || o.levels.size() != shape.overview_cells.size())
        throw UsageError("trace: overview maps do not match the run's heads and levels");
    std::vector<float> rounded;  // [heads, P, P]
    for (std::size_t i = 0; i < o.levels.size(); ++i) {
        rounded.resize(o.levels[i].mean.size());
        std::transform(o.levels[i].mean.begin(), o.levels[i].mean.end(), rounded.begin(),
                       round_significand);
        put(trace::overview_path(o.layer, info.layers, o.levels[i].cells), rounded);
    }
    layer_done.at(o.layer) |= 4;
}

OverviewProbe::Sink TraceWriter::overview_sink() {
    return [this](OverviewLayer&& o) { guarded(destination(), [&] { impl_->write_overview(o); }); };
}

void TraceWriter::Impl::write_stats(const RunStats& st) {
    h5::create_group(f(), "stats");
    if (shape.buckets_stored) {
        h5::create_group(f(), trace::kBucketGroup);
        h5::create_group(f(), trace::kUniformGroup);
    }
    create(trace::stats_datasets(shape));
    put("stats/thresholds", std::vector<std::int32_t>(st.thresholds.begin(), st.thresholds.end()));
    put("stats/bin_edges", std::vector<std::int32_t>(st.bin_edges.begin(), st.bin_edges.end()));
    put("stats/observed", std::vector<std::uint8_t>(st.observed.begin(), st.observed.end()));
    put("stats/long_range_mass",
        per_head(
            st, shape.thresholds, [](const HeadStats& h) -> auto& { return h.long_range_mass; }));
    put("stats/mean_distance",
        per_head_scalar(st, [](const HeadStats& h) { return h.mean_distance; }));
    put("stats/entropy", per_head_scalar(st, [](const HeadStats& h) { return h.entropy; }));
    put("stats/bin_mass",
        per_head(
            st, shape.bins, [](const HeadStats& h) -> auto& { return h.bin_mass; }));
    put("stats/bin_logit",
        per_head(
            st, shape.bins, [](const HeadStats& h) -> auto& { return h.bin_logit; }));
    put("stats/bin_pairs",
        per_head(
            st, shape.bins, [](const HeadStats& h) -> auto& { return h.bin_pairs; }));
    put("stats/freq_re",
        per_head(
            st, shape.half, [](const HeadStats& h) -> auto& { return h.freq_re; }));
    put("stats/freq_im",
        per_head(
            st, shape.half, [](const HeadStats& h) -> auto& { return h.freq_im; }));
    std::vector<double> pass;  // [layers, heads]; set for every head, observed or not
    for (const auto& h : st.head) pass.push_back(h.passthrough);
    put("stats/passthrough", pass);
    if (shape.buckets_stored) write_bucket_stats(st);
}

void TraceWriter::Impl::write_bucket_stats(const RunStats& st) {
    h5::Handle g = h5::open_group(f(), trace::kBucketGroup);
    h5::write_attr(g.get(), "sink_exclude", std::int64_t(st.sink_exclude));
    h5::write_attr(g.get(), "train_length", std::int64_t(st.train_length));
    h5::write_attr(g.get(), "train_length_source", st.train_length_source);
    put("stats/sink_counts", std::vector<std::int32_t>(st.sink_counts.begin(), st.sink_counts.end()));
    std::vector<std::int32_t> range;
    std::vector<std::string> names;
    for (const auto& b : st.buckets) {
        range.insert(range.end(), {b.lo, b.hi});
        names.push_back(b.name);
    }
    put(std::string(trace::kBucketGroup) + "/range", range);
    dataset(std::string(trace::kBucketGroup) + "/name",
            [&](hid_t d) { h5::write_whole_strings(d, names); });
    const std::size_t D = shape.thresholds, K = shape.sink_counts, B = shape.bins;
    using It = std::vector<double>::iterator;
    const std::pair<const char*, std::pair<std::size_t, std::function<void(const BucketStats&, It)>>>
        fields[] = {
            {"long_range_mass", {D, [&](const BucketStats& b, It o) { copy_list(b.long_range_mass, D, o); }}},
            {"mean_distance", {1, [](const BucketStats& b, It o) { *o = b.mean_distance; }}},
            {"entropy", {1, [](const BucketStats& b, It o) { *o = b.entropy; }}},
            {"sink_mass", {K, [&](const BucketStats& b, It o) { copy_list(b.sink_mass, K, o); }}},
            {"long_range_mass_ex",
             {D, [&](const BucketStats& b, It o) { copy_list(b.long_range_mass_ex, D, o); }}},
            {"mean_distance_ex", {1, [](const BucketStats& b, It o) { *o = b.mean_distance_ex; }}},
            {"bin_mass", {B, [&](const BucketStats& b, It o) { copy_list(b.bin_mass, B, o); }}},
            {"bin_mass_ex", {B, [&](const BucketStats& b, It o) { copy_list(b.bin_mass_ex, B, o); }}}};
    for (const auto& [name, field] : fields) {
        put(std::string(trace::kBucketGroup) + "/" + name,
            per_head_bucket(st, field.first, field.second));
        put(std::string(trace::kUniformGroup) + "/" + name,
            per_bucket(st.uniform, field.first, field.second));
    }
}

void TraceWriter::Impl::write_results(std::span<const float> nll, const RunStats& st) {
    h5::Handle loss = h5::create_group(f(), "loss");
    double sum = 0.0;
    for (float v : nll) sum += v;
    h5::write_attr(loss.get(), "mean_nll", nll.empty() ? 0.0 : sum / double(nll.size()));
    const TraceCurves c = make_trace_curves(params, info, st);
    shape.curve_points = c.uniform.distance.size();
    h5::Handle cg = h5::create_group(f(), "curves");
    h5::write_attr(cg.get(), "base", c.uniform.base);
    h5::write_attr(cg.get(), "rotary_dim", std::int64_t(c.uniform.rotary_dim));
    h5::write_attr(cg.get(), "has_closed_form", std::int64_t(c.uniform.has_closed_form));
    h5::write_attr(cg.get(), "closed_form_note", c.uniform.closed_form_note);
    h5::write_attr(cg.get(), "logit_scale", c.uniform.logit_scale);
    h5::write_attr(cg.get(), "logit_scale_applied", std::int64_t(c.uniform.logit_scale_applied));
    for (const auto& [name, gap] :
         {std::pair{"real_gap", c.uniform.real_gap}, std::pair{"imag_gap", c.uniform.imag_gap}}) {
        h5::write_attr(cg.get(), std::string(name) + "_max_abs", gap.max_abs);
        h5::write_attr(cg.get(), std::string(name) + "_relative", gap.relative);
        h5::write_attr(cg.get(), std::string(name) + "_at_distance", gap.at_distance);
    }
    create(trace::result_datasets(shape));
    put("loss/token_nll", std::vector<float>(nll.begin(), nll.end()));
    put("curves/distance", c.uniform.distance);
    put("curves/real_sum", c.uniform.real_sum);
    put("curves/imag_sum", c.uniform.imag_sum);
    put("curves/real_closed", c.uniform.real_closed);
    put("curves/imag_closed", c.uniform.imag_closed);
    put("curves/expected_logit", c.expected_logit);
}

void TraceWriter::Impl::write_noise(std::span<const NoiseSweep> noise) {
    trace::write_noise_sweeps(f(), noise);
}

void TraceWriter::finish(std::span<const float> token_nll, const RunStats& stats,
                         std::span<const NoiseSweep> noise) {
    guarded(destination(), [&] {
        Impl& m = *impl_;
        if (m.finished) throw UsageError("trace: finish() called twice");
        if (m.layer_done.empty() && m.info.tokens == 0)
            throw UsageError("trace: finish() before the model ran");
        for (int l = 0; l < m.info.layers; ++l)
            if (m.layer_done[l] != 7)
                throw UsageError(
                    "trace: layer " + std::to_string(l) +
                    " is incomplete (is an OverviewProbe connected to overview_sink()?)");
        if (stats.layers != m.info.layers || stats.heads != int(m.shape.heads) ||
            stats.tokens != m.info.tokens)
            throw UsageError("trace: the statistics come from a different run");
        if (token_nll.size() != m.shape.tokens - 1)
            throw UsageError("trace: token NLL has the wrong length");
        m.shape.thresholds = stats.thresholds.size();
        m.shape.bins = stats.bin_edges.empty() ? 0 : stats.bin_edges.size() - 1;
        m.shape.buckets_stored = stats.has_buckets();
        m.shape.sink_counts = stats.sink_counts.size();
        m.shape.buckets = stats.buckets.size();
        if (stats.has_buckets() && stats.uniform.size() != stats.buckets.size())
            throw UsageError("trace: the uniform reference does not match the query buckets");
        m.write_stats(stats);
        m.write_results(token_nll, stats);
        m.write_noise(noise);
        h5::check(m.file.close(), "close the file");
        m.out.commit();
        m.finished = true;
    });
}

void save_trace_with_noise(const std::string& source, const std::string& destination,
                           std::span<const NoiseSweep> noise) {
    guarded(destination, [&] {
        // A named temporary: the copy needs a path, and the destination may be the source itself.
        TraceOutputFile out(destination, false);
        std::error_code ec;
        std::filesystem::copy_file(source, out.write_path(),
                                   std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) throw FileError(destination, "cannot copy " + source + ": " + ec.message());
        h5::Handle file = h5::open_file_write(out.write_path());
        if (h5::exists(file.get(), "experiments"))
            h5::check(H5Ldelete(file.get(), "experiments", H5P_DEFAULT),
                      "remove the stored noise sweeps");
        trace::write_noise_sweeps(file.get(), noise);
        h5::check(file.close(), "close the file");
        out.commit();
    });
}

}  // namespace rs
