// Trace reader: validation on open, lazy loading afterwards.
#include "trace_reader.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <new>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>
#if defined(__F16C__)
#include <immintrin.h>
#endif
#include <optional>

#include "dtype.h"
#include "error.h"
#include "hdf5_io.h"
#include "json_depth.h"
#include "overview_probe.h"
#include "trace_array_cache.h"
#include "trace_noise.h"
#include "trace_schema.h"
#include "uniform_reference.h"

namespace rs {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        out.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return out;
}

// Bounds on metadata a damaged or hostile file could inflate before we allocate from it.
constexpr std::int64_t kMaxTokens = 1 << 24, kMaxLayers = 4096, kMaxHeads = 65536,
                       kMaxHeadDim = 65536;
constexpr hsize_t kMaxListLength = 1 << 16;  // thresholds, bins, curve points
// One head's [T, d] query or key slab is read whole (as floats): at most 1 GiB of them.
constexpr std::uint64_t kMaxHeadSlab = std::uint64_t(1) << 28;
// A negative NLL is impossible; the run's own float rounding stays far inside this.
constexpr double kNllTolerance = 1e-4;

using trace::value_text;

// A meta attribute that must be a finite number within [lo, hi] (lo excluded when open_lo).
double ranged(hid_t g, const char* name, double lo, double hi, bool open_lo, bool f32 = false) {
    const double v = f32 ? double(h5::read_attr_f32(g, name)) : h5::read_attr_double(g, name);
    if (!std::isfinite(v) || v < lo || v > hi || (open_lo && v == lo)) {
        char range[96];
        std::snprintf(range, sizeof range, "%s%g, %g]", open_lo ? "(" : "[", lo, hi);
        throw h5::Failure("meta attribute '" + std::string(name) + "' = " + value_text(v) +
                          " is outside " + range);
    }
    return v;
}

// The RoPE override the run applied; a label the reader cannot parse is damage, not a setting to
// guess at (views recompute the run's RoPE from it).
RopeOverride read_rope_override(hid_t g) {
    const std::string label = h5::read_attr_string(g, "rope_override");
    try {
        return parse_rope_override(label);
    } catch (const UsageError& e) {
        throw h5::Failure("meta attribute 'rope_override' = '" + label + "' is not an override (" + e.what() + ")");
    }
}

constexpr std::size_t kDefaultCacheBytes = std::size_t(256) << 20;

std::int64_t bounded(hid_t g, const char* name, std::int64_t lo, std::int64_t hi) {
    const std::int64_t v = h5::read_attr_int(g, name);
    if (v < lo || v > hi)
        throw h5::Failure("meta attribute '" + std::string(name) + "' = " + std::to_string(v) +
                          " is out of range");
    return v;
}

// Bounded by read_meta, which names what is implausibly many.
hsize_t length(hid_t file, const std::string& path) {
    return trace::list_length(file, path, std::numeric_limits<hsize_t>::max());
}

// A RoPE spectrum (the export's wavelengths and the curves view's head overlays read it).
template <class T>
std::vector<T> checked_spectrum(std::vector<T> v, const std::string& path) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!(std::isfinite(v[i]) && v[i] > 0))
            trace::bad_value(path, i, double(v[i]), "a RoPE frequency is finite and > 0");
    return v;
}

// Appends n IEEE halves to `out` as floats (exact), eight at a time with F16C where available.
void decode_halves(const std::uint16_t* h, std::size_t n, std::vector<float>& out) {
    std::size_t i = 0;
#if defined(__F16C__)
    alignas(32) float buf[8];
    for (; i + 8 <= n; i += 8) {
        _mm256_store_ps(buf,
                        _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + i))));
        out.insert(out.end(), buf, buf + 8);
    }
#endif
    for (; i < n; ++i) out.push_back(f16_to_f32(h[i]));
}

std::vector<double> slice(const std::vector<double>& v, std::size_t at, std::size_t n) {
    return {v.begin() + std::ptrdiff_t(at * n), v.begin() + std::ptrdiff_t(at * n + n)};
}

}  // namespace

struct TraceReader::Impl {
    std::string path;
    h5::Handle file;
    TraceMeta meta;
    RunStats stats;
    trace::Shape shape;
    std::optional<std::vector<float>> nll;
    std::optional<double> mean_nll;
    std::optional<TraceCurves> curves;
    std::optional<std::vector<NoiseSweep>> noise;
    TraceArrayCache cache{kDefaultCacheBytes};
    std::vector<std::string> warnings;

    void warn(const std::string& what) {
        const std::string w = path + ": " + what;
        if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(w);
    }

    // Paths validate() found by hard links alone: reading them again skips the link walk. And
    // the meta and stats datasets it opened, handed over to open()'s own reads of them (one each)
    // instead of opened twice; layer data is read later, through `validated`. (Walks and second
    // opens were a third of the time the trace fuzzer spent opening its small edited traces.)
    std::set<std::string> validated;
    std::map<std::string, h5::Handle> held;

    hid_t f() const { return file.get(); }
    h5::Handle open(const std::string& dataset) {
        if (const auto it = held.find(dataset); it != held.end()) {
            h5::Handle d = std::move(it->second);
            held.erase(it);
            return d;
        }
        return validated.count(dataset) ? h5::reopen_dataset(f(), dataset)
                                        : h5::open_dataset(f(), dataset);
    }
    template <class T>
    std::vector<T> read(const std::string& dataset) {
        return h5::read_array<T>(open(dataset).get());
    }
    template <class T>
    std::vector<T> read_spectrum(const std::string& dataset) {
        return checked_spectrum(read<T>(dataset), dataset);
    }
    void check_root();
    void read_meta();
    void read_layout(hid_t meta_group);
    void read_rope_layers();
    void read_local_rope();
    void read_tokens();
    void validate();
    long vocab_size() const;
    void read_stats();
    void check_distance_grid(const std::vector<std::int32_t>& thresholds,
                             const std::vector<std::int32_t>& edges) const;
    void read_bucket_stats();
    std::vector<double> read_bucket_field(
        const std::string& group, const char* name, std::size_t rows, std::size_t n,
        const std::function<bool(std::size_t)>& row_checked,
        const std::function<bool(std::size_t, std::size_t)>& may_be_nan,
        const trace::StatRange& range);
    void check_stats_row(std::size_t i, const std::vector<double>& lrm,
                         const std::vector<double>& bm, const std::vector<double>& bl,
                         const std::vector<double>& bp, const std::vector<double>& dist,
                         const std::vector<double>& ent, const trace::StatRanges& in);
    // Throws "dataset 'stats/NAME' holds V for observed layer L head H [at AT][; WHY]" for row i
    // (layer * heads + head); kWhole: the row's one value.
    static constexpr std::size_t kWhole = std::size_t(-1);
    [[noreturn]] void bad_head_value(const char* name, std::size_t i, std::size_t at, double v,
                                     const std::string& why = {}) const;
    void check_frequency_row(std::size_t i, const std::vector<double>& fre,
                             const std::vector<double>& fim, const std::vector<double>& pass) const;
    void check_tile(const Tile& t, const std::string& head_name) const;
    static void check_row_sum(const Tile& t, int i, double sum,
                              const std::function<h5::Failure(const std::string&)>& damaged);
    TraceCurves read_curves();
    void check_curves(const TraceCurves& c) const;
    std::vector<NoiseSweep> read_noise();
    std::vector<float> read_qk(const char* name, int layer, int head, int heads);
    void check_slab(const std::string& dataset, int head, const std::vector<float>& v);
    TraceArrayCache::Array cached(TraceArrayCache::Kind kind, int layer, int index);
};

