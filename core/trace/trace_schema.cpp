// Trace layout tables and storage decisions.
#include "trace_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

namespace rs::trace {

namespace {

std::string dims_text(const h5::Dims& d) {
    std::string s = "[";
    for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
    return s + "]";
}

h5::Handle copy_type(hid_t t) {
    return {h5::check_id(H5Tcopy(t), "copy type"), H5Tclose};
}

}  // namespace

std::string value_text(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

void bad_value(const std::string& path, std::size_t at, double v, const std::string& why) {
    throw h5::Failure("dataset '" + path + "' holds " + value_text(v) + " at [" +
                      std::to_string(at) + "]; " + why);
}

void check_thresholds(const std::string& path, std::span<const std::int32_t> thresholds) {
    for (std::size_t k = 0; k < thresholds.size(); ++k)
        if (thresholds[k] < 1 || (k > 0 && thresholds[k] < thresholds[k - 1]))
            bad_value(path, k, thresholds[k], "distance thresholds are >= 1, in increasing order");
}

StatRanges stat_ranges(int tokens) {
    constexpr double tol = 1e-3;
    const double T = tokens;
    return {{-tol, 1 + tol, "a mass is in [0, 1]"},
            {-tol, (T - 1) * (1 + tol), "a mean attended distance is in [0, T - 1]"},
            {-tol, std::log(T) * (1 + tol) + tol,
             "a mean entropy over at most T keys is in [0, ln T]"}};
}

hsize_t list_length(hid_t file, const std::string& path, hsize_t most) {
    const std::optional<h5::LinkedDataset> d = h5::find_dataset(file, path);
    if (!d) throw h5::Failure("dataset '" + path + "' is missing");
    const h5::Dims s = h5::shape(d->dset.get());
    if (s.size() != 1) throw h5::Failure("dataset '" + path + "' is not a list");
    if (s[0] > most) throw h5::Failure("dataset '" + path + "' is implausibly long");
    return s[0];
}

std::string layer_group(int layer, int layers) {
    const int width = std::max(2, int(std::to_string(std::max(layers - 1, 0)).size()));
    char buf[32];
    std::snprintf(buf, sizeof buf, "layers/%0*d", width, layer);
    return buf;
}

std::string overview_path(int layer, int layers, int cells) {
    return layer_group(layer, layers) + "/overview/" + std::to_string(cells);
}

std::vector<DatasetSpec> meta_datasets(const Shape& s) {
    std::vector<DatasetSpec> out = {{"meta/input_text", Elem::Str, {}},
            {"meta/token_ids", Elem::I32, {s.tokens}},
            {"meta/token_display", Elem::Str, {s.tokens}},
            {"meta/token_offsets", Elem::I64, {s.tokens, 2}},
            {"meta/inv_freq", Elem::F64, {s.half}},
            {"meta/inv_freq_f32", Elem::F32, {s.half}},
            {"meta/overview_cells", Elem::I32, {hsize_t(s.overview_cells.size())}},
            {"meta/heads/imag", Elem::U8, {s.heads}},
            {"meta/heads/virtual", Elem::U8, {s.heads}},
            {"meta/heads/query_head", Elem::I32, {s.heads}},
            {"meta/heads/kv_head", Elem::I32, {s.heads}},
            {"meta/heads/twin", Elem::I32, {s.heads}},
            {"meta/heads/label", Elem::Str, {s.heads}}};
    if (s.local_rope) {
        out.push_back({"meta/inv_freq_local", Elem::F64, {s.half}});
        out.push_back({"meta/inv_freq_local_f32", Elem::F32, {s.half}});
    }
    return out;
}

std::vector<DatasetSpec> layer_datasets(const Shape& s, int layer) {
    const std::string g = layer_group(layer, int(s.layers));
    std::vector<DatasetSpec> out{{g + "/q", Elem::QK, {s.query_heads, s.tokens, s.head_dim}},
                                 {g + "/k", Elem::QK, {s.kv_heads, s.tokens, s.head_dim}},
                                 {g + "/lse", Elem::F32, {s.heads, s.tokens}}};
    for (int P : s.overview_cells)
        out.push_back(
            {overview_path(layer, int(s.layers), P), Elem::F32, {s.heads, hsize_t(P), hsize_t(P)}});
    return out;
}

namespace {

// One bucketed statistic per name, shaped `lead` + [buckets] + its own list dimension.
void add_bucket_stats(std::vector<DatasetSpec>& out, const std::string& g, const h5::Dims& lead,
                      const Shape& s) {
    auto dims = [&](std::initializer_list<hsize_t> tail) {
        h5::Dims d = lead;
        d.push_back(s.buckets);
        d.insert(d.end(), tail);
        return d;
    };
    out.push_back({g + "/long_range_mass", Elem::F64, dims({s.thresholds})});
    out.push_back({g + "/mean_distance", Elem::F64, dims({})});
    out.push_back({g + "/entropy", Elem::F64, dims({})});
    out.push_back({g + "/sink_mass", Elem::F64, dims({s.sink_counts})});
    out.push_back({g + "/long_range_mass_ex", Elem::F64, dims({s.thresholds})});
    out.push_back({g + "/mean_distance_ex", Elem::F64, dims({})});
    out.push_back({g + "/bin_mass", Elem::F64, dims({s.bins})});
    out.push_back({g + "/bin_mass_ex", Elem::F64, dims({s.bins})});
}

}  // namespace

std::vector<DatasetSpec> stats_datasets(const Shape& s) {
    const hsize_t L = s.layers, A = s.heads;
    std::vector<DatasetSpec> out{{"stats/thresholds", Elem::I32, {s.thresholds}},
            {"stats/bin_edges", Elem::I32, {s.bins + 1}},
            {"stats/observed", Elem::U8, {L, A}},
            {"stats/long_range_mass", Elem::F64, {L, A, s.thresholds}},
            {"stats/mean_distance", Elem::F64, {L, A}},
            {"stats/entropy", Elem::F64, {L, A}},
            {"stats/bin_mass", Elem::F64, {L, A, s.bins}},
            {"stats/bin_logit", Elem::F64, {L, A, s.bins}},
            {"stats/bin_pairs", Elem::F64, {L, A, s.bins}},
            {"stats/freq_re", Elem::F64, {L, A, s.half}},
            {"stats/freq_im", Elem::F64, {L, A, s.half}},
            {"stats/passthrough", Elem::F64, {L, A}}};
    if (!s.buckets_stored) return out;
    out.push_back({"stats/sink_counts", Elem::I32, {s.sink_counts}});
    out.push_back({std::string(kBucketGroup) + "/range", Elem::I32, {s.buckets, 2}});
    out.push_back({std::string(kBucketGroup) + "/name", Elem::Str, {s.buckets}});
    add_bucket_stats(out, kBucketGroup, {L, A}, s);
    add_bucket_stats(out, kUniformGroup, {}, s);
    return out;
}

std::vector<DatasetSpec> result_datasets(const Shape& s) {
    const hsize_t n = s.curve_points;
    return {{"loss/token_nll", Elem::F32, {s.tokens > 0 ? s.tokens - 1 : 0}},
            {"curves/distance", Elem::F64, {n}},
            {"curves/real_sum", Elem::F64, {n}},
            {"curves/imag_sum", Elem::F64, {n}},
            {"curves/real_closed", Elem::F64, {n}},
            {"curves/imag_closed", Elem::F64, {n}},
            {"curves/expected_logit", Elem::F64, {s.layers, s.heads, n}}};
}

std::vector<DatasetSpec> noise_datasets(const std::string& g, hsize_t points, hsize_t thresholds) {
    return {{g + "/thresholds", Elem::I32, {thresholds}},
            {g + "/baseline_mass_real", Elem::F64, {thresholds}},
            {g + "/baseline_mass_imag", Elem::F64, {thresholds}},
            {g + "/sigma", Elem::F64, {points}},
            {g + "/target", Elem::NoiseTarget, {points}},
            {g + "/mean_nll", Elem::F64, {points}},
            {g + "/delta_nll", Elem::F64, {points}},
            {g + "/long_range_mass_real", Elem::F64, {points, thresholds}},
            {g + "/long_range_mass_imag", Elem::F64, {points, thresholds}}};
}

h5::Storage storage_for(const DatasetSpec& spec) {
    // Overview maps: one chunk per head and level, so the GUI reads exactly the map it shows;
    // half of every map is exact zeros above the diagonal and the rest smooth, so shuffle +
    // deflate shrinks them several-fold for a decode cost far below a millisecond per map.
    if (spec.path.find("/overview/") != std::string::npos && spec.dims.size() == 3 &&
        spec.dims[0] > 0)
        return {{1, spec.dims[1], spec.dims[2]}, true, 4};
    // Q, K and lse stay contiguous and unfiltered: see docs/trace-format.md ("Storage choices").
    return {};
}

h5::Handle noise_target_type() {
    h5::Handle t{h5::check_id(H5Tenum_create(H5T_NATIVE_UINT8), "create noise target type"),
                 H5Tclose};
    const char* names[] = {"real", "imag", "both"};
    for (unsigned char v = 0; v < 3; ++v)
        h5::check(H5Tenum_insert(t.get(), names[v], &v), "define noise target type");
    return t;
}

h5::Handle file_type_of(Elem e, QKPrecision qk) {
    switch (e) {
        case Elem::QK:
            return qk == QKPrecision::F16 ? h5::half_type() : copy_type(H5T_IEEE_F32LE);
        case Elem::F32:
            return copy_type(H5T_IEEE_F32LE);
        case Elem::F64:
            return copy_type(H5T_IEEE_F64LE);
        case Elem::I32:
            return copy_type(H5T_STD_I32LE);
        case Elem::I64:
            return copy_type(H5T_STD_I64LE);
        case Elem::U8:
            return copy_type(H5T_STD_U8LE);
        case Elem::Str:
            return h5::string_type();
        case Elem::NoiseTarget:
            return noise_target_type();
    }
    throw h5::Failure("internal: unknown element kind");
}

h5::LinkedDataset check_dataset(hid_t file, const DatasetSpec& spec, QKPrecision qk) {
    std::optional<h5::LinkedDataset> found = h5::find_dataset(file, spec.path);
    if (!found) throw h5::Failure("dataset '" + spec.path + "' is missing");
    const h5::Handle& d = found->dset;
    const h5::Dims got = h5::shape(d.get());
    if (got != spec.dims)
        throw h5::Failure("dataset '" + spec.path + "' has shape " + dims_text(got) +
                          ", expected " + dims_text(spec.dims));
    const H5T_class_t cls = h5::type_class(d.get());
    bool ok = false;
    switch (spec.elem) {
        case Elem::Str:
            ok = cls == H5T_STRING;
            break;
        case Elem::NoiseTarget:
            ok = cls == H5T_ENUM && h5::type_size(d.get()) == 1;
            break;
        default: {
            // Numbers must be exactly the documented type: f16 Q/K are decoded from their raw
            // bits, so a big-endian or bfloat16 array of the same size would read as garbage.
            h5::Handle want = file_type_of(spec.elem, qk);
            if (!h5::type_is(d.get(), want.get())) {
                h5::Handle t{h5::check_id(H5Dget_type(d.get()), "dataset type"), H5Tclose};
                throw h5::Failure(
                    "dataset '" + spec.path + "' holds " + h5::describe_type(t.get()) +
                    ", expected " + h5::describe_type(want.get()) +
                    (spec.elem == Elem::QK ? std::string(" (qk_dtype = \"") +
                                                 (qk == QKPrecision::F16 ? "f16" : "f32") + "\")"
                                           : std::string()));
            }
            ok = true;
        }
    }
    if (!ok) throw h5::Failure("dataset '" + spec.path + "' has an unexpected element type");
    try {
        h5::check_storage(file, d.get());
    } catch (const h5::Failure& e) {
        throw h5::Failure("dataset '" + spec.path + "' " + e.what());
    }
    return std::move(*found);
}

}  // namespace rs::trace