// `what` names what was being read, for the one failure HDF5 cannot name: running out of
// memory (which a file's declared sizes are bounded to avoid, but a small machine can still hit).
template <class F>
static auto guarded(const std::string& path, F&& f, const std::string& what = "the trace") {
    h5::silence_errors();
    try {
        return f();
    } catch (const h5::Failure& e) {
        throw FileError(path, std::string("damaged or incomplete trace: ") + e.what());
    } catch (const std::bad_alloc&) {
        throw FileError(path, "not enough memory to read " + what);
    }
}

TraceReader TraceReader::open(const std::string& path) {
    h5::silence_errors();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw FileError(path, "no such file");
    if (std::filesystem::is_directory(path, ec))
        throw FileError(path, "is a folder, not a trace file");
    // A FIFO or device would block (or never end) on the first read.
    if (!std::filesystem::is_regular_file(path, ec))
        throw FileError(path, "is not a regular file (a pipe or device?), so not a trace file");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 < 0) throw FileError(path, "cannot read: " + h5::error_stack_text());
    if (is_hdf5 == 0) throw FileError(path, "not an HDF5 file, so not a RoPEScope trace");
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    try {
        impl->file = h5::open_file_read(path);
    } catch (const h5::Failure& e) {
        const std::string why = e.what();
        // HDF5's own words for a file cut inside its superblock ("bad byte number in an
        // address") do not say what happened; the smallest superblock (version 2) is 48 bytes.
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec && size < 48)
            throw FileError(path, "the file is truncated (" + std::to_string(size) +
                                      " bytes, shorter than an HDF5 superblock)");
        if (why.find("truncated") != std::string::npos)
            throw FileError(path,
                            "the file is truncated (an interrupted copy or download?): " + why);
        throw FileError(path, "cannot open: " + why);
    }
    guarded(
        path,
        [&] {
            impl->check_root();
            impl->read_meta();
            impl->validate();
            impl->read_tokens();
            impl->read_stats();
            impl->held.clear();  // what open() did not read (a display it has none of)
        },
        "the trace's metadata and statistics");
    return TraceReader(std::move(impl));
}

void TraceReader::Impl::check_root() {
    if (!h5::has_attr(f(), "format") || h5::read_attr_string(f(), "format") != trace::kFormat)
        throw FileError(path, "an HDF5 file, but not a RoPEScope trace (no format = \"" +
                                  std::string(trace::kFormat) + "\" attribute on its root)");
    const std::int64_t v = h5::read_attr_int(f(), "schema_version");
    if (v > trace::kSchemaVersion)
        throw FileError(path, "written by a newer RoPEScope (trace schema " + std::to_string(v) +
                                  "); this build reads schema " +
                                  std::to_string(trace::kSchemaVersion) +
                                  " and older: please upgrade");
    if (v < 1) throw FileError(path, "unknown trace schema version " + std::to_string(v));
    meta.schema_version = int(v);
    meta.created_by = h5::read_attr_string(f(), "created_by");
    meta.created_at = h5::read_attr_string(f(), "created_at");
}

void TraceReader::Impl::read_meta() {
    h5::Handle g = h5::open_group(f(), "meta");
    const hid_t mg = g.get();
    meta.checkpoint_path = h5::read_attr_string(mg, "checkpoint_path");
    meta.config_json = h5::read_attr_string(mg, "config_json");
    // Provenance attributes came after schema 1 was first written: optional, absent means none.
    if (h5::has_attr(mg, "rope_sources"))
        meta.rope_sources = split_lines(h5::read_attr_string(mg, "rope_sources"));
    if (h5::has_attr(mg, "ignored_config_keys"))
        meta.ignored_config_keys = split_lines(h5::read_attr_string(mg, "ignored_config_keys"));
    if (h5::has_attr(mg, "rope_override")) meta.rope_override = read_rope_override(mg);
    meta.tokens = int(bounded(mg, "tokens", 1, kMaxTokens));
    meta.layers = int(bounded(mg, "layers", 1, kMaxLayers));
    constexpr double kHuge = 1e300;
    meta.rope_theta = ranged(mg, "rope_theta", 0, kHuge, true);
    meta.partial_rotary_factor = ranged(mg, "partial_rotary_factor", 0, 1, true);
    meta.linear_factor = ranged(mg, "linear_factor", 0, kHuge, true);
    meta.yarn_factor = ranged(mg, "yarn_factor", 0, kHuge, false);
    meta.logit_scale = float(ranged(mg, "logit_scale", 0, 1e30, true, true));
    if (h5::has_attr(mg, "logit_softcap"))  // absent before soft-capped families existed: none
        meta.logit_softcap = float(ranged(mg, "logit_softcap", 0, 1e30, false, true));
    const std::string qk = h5::read_attr_string(mg, "qk_dtype");
    if (qk != "f16" && qk != "f32") throw h5::Failure("unknown Q/K storage type '" + qk + "'");
    meta.qk_precision = qk == "f16" ? QKPrecision::F16 : QKPrecision::F32;
    read_layout(mg);
    read_rope_layers();
    auto& r = meta.rope;
    r.head_dim = meta.layout.head_dim;
    r.rotary_dim = int(bounded(mg, "rotary_dim", 2, r.head_dim));
    if (r.rotary_dim % 2) throw h5::Failure("meta attribute 'rotary_dim' is odd");
    r.cos_sin_scale = float(ranged(mg, "cos_sin_scale", 0, 1e30, true, true));
    if (std::uint64_t(meta.tokens) * std::uint64_t(r.head_dim) > kMaxHeadSlab)
        throw h5::Failure("meta says " + std::to_string(meta.tokens) + " tokens of head_dim " +
                          std::to_string(r.head_dim) + ": one head's queries would exceed " +
                          std::to_string(kMaxHeadSlab) + " values, the most a trace may hold");

    auto& s = shape;
    s.tokens = hsize_t(meta.tokens);
    s.layers = hsize_t(meta.layers);
    s.heads = hsize_t(meta.layout.analysis_heads());
    s.query_heads = hsize_t(meta.layout.query_heads);
    s.kv_heads = hsize_t(meta.layout.kv_heads);
    s.head_dim = hsize_t(meta.layout.head_dim);
    s.half = hsize_t(r.rotary_dim / 2);
    s.overview_cells = overview_levels(meta.tokens);
    s.local_rope = h5::exists(f(), "meta/inv_freq_local");
    s.thresholds = length(f(), "stats/thresholds");
    s.bins = length(f(), "stats/bin_edges");
    s.curve_points = length(f(), "curves/distance");
    if (s.bins == 0) throw h5::Failure("dataset 'stats/bin_edges' is empty");
    s.bins -= 1;
    if (s.thresholds > kMaxListLength || s.bins > kMaxListLength || s.curve_points > kMaxListLength)
        throw h5::Failure("implausibly many thresholds, distance bins or curve points");
    // Sink-aware and bucketed statistics: optional (older traces have none), all or nothing.
    s.buckets_stored = h5::exists(f(), "stats/sink_counts");
    if (!s.buckets_stored) return;
    s.sink_counts = length(f(), "stats/sink_counts");
    s.buckets = length(f(), std::string(trace::kBucketGroup) + "/name");
    if (s.sink_counts > kMaxListLength || s.buckets > kMaxListLength)
        throw h5::Failure("implausibly many sink counts or query buckets");
}

// Each layer group's `rope` flag (absent in traces written before NoPE layers existed: RoPE) and
// `window` (absent before sliding windows were computed: full attention). Untrusted: a window
// must be 0 or a positive number of tokens (one beyond the run masks nothing).
void TraceReader::Impl::read_rope_layers() {
    meta.rope_layers.assign(std::size_t(meta.layers), 1);
    meta.layer_window.assign(std::size_t(meta.layers), 0);
    for (int l = 0; l < meta.layers; ++l) {
        h5::Handle g = h5::open_group(f(), trace::layer_group(l, meta.layers));
        if (h5::has_attr(g.get(), "window")) {
            const auto w = h5::read_attr_int(g.get(), "window");
            if (w < 0 || w > (std::int64_t(1) << 30))
                throw h5::Failure(trace::layer_group(l, meta.layers) + " attribute 'window' is " +
                                  std::to_string(w) + ", not 0 (full attention) or a window in tokens");
            meta.layer_window[std::size_t(l)] = int(w);
        }
        if (h5::has_attr(g.get(), "local_rope")) {  // absent before Gemma 3: the one spectrum
            const auto v = h5::read_attr_int(g.get(), "local_rope");
            if (v != 0 && v != 1)
                throw h5::Failure(trace::layer_group(l, meta.layers) + " attribute 'local_rope' is " +
                                  std::to_string(v) + ", not 0 or 1");
            if (v) meta.local_rope_layers.resize(std::size_t(meta.layers), 0);
            if (v) meta.local_rope_layers[std::size_t(l)] = 1;
        }
        if (!h5::has_attr(g.get(), "rope")) continue;
        const auto v = h5::read_attr_int(g.get(), "rope");
        if (v != 0 && v != 1)
            throw h5::Failure(trace::layer_group(l, meta.layers) + " attribute 'rope' is " + std::to_string(v) +
                              ", not 0 or 1");
        meta.rope_layers[std::size_t(l)] = char(v);
    }
}

// Gemma 3's local spectrum (shapes checked by validate()): the same rotary dims, unscaled, and
// present exactly when some layer says it used it.
void TraceReader::Impl::read_local_rope() {
    if (shape.local_rope) {
        RopeSpectrum local = meta.rope;
        local.cos_sin_scale = 1.0f;
        local.inv_freq = read_spectrum<double>("meta/inv_freq_local");
        local.inv_freq_f32 = read_spectrum<float>("meta/inv_freq_local_f32");
        meta.rope_local = std::move(local);
    }
    if (!meta.local_rope_layers.empty() && !meta.rope_local)
        throw h5::Failure("layers say they used the local RoPE spectrum, but 'meta/inv_freq_local' is missing");
}

void TraceReader::Impl::read_layout(hid_t mg) {
    HeadLayout& L = meta.layout;
    const auto variant = parse_variant(h5::read_attr_string(mg, "variant"));
    if (!variant)
        throw h5::Failure("unknown variant '" + h5::read_attr_string(mg, "variant") + "'");
    L.variant = *variant;
    L.head_dim = int(bounded(mg, "head_dim", 1, kMaxHeadDim));
    L.query_heads = int(bounded(mg, "query_heads", 1, kMaxHeads));
    L.kv_heads = int(bounded(mg, "kv_heads", 1, kMaxHeads));
    L.model_heads = int(bounded(mg, "model_heads", 1, kMaxHeads));
    const int A = int(bounded(mg, "analysis_heads", L.model_heads, kMaxHeads));
    // The per-head arrays are checked against A in validate(); read them after that.
    L.heads.assign(A, HeadInfo{});
}

void TraceReader::Impl::validate() {
    // Two names for one dataset (a hard link made by hand) would read one layer's data as
    // another's, as a soft link would.
    std::map<std::string, std::string> seen;  // identity -> first path
    const auto check = [&](const std::vector<trace::DatasetSpec>& specs, bool hold) {
        for (const auto& spec : specs) {
            h5::LinkedDataset d = trace::check_dataset(f(), spec, meta.qk_precision);
            const auto [it, fresh] = seen.emplace(std::move(d.identity), spec.path);
            if (!fresh)
                throw h5::Failure("dataset '" + spec.path + "' is the same object as '" +
                                  it->second + "' (a second link to it)");
            validated.insert(spec.path);
            if (hold) held.emplace(spec.path, std::move(d.dset));
        }
    };
    check(trace::meta_datasets(shape), true);
    for (int l = 0; l < meta.layers; ++l) check(trace::layer_datasets(shape, l), false);
    check(trace::stats_datasets(shape), true);
    check(trace::result_datasets(shape), false);
    const auto cells = read<std::int32_t>("meta/overview_cells");
    if (!std::equal(cells.begin(), cells.end(), shape.overview_cells.begin()))
        throw h5::Failure("'meta/overview_cells' does not match the token count");
    meta.overview_cells = shape.overview_cells;
}

void TraceReader::Impl::read_tokens() {
    HeadLayout& L = meta.layout;
    const auto imag = read<std::uint8_t>("meta/heads/imag");
    const auto virt = read<std::uint8_t>("meta/heads/virtual");
    const auto qh = read<std::int32_t>("meta/heads/query_head");
    const auto kvh = read<std::int32_t>("meta/heads/kv_head");
    const auto twin = read<std::int32_t>("meta/heads/twin");
    for (int a = 0; a < L.analysis_heads(); ++a) {
        if (qh[a] < 0 || qh[a] >= L.query_heads || kvh[a] < 0 || kvh[a] >= L.kv_heads ||
            twin[a] < -1 || twin[a] >= L.analysis_heads())
            throw h5::Failure("head " + std::to_string(a) +
                              " refers to a query, KV or twin head that does not exist");
        L.heads[a] = HeadInfo{a, qh[a], kvh[a], imag[a] != 0, virt[a] != 0, twin[a]};
    }
    auto& r = meta.rope;
    r.inv_freq = read_spectrum<double>("meta/inv_freq");
    r.inv_freq_f32 = read_spectrum<float>("meta/inv_freq_f32");
    read_local_rope();

    TraceTokens& in = meta.input;
    in.ids = read<std::int32_t>("meta/token_ids");
    const long vocab = vocab_size();
    for (std::size_t t = 0; t < in.ids.size(); ++t)
        if (in.ids[t] < 0 || (vocab > 0 && in.ids[t] >= vocab))
            throw h5::Failure(
                "dataset 'meta/token_ids' holds id " + std::to_string(in.ids[t]) + " at position " +
                std::to_string(t) + ", outside the vocabulary" +
                (vocab > 0 ? " (vocab_size " + std::to_string(vocab) + " in meta/config_json)"
                           : std::string()));
    in.display.clear();
    h5::Handle mg = h5::open_group(f(), "meta");
    if (h5::read_attr_int(mg.get(), "has_token_display") != 0) {
        h5::Handle d = open("meta/token_display");
        in.display = h5::read_strings(d.get());
    }
    {
        h5::Handle d = open("meta/input_text");
        in.text = h5::read_string_dataset(d.get());
    }
    const auto off = read<std::int64_t>("meta/token_offsets");  // [T, 2]
    in.offsets.clear();
    if (!off.empty() && off[0] >= 0)
        for (std::size_t t = 0; t < in.ids.size(); ++t)
            in.offsets.emplace_back(std::size_t(off[2 * t]), std::size_t(off[2 * t + 1]));
}

// The vocabulary size from the stored config.json, or -1 when it does not say (token ids are
// then only checked to be non-negative).
long TraceReader::Impl::vocab_size() const {
    if (!json_depth_within(meta.config_json)) return -1;
    const auto j = nlohmann::json::parse(meta.config_json, nullptr, false);
    if (!j.is_object()) return -1;
    const auto it = j.find("vocab_size");
    if (it == j.end() || !it->is_number_integer() || it->get<long>() <= 0) return -1;
    return it->get<long>();
}

// The per-frequency logit contributions of an observed head (export --what freq, the curves
// view's head overlays): finite, as the run computes them from finite Q/K.
void TraceReader::Impl::check_frequency_row(std::size_t i, const std::vector<double>& fre,
                                            const std::vector<double>& fim,
                                            const std::vector<double>& pass) const {
    const std::size_t half = shape.half;
    for (const auto& [name, v, width] :
         {std::tuple{"freq_re", &fre, half}, {"freq_im", &fim, half}, {"passthrough", &pass, 1}})
        for (std::size_t k = 0; k < width; ++k)
            if (!std::isfinite((*v)[i * width + k]))
                bad_head_value(name, i, width > 1 ? k : kWhole, (*v)[i * width + k]);
}

void TraceReader::Impl::bad_head_value(const char* name, std::size_t i, std::size_t at, double v,
                                       const std::string& why) const {
    const std::size_t A = std::size_t(meta.layout.analysis_heads());
    throw h5::Failure("dataset 'stats/" + std::string(name) + "' holds " + value_text(v) +
                      " for observed layer " + std::to_string(i / A) + " head " +
                      std::to_string(i % A) +
                      (at == kWhole ? std::string() : " at " + std::to_string(at)) +
                      (why.empty() ? std::string() : "; " + why));
}

// An observed head's statistics are finite, except the two NaNs a run writes on purpose: M(D) for
// a threshold no position reaches (D >= T) and the mean logit of a distance bin with no pairs.
void TraceReader::Impl::check_stats_row(
    std::size_t i, const std::vector<double>& lrm, const std::vector<double>& bm,
    const std::vector<double>& bl, const std::vector<double>& bp, const std::vector<double>& dist,
    const std::vector<double>& ent, const trace::StatRanges& in) {
    const auto bad = [&](const char* name, std::size_t at, double v, const char* why = "") {
        bad_head_value(name, i, at, v, why);
    };
    if (!std::isfinite(dist[i])) bad("mean_distance", kWhole, dist[i]);
    if (!std::isfinite(ent[i])) bad("entropy", kWhole, ent[i]);
    if (!in.distance.holds(dist[i])) bad("mean_distance", kWhole, dist[i], in.distance.why);
    if (!in.entropy.holds(ent[i])) bad("entropy", kWhole, ent[i], in.entropy.why);
    for (std::size_t k = 0; k < shape.thresholds; ++k) {
        const double v = lrm[i * shape.thresholds + k];
        if (std::isnan(v) && stats.thresholds[k] >= meta.tokens) continue;
        if (!std::isfinite(v)) bad("long_range_mass", k, v);
        if (!in.mass.holds(v)) bad("long_range_mass", k, v, in.mass.why);
    }
    for (std::size_t b = 0; b < shape.bins; ++b) {
        const std::size_t at = i * shape.bins + b;
        if (!std::isfinite(bp[at])) bad("bin_pairs", b, bp[at]);
        if (!std::isfinite(bm[at])) bad("bin_mass", b, bm[at]);
        if (!in.mass.holds(bm[at])) bad("bin_mass", b, bm[at], in.mass.why);
        if (!std::isfinite(bl[at]) && !(std::isnan(bl[at]) && bp[at] == 0))
            bad("bin_logit", b, bl[at]);
    }
}

// The distances the statistics are labelled with, as runs write them: thresholds >= 1 in
// increasing order, bin edges rising strictly from 0 past the longest distance, T - 1. Damaged,
// they would print M(D) and bin masses under distances they were not measured at.
void TraceReader::Impl::check_distance_grid(const std::vector<std::int32_t>& thresholds,
                                            const std::vector<std::int32_t>& edges) const {
    trace::check_thresholds("stats/thresholds", thresholds);
    bool rising = edges.front() == 0 && edges.back() >= meta.tokens;
    for (std::size_t b = 1; rising && b < edges.size(); ++b) rising = edges[b] > edges[b - 1];
    if (!rising)
        throw h5::Failure("dataset 'stats/bin_edges' must rise strictly from 0 past " +
                          std::to_string(meta.tokens - 1) +
                          " (the distance bins cover every distance in the trace)");
}

void TraceReader::Impl::read_stats() {
    RunStats& st = stats;
    st.tokens = meta.tokens;
    st.layers = meta.layers;
    st.heads = meta.layout.analysis_heads();
    st.logit_scale = meta.logit_scale;
    const auto thresholds = read<std::int32_t>("stats/thresholds");
    const auto edges = read<std::int32_t>("stats/bin_edges");
    check_distance_grid(thresholds, edges);
    st.thresholds.assign(thresholds.begin(), thresholds.end());
    st.bin_edges.assign(edges.begin(), edges.end());
    const auto observed = read<std::uint8_t>("stats/observed");
    const auto lrm = read<double>("stats/long_range_mass");
    const auto dist = read<double>("stats/mean_distance");
    const auto ent = read<double>("stats/entropy");
    const auto bm = read<double>("stats/bin_mass");
    const auto bl = read<double>("stats/bin_logit");
    const auto bp = read<double>("stats/bin_pairs");
    const auto fre = read<double>("stats/freq_re");
    const auto fim = read<double>("stats/freq_im");
    const auto pass = read<double>("stats/passthrough");
    const std::size_t n = std::size_t(st.layers) * st.heads;
    const trace::StatRanges in = trace::stat_ranges(meta.tokens);
    st.head.assign(n, HeadStats{});
    st.observed.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        HeadStats& h = st.head[i];
        h.freq_re = slice(fre, i, shape.half);
        h.freq_im = slice(fim, i, shape.half);
        h.passthrough = pass[i];
        if (!observed[i]) continue;
        check_stats_row(i, lrm, bm, bl, bp, dist, ent, in);
        check_frequency_row(i, fre, fim, pass);
        st.observed[i] = true;
        h.long_range_mass = slice(lrm, i, shape.thresholds);
        h.mean_distance = dist[i];
        h.entropy = ent[i];
        h.bin_mass = slice(bm, i, shape.bins);
        h.bin_logit = slice(bl, i, shape.bins);
        h.bin_pairs = slice(bp, i, shape.bins);
    }
    st.layer_window = meta.layer_window;
    if (shape.buckets_stored) {
        read_bucket_stats();
        // Exact closed forms of the stored grid: recomputed, not stored.
        st.uniform_windowed = windowed_uniform_references(st);
    }
}

// One bucketed statistic, [rows, buckets, n] flattened (rows = layers * heads, or 1 for the
// uniform reference): every value finite, except NaN where the bucket has no query it counts.
std::vector<double> TraceReader::Impl::read_bucket_field(
    const std::string& group, const char* name, std::size_t rows, std::size_t n,
    const std::function<bool(std::size_t)>& row_checked,
    const std::function<bool(std::size_t, std::size_t)>& may_be_nan,
    const trace::StatRange& range) {
    const std::string path = group + "/" + name;
    auto v = read<double>(path);
    const std::size_t B = shape.buckets;
    for (std::size_t r = 0; r < rows; ++r) {
        if (!row_checked(r)) continue;
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t k = 0; k < n; ++k) {
                const double x = v[(r * B + b) * n + k];
                if (range.holds(x) || (std::isnan(x) && may_be_nan(b, k))) continue;
                throw h5::Failure(
                    "dataset '" + path + "' holds " + value_text(x) +
                    (group == trace::kUniformGroup
                         ? std::string()
                         : " for observed layer " + std::to_string(r / std::size_t(stats.heads)) +
                               " head " + std::to_string(r % std::size_t(stats.heads))) +
                    " in bucket " + std::to_string(b) +
                    (n > 1 ? " at " + std::to_string(k) : std::string()) +
                    (std::isfinite(x) ? "; " + std::string(range.why) : std::string()));
            }
    }
    return v;
}

void TraceReader::Impl::read_bucket_stats() {
    RunStats& st = stats;
    const std::string g = trace::kBucketGroup;
    {
        h5::Handle grp = h5::open_group(f(), g);
        st.sink_exclude = int(bounded(grp.get(), "sink_exclude", 0, kMaxTokens));
        st.train_length = int(bounded(grp.get(), "train_length", 0, 0x7fffffff));
        st.train_length_source = h5::read_attr_string(grp.get(), "train_length_source");
    }
    const auto k = read<std::int32_t>("stats/sink_counts");
    for (std::size_t i = 0; i < k.size(); ++i)
        if (k[i] <= 0 || (i && k[i] <= k[i - 1]))
            throw h5::Failure("dataset 'stats/sink_counts' is not positive and increasing");
    st.sink_counts.assign(k.begin(), k.end());
    const auto range = read<std::int32_t>(g + "/range");
    h5::Handle nd = open(g + "/name");
    const auto names = h5::read_strings(nd.get());
    const int T = meta.tokens;
    for (std::size_t b = 0; b < names.size(); ++b) {
        const int lo = range[2 * b], hi = range[2 * b + 1];
        if (lo < 0 || lo > hi || hi > T)
            throw h5::Failure("dataset '" + g + "/range' holds [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + ") for bucket " + std::to_string(b) +
                              ", not a range of query positions in [0, " + std::to_string(T) + ")");
        st.buckets.push_back({names[b], lo, hi});
    }
    if (st.buckets.empty() || st.buckets[0].lo != 0 || st.buckets[0].hi != T)
        throw h5::Failure("dataset '" + g + "/range' does not start with the bucket of all queries");
    // NaN only where no query of the bucket counts (head_stats.h): the last query is hi - 1.
    const long K = st.sink_exclude;
    auto last = [&](std::size_t b) { return long(st.buckets[b].hi) - 1; };
    auto any = [&](std::size_t b) { return st.buckets[b].hi > st.buckets[b].lo; };
    auto lrm_nan = [&](std::size_t b, std::size_t i) { return !any(b) || last(b) < st.thresholds[i]; };
    auto row_nan = [&](std::size_t b, std::size_t) { return !any(b); };
    auto sink_nan = [&](std::size_t b, std::size_t i) { return !any(b) || last(b) < st.sink_counts[i]; };
    auto lrm_ex_nan = [&](std::size_t b, std::size_t i) {
        return !any(b) || last(b) - st.thresholds[i] < K;
    };
    auto ex_nan = [&](std::size_t b, std::size_t) { return !any(b) || last(b) < K; };
    const std::size_t D = shape.thresholds, S = shape.sink_counts, NB = shape.bins, B = shape.buckets;
    const trace::StatRanges in = trace::stat_ranges(T);
    for (const std::string& grp : {g, std::string(trace::kUniformGroup)}) {
        const bool heads = grp == g;
        const std::size_t rows = heads ? st.head.size() : 1;
        auto checked = [&](std::size_t r) { return !heads || bool(st.observed[r]); };
        const auto lrm =
            read_bucket_field(grp, "long_range_mass", rows, D, checked, lrm_nan, in.mass);
        const auto dist =
            read_bucket_field(grp, "mean_distance", rows, 1, checked, row_nan, in.distance);
        const auto ent = read_bucket_field(grp, "entropy", rows, 1, checked, row_nan, in.entropy);
        const auto sink = read_bucket_field(grp, "sink_mass", rows, S, checked, sink_nan, in.mass);
        const auto lrm_ex =
            read_bucket_field(grp, "long_range_mass_ex", rows, D, checked, lrm_ex_nan, in.mass);
        const auto dist_ex =
            read_bucket_field(grp, "mean_distance_ex", rows, 1, checked, ex_nan, in.distance);
        const auto bin = read_bucket_field(grp, "bin_mass", rows, NB, checked, row_nan, in.mass);
        const auto bin_ex =
            read_bucket_field(grp, "bin_mass_ex", rows, NB, checked, ex_nan, in.mass);
        for (std::size_t r = 0; r < rows; ++r) {
            if (!checked(r)) continue;
            std::vector<BucketStats>& out = heads ? st.head[r].buckets : st.uniform;
            out.clear();
            for (std::size_t b = 0; b < B; ++b) {
                const std::size_t i = r * B + b;
                BucketStats x;
                x.long_range_mass = slice(lrm, i, D);
                x.mean_distance = dist[i];
                x.entropy = ent[i];
                x.sink_mass = slice(sink, i, S);
                x.long_range_mass_ex = slice(lrm_ex, i, D);
                x.mean_distance_ex = dist_ex[i];
                x.bin_mass = slice(bin, i, NB);
                x.bin_mass_ex = slice(bin_ex, i, NB);
                out.push_back(std::move(x));
            }
        }
    }
}

TraceCurves TraceReader::Impl::read_curves() {
    TraceCurves c;
    h5::Handle g = h5::open_group(f(), "curves");
    const hid_t cg = g.get();
    auto& u = c.uniform;
    u.base = h5::read_attr_double(cg, "base");
    u.rotary_dim = int(h5::read_attr_int(cg, "rotary_dim"));
    u.has_closed_form = h5::read_attr_int(cg, "has_closed_form") != 0;
    u.closed_form_note = h5::read_attr_string(cg, "closed_form_note");
    u.logit_scale = h5::read_attr_double(cg, "logit_scale");
    u.logit_scale_applied = h5::read_attr_int(cg, "logit_scale_applied") != 0;
    for (auto [name, gap] :
         {std::pair{"real_gap", &u.real_gap}, std::pair{"imag_gap", &u.imag_gap}}) {
        gap->max_abs = h5::read_attr_double(cg, std::string(name) + "_max_abs");
        gap->relative = h5::read_attr_double(cg, std::string(name) + "_relative");
        gap->at_distance = h5::read_attr_double(cg, std::string(name) + "_at_distance");
    }
    u.distance = read<double>("curves/distance");
    u.real_sum = read<double>("curves/real_sum");
    u.imag_sum = read<double>("curves/imag_sum");
    u.real_closed = read<double>("curves/real_closed");
    u.imag_closed = read<double>("curves/imag_closed");
    c.layers = meta.layers;
    c.heads = meta.layout.analysis_heads();
    c.expected_logit = read<double>("curves/expected_logit");
    check_curves(c);
    return c;
}

// The stored curves are derived values `export --what curves` prints as they are: each is checked
// against what its definition allows (docs/trace-format.md, "/curves").
void TraceReader::Impl::check_curves(const TraceCurves& c) const {
    const auto& u = c.uniform;
    auto attr = [](const char* name, double v, bool ok, const char* range) {
        if (!ok)
            throw h5::Failure("'curves' attribute '" + std::string(name) + "' = " + value_text(v) +
                              " is outside " + range);
    };
    attr("base", u.base, std::isfinite(u.base) && u.base > 0, "(0, Inf)");
    attr("rotary_dim", u.rotary_dim, u.rotary_dim >= 2 && u.rotary_dim <= meta.layout.head_dim,
         "[2, head_dim]");
    attr("logit_scale", u.logit_scale, std::isfinite(u.logit_scale) && u.logit_scale > 0,
         "(0, Inf)");
    const double last = std::max(meta.tokens - 1, 2);
    bool rising = !u.distance.empty() && u.distance.front() == 1.0 && u.distance.back() == last;
    for (std::size_t i = 1; rising && i < u.distance.size(); ++i)
        rising = u.distance[i] > u.distance[i - 1];
    if (!rising)
        throw h5::Failure("dataset 'curves/distance' must rise strictly from 1 to " +
                          value_text(last) + " (the trace's tokens fix both ends)");
    // A sum of cos or sin over rotary_dim / 2 frequencies, times the scale when applied.
    const double bound = (u.logit_scale_applied ? u.logit_scale : 1.0) * (u.rotary_dim / 2);
    for (const auto& [name, v] : {std::pair{"real_sum", &u.real_sum}, {"imag_sum", &u.imag_sum}})
        for (std::size_t i = 0; i < v->size(); ++i)
            if (!(std::abs((*v)[i]) <= bound * (1 + 1e-9)))  // NaN fails too
                throw h5::Failure("dataset 'curves/" + std::string(name) + "' holds " +
                                  value_text((*v)[i]) + " at [" + std::to_string(i) +
                                  "]; a sum over " + std::to_string(u.rotary_dim / 2) +
                                  " rotary frequencies is within ±" + value_text(bound));
    // The Ci/Si closed form: finite everywhere when the run's RoPE has one, NaN everywhere if not.
    for (const auto& [name, v] :
         {std::pair{"real_closed", &u.real_closed}, {"imag_closed", &u.imag_closed}})
        for (std::size_t i = 0; i < v->size(); ++i)
            if (u.has_closed_form ? !std::isfinite((*v)[i]) : !std::isnan((*v)[i]))
                throw h5::Failure("dataset 'curves/" + std::string(name) + "' holds " +
                                  value_text((*v)[i]) + " at [" + std::to_string(i) + "]; " +
                                  (u.has_closed_form ? "the closed form is finite"
                                                     : "without a closed form it is NaN") +
                                  " ('curves' attribute 'has_closed_form' = " +
                                  (u.has_closed_form ? "1)" : "0)"));
    const std::size_t n = u.distance.size();
    for (std::size_t i = 0; i < c.expected_logit.size(); ++i) {
        const std::size_t head = i / n;  // layer * heads + head
        const bool observed = head >= stats.observed.size() || stats.observed[head];
        if (observed && !std::isfinite(c.expected_logit[i]))
            throw h5::Failure("dataset 'curves/expected_logit' holds " +
                              value_text(c.expected_logit[i]) + " for observed layer " +
                              std::to_string(head / std::size_t(c.heads)) + " head " +
                              std::to_string(head % std::size_t(c.heads)) + " at [" +
                              std::to_string(i % n) + "]");
    }
}

std::vector<NoiseSweep> TraceReader::Impl::read_noise() {
    return trace::read_noise_sweeps(f(), meta.tokens);
}

std::vector<float> TraceReader::Impl::read_qk(const char* name, int layer, int head, int heads) {
    if (head < 0 || head >= heads)
        throw UsageError(std::string(name) + " head " + std::to_string(head) + " does not exist");
    if (layer < 0 || layer >= meta.layers)
        throw UsageError("layer " + std::to_string(layer) + " does not exist");
    const std::size_t n = std::size_t(meta.tokens) * meta.layout.head_dim;
    const std::string dataset = trace::layer_group(layer, meta.layers) + "/" + name;
    h5::Handle ds = open(dataset);
    const h5::Dims offset{hsize_t(head), 0, 0};
    const h5::Dims count{1, hsize_t(meta.tokens), hsize_t(meta.layout.head_dim)};
    if (meta.qk_precision == QKPrecision::F32) {
        std::vector<float> out(n);  // [T, d]
        h5::read_block(ds.get(), H5T_NATIVE_FLOAT, offset, count, out.data());
        check_slab(dataset, head, out);
        return out;
    }
    // Raw binary16 into a reused buffer, decoded here: HDF5's own half -> float conversion is a
    // slow soft path, and fresh zeroed buffers cost more than the read (page faults).
    thread_local std::vector<std::uint16_t> bits;  // [T, d]
    bits.resize(n);
    h5::Handle file_type{h5::check_id(H5Dget_type(ds.get()), "Q/K type"), H5Tclose};
    h5::read_block(ds.get(), file_type.get(), offset, count, bits.data());
    std::vector<float> out;  // [T, d]
    out.reserve(n);
    decode_halves(bits.data(), n, out);
    check_slab(dataset, head, out);
    return out;
}

// Where the values are read: a run never stores a non-finite query or key (the writer refuses
// f16 overflow), so one is damage; an all-zero head is possible in principle but much more
// likely a zeroed file region, so it is reported without refusing the data.
void TraceReader::Impl::check_slab(const std::string& dataset, int head,
                                   const std::vector<float>& v) {
    const std::size_t d = std::size_t(meta.layout.head_dim);
    bool all_zero = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!std::isfinite(v[i]))
            throw h5::Failure("dataset '" + dataset + "' holds " + value_text(v[i]) + " at [" +
                              std::to_string(head) + ", " + std::to_string(i / d) + ", " +
                              std::to_string(i % d) + "]");
        all_zero = all_zero && v[i] == 0.0f;
    }
    if (all_zero && !v.empty())
        warn("dataset '" + dataset + "' head " + std::to_string(head) +
             " is all zeros (a zeroed or damaged file?); its attention maps are uniform");
}

TraceArrayCache::Array TraceReader::Impl::cached(TraceArrayCache::Kind kind, int layer, int index) {
    using K = TraceArrayCache::Kind;
    return cache.get(kind, layer, index, [&]() -> std::vector<float> {
        if (kind == K::Query) return read_qk("q", layer, index, meta.layout.query_heads);
        if (kind == K::Key) return read_qk("k", layer, index, meta.layout.kv_heads);
        if (index < 0 || index >= meta.layout.analysis_heads())
            throw UsageError("head " + std::to_string(index) + " does not exist");
        if (layer < 0 || layer >= meta.layers)
            throw UsageError("layer " + std::to_string(layer) + " does not exist");
        const std::string dataset = trace::layer_group(layer, meta.layers) + "/lse";
        h5::Handle ds = open(dataset);
        std::vector<float> out(meta.tokens);  // [T]
        h5::read_block(ds.get(), H5T_NATIVE_FLOAT, {hsize_t(index), 0}, {1, hsize_t(meta.tokens)},
                       out.data());
        for (std::size_t t = 0; t < out.size(); ++t)
            if (!std::isfinite(out[t]))
                throw h5::Failure("dataset '" + dataset + "' holds " + value_text(out[t]) +
                                  " at [" + std::to_string(index) + ", " + std::to_string(t) + "]");
        return out;
    });
}

TraceReader::TraceReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TraceReader::TraceReader(TraceReader&&) noexcept = default;
TraceReader& TraceReader::operator=(TraceReader&&) noexcept = default;
TraceReader::~TraceReader() = default;

const std::string& TraceReader::path() const {
    return impl_->path;
}
const TraceMeta& TraceReader::meta() const {
    return impl_->meta;
}
const RunStats& TraceReader::stats() const {
    return impl_->stats;
}

const std::vector<float>& TraceReader::token_nll() {
    if (!impl_->nll)
        impl_->nll = guarded(
            impl_->path,
            [&] {
                auto nll = impl_->read<float>("loss/token_nll");
                for (std::size_t t = 0; t < nll.size(); ++t)
                    if (!std::isfinite(nll[t]) || nll[t] < -kNllTolerance)
                        throw h5::Failure("dataset 'loss/token_nll' holds " + value_text(nll[t]) +
                                          " at position " + std::to_string(t) +
                                          "; a negative log-likelihood is finite and >= 0");
                return nll;
            },
            "loss/token_nll");
    return *impl_->nll;
}

double TraceReader::mean_nll() {
    if (!impl_->mean_nll)
        impl_->mean_nll = guarded(impl_->path, [&] {
            h5::Handle g = h5::open_group(impl_->f(), "loss");
            const double v = h5::read_attr_double(g.get(), "mean_nll");
            if (!std::isfinite(v) || v < -kNllTolerance)
                throw h5::Failure("attribute 'loss/mean_nll' = " + value_text(v) +
                                  "; a negative log-likelihood is finite and >= 0");
            return v;
        });
    return *impl_->mean_nll;
}

const TraceCurves& TraceReader::curves() {
    if (!impl_->curves) impl_->curves = guarded(impl_->path, [&] { return impl_->read_curves(); });
    return *impl_->curves;
}

const std::vector<NoiseSweep>& TraceReader::noise() {
    if (!impl_->noise) impl_->noise = guarded(impl_->path, [&] { return impl_->read_noise(); });
    return *impl_->noise;
}

OverviewMap TraceReader::overview(int layer, int head, int cells) {
    return guarded(impl_->path, [&] {
        const TraceMeta& m = impl_->meta;
        if (layer < 0 || layer >= m.layers)
            throw UsageError("layer " + std::to_string(layer) + " does not exist");
        if (head < 0 || head >= m.layout.analysis_heads())
            throw UsageError("head " + std::to_string(head) + " does not exist");
        if (std::find(m.overview_cells.begin(), m.overview_cells.end(), cells) ==
            m.overview_cells.end())
            throw UsageError("no overview level with " + std::to_string(cells) + " cells");
        OverviewMap map{cells, overview_edges(m.tokens, cells),
                        std::vector<float>(std::size_t(cells) * cells)};
        h5::Handle ds = impl_->open(trace::overview_path(layer, m.layers, cells));
        h5::read_block(ds.get(), H5T_NATIVE_FLOAT, {hsize_t(head), 0, 0},
                       {1, hsize_t(cells), hsize_t(cells)}, map.mean.data());
        // A cell is a mean probability (0 above the diagonal and for unobserved heads); the
        // tolerance covers float accumulation. Anything else would paint as a real map.
        for (std::size_t i = 0; i < map.mean.size(); ++i)
            if (!(map.mean[i] >= 0.0f && map.mean[i] <= 1.001f))
                throw h5::Failure("dataset '" + trace::overview_path(layer, m.layers, cells) +
                                  "' holds " + value_text(map.mean[i]) + " for head " +
                                  std::to_string(head) + " at row " + std::to_string(i / cells) +
                                  ", column " + std::to_string(i % cells) +
                                  "; a cell is a mean attention probability in [0, 1]");
        return map;
    });
}

std::vector<float> TraceReader::queries(int layer, int query_head) {
    return guarded(impl_->path,
                   [&] { return *impl_->cached(TraceArrayCache::Kind::Query, layer, query_head); });
}

std::vector<float> TraceReader::keys(int layer, int kv_head) {
    return guarded(impl_->path,
                   [&] { return *impl_->cached(TraceArrayCache::Kind::Key, layer, kv_head); });
}

std::vector<float> TraceReader::lse(int layer, int head) {
    return guarded(impl_->path,
                   [&] { return *impl_->cached(TraceArrayCache::Kind::Lse, layer, head); });
}

Tile TraceReader::tile(const TileRequest& r) {
    return guarded(
        impl_->path,
        [&] {
            const TraceMeta& m = impl_->meta;
            check_tile_request(r, m.layers, m.layout.analysis_heads(), m.tokens);
            const HeadInfo& h = m.layout.heads[r.head];
            if (h.imag && !m.layer_has_rope(r.layer))
                throw UsageError("layer " + std::to_string(r.layer) +
                                 " has no RoPE (a NoPE layer): there is no imaginary part, so head " +
                                 std::to_string(r.head) + " (" + m.layout.label(r.head) + ") has no map");
            const auto q = impl_->cached(TraceArrayCache::Kind::Query, r.layer, h.query_head);
            const auto k = impl_->cached(TraceArrayCache::Kind::Key, r.layer, h.kv_head);
            const auto lse = impl_->cached(TraceArrayCache::Kind::Lse, r.layer, r.head);
            TileSource src{q->data(),     k->data(),
                           lse->data(),   m.tokens,
                           h.imag,        &m.rope_of(r.layer),
                           m.logit_scale, m.qk_precision == QKPrecision::F16 ? 0x1.0p-11 : 0.0,
                           m.window(r.layer), m.logit_softcap};
            Tile t = compute_tile(r, src);
            impl_->check_tile(t, trace::layer_group(r.layer, m.layers) + " head " +
                                     std::to_string(r.head) + " (" + m.layout.label(r.head) + ")");
            return t;
        },
        "a tile of layer " + std::to_string(r.layer) + " head " + std::to_string(r.head));
}

// Finite queries and keys can still overflow a dot product, and a damaged lse can push a
// probability past 1: neither may be drawn or exported as if it were the run's map.
void TraceReader::Impl::check_tile(const Tile& t, const std::string& head_name) const {
    const bool logits = t.request.values == TileValues::Logit;
    const double max_prob = 1.0 + t.prob_rel_error_bound + 1e-5;
    const auto damaged = [&](const std::string& what) {
        return h5::Failure(head_name + ": " + what +
                           "; its stored queries, keys or lse are damaged");
    };
    for (int i = 0; i < t.rows; ++i) {
        double sum = 0;
        for (int j = 0; j < t.cols; ++j) {
            const float v = t.at(i, j);
            const bool masked = !t.has_visible_entry(i, j);
            const bool ok = logits ? (masked ? v == -INFINITY : std::isfinite(v))
                                   : (std::isfinite(v) && v >= 0.0f && v <= max_prob);
            if (!ok)
                throw damaged(std::string("the tile has ") + (logits ? "logit " : "probability ") +
                              value_text(v) + " at row " + std::to_string(t.row(i)) + ", column " +
                              std::to_string(t.col(j)));
            if (!logits) sum += v;
        }
        if (!logits && t.request.stride == 1) check_row_sum(t, i, sum, damaged);
    }
}

// A row's probabilities sum to 1, lse being its normaliser: a raised lse dims a map without
// pushing any cell past 1, so only the sum shows it (exactly when the tile holds every visible
// key of the row, as a bound otherwise). The tolerance adds to the tile's bound the float
// rounding of the run's softmax sum over n keys (n ulps at worst) and of the stored lse.
void TraceReader::Impl::check_row_sum(
    const Tile& t, int i, double sum,
    const std::function<h5::Failure(const std::string&)>& damaged) {
    const int row = t.row(i);
    const int first = t.window > 0 ? std::max(0, row - t.window + 1) : 0;
    const double tol = t.prob_rel_error_bound + double(row - first + 17) * 0x1p-23 + 1e-5;
    const bool whole = t.request.col_begin <= first && t.request.col_end > row;
    if (sum <= 1 + tol && (!whole || sum >= 1 - tol)) return;
    throw damaged("the probabilities of row " + std::to_string(row) + " sum to " + value_text(sum) +
                  (whole ? " over all its keys, not 1" : " over the tile's columns, more than 1"));
}

const std::vector<std::string>& TraceReader::warnings() const {
    return impl_->warnings;
}

void TraceReader::set_cache_bytes(std::size_t bytes) {
    impl_->cache.set_budget(bytes);
}

}  // namespace rs
