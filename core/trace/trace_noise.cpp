// Noise sweeps in the trace: layout, writing, and validation on read.
#include "trace_noise.h"

#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "error.h"
#include "trace_schema.h"

namespace rs::trace {

namespace {

constexpr hsize_t kMaxBuckets = 1 << 16;
constexpr std::int64_t kMaxSweeps = 100000;
constexpr double kNllTolerance = 1e-4;  // float rounding of an NLL near 0

// The bucket datasets (present when the sweep has buckets: written since issue 16).
std::vector<DatasetSpec> bucket_datasets(const std::string& g, hsize_t points, hsize_t nP, hsize_t nR) {
    return {{g + "/position_edges", Elem::I32, {nP + 1}},
            {g + "/position_tokens", Elem::I64, {nP}},
            {g + "/baseline_nll_by_position", Elem::F64, {nP}},
            {g + "/delta_nll_by_position", Elem::F64, {points, nP}},
            {g + "/distance_edges", Elem::I32, {nR + 1}},
            {g + "/distance_tokens", Elem::I64, {nR + 1}},
            {g + "/baseline_nll_by_distance", Elem::F64, {nR + 1}},
            {g + "/delta_nll_by_distance", Elem::F64, {points, nR + 1}}};
}

std::string sweep_group(std::size_t i) {
    return "experiments/noise/" + std::to_string(i);
}

template <class T>
void put(hid_t f, const std::string& path, const std::vector<T>& v) {
    h5::Handle d = h5::open_dataset(f, path);
    h5::write_whole(d.get(), std::span<const T>(v));
}

// A sweep's datasets as check_dataset opened them, each read from that handle: one walk of its
// path, not a second one to read it.
class CheckedDatasets {
  public:
    void check(hid_t f, const std::vector<DatasetSpec>& specs) {
        for (const auto& spec : specs)
            open_.insert_or_assign(spec.path, check_dataset(f, spec, QKPrecision::F32).dset);
    }
    hid_t at(const std::string& path) const { return open_.at(path).get(); }
    template <class T>
    std::vector<T> get(const std::string& path) const {
        return h5::read_array<T>(at(path));
    }

  private:
    std::map<std::string, h5::Handle> open_;
};

void create(hid_t f, const std::vector<DatasetSpec>& specs) {
    for (const auto& spec : specs) {
        h5::Handle t = file_type_of(spec.elem, QKPrecision::F32);  // no Q/K here
        h5::create_dataset(f, spec.path, t.get(), spec.dims, storage_for(spec));
    }
}

// Rows of `get(point)`, each `n` long, concatenated.
template <class Get>
std::vector<double> rows(const NoiseSweep& s, std::size_t n, Get get) {
    std::vector<double> out;
    for (const auto& p : s.points) {
        const std::vector<double>& v = get(p);
        if (v.size() != n) throw UsageError("trace: a noise point's arrays do not match its sweep's sizes");
        out.insert(out.end(), v.begin(), v.end());
    }
    return out;
}

void write_buckets(hid_t f, const std::string& g, const NoiseSweep& s) {
    const std::size_t nP = s.position_tokens.size(), nR1 = s.distance_tokens.size();
    if (s.position_edges.size() != nP + 1 || s.distance_edges.size() != nR1 ||
        s.baseline_nll_by_position.size() != nP || s.baseline_nll_by_distance.size() != nR1 || nR1 == 0)
        throw UsageError("trace: a noise sweep's buckets do not match their edges");
    create(f, bucket_datasets(g, s.points.size(), nP, nR1 - 1));
    put(f, g + "/position_edges", std::vector<std::int32_t>(s.position_edges.begin(), s.position_edges.end()));
    put(f, g + "/position_tokens", std::vector<std::int64_t>(s.position_tokens.begin(), s.position_tokens.end()));
    put(f, g + "/baseline_nll_by_position", s.baseline_nll_by_position);
    put(f, g + "/delta_nll_by_position", rows(s, nP, [](const NoisePoint& p) -> const auto& { return p.delta_nll_by_position; }));
    put(f, g + "/distance_edges", std::vector<std::int32_t>(s.distance_edges.begin(), s.distance_edges.end()));
    put(f, g + "/distance_tokens", std::vector<std::int64_t>(s.distance_tokens.begin(), s.distance_tokens.end()));
    put(f, g + "/baseline_nll_by_distance", s.baseline_nll_by_distance);
    put(f, g + "/delta_nll_by_distance", rows(s, nR1, [](const NoisePoint& p) -> const auto& { return p.delta_nll_by_distance; }));
}

void write_sweep(hid_t f, const std::string& g, const NoiseSweep& s) {
    const std::size_t P = s.points.size(), D = s.thresholds.size();
    h5::Handle sg = h5::create_group(f, g);
    h5::write_attr_u64(sg.get(), "seed", s.seed);
    h5::write_attr(sg.get(), "tokens", std::int64_t(s.tokens));
    h5::write_attr(sg.get(), "baseline_nll", s.baseline_nll);
    create(f, noise_datasets(g, P, D));
    std::vector<double> sigma, mean, delta;
    std::vector<std::uint8_t> target;
    for (const auto& p : s.points) {
        sigma.push_back(p.sigma);
        target.push_back(std::uint8_t(p.target));
        mean.push_back(p.mean_nll);
        delta.push_back(p.delta_nll);
    }
    put(f, g + "/thresholds", std::vector<std::int32_t>(s.thresholds.begin(), s.thresholds.end()));
    put(f, g + "/baseline_mass_real", s.baseline_mass_real);
    put(f, g + "/baseline_mass_imag", s.baseline_mass_imag);
    put(f, g + "/sigma", sigma);
    h5::Handle tt = noise_target_type();
    h5::Handle td = h5::open_dataset(f, g + "/target");
    h5::write_whole_raw(td.get(), tt.get(), target.size(), target.data());
    put(f, g + "/mean_nll", mean);
    put(f, g + "/delta_nll", delta);
    put(f, g + "/long_range_mass_real", rows(s, D, [](const NoisePoint& p) -> const auto& { return p.long_range_mass_real; }));
    put(f, g + "/long_range_mass_imag", rows(s, D, [](const NoisePoint& p) -> const auto& { return p.long_range_mass_imag; }));
    if (!s.position_edges.empty()) write_buckets(f, g, s);
}

hsize_t list_length(hid_t f, const std::string& path) {
    return trace::list_length(f, path, kMaxBuckets);
}

// Edges strictly increasing from `first` to `last`.
std::vector<int> read_edges(const CheckedDatasets& d, const std::string& path, int first,
                            int last) {
    const auto e = d.get<std::int32_t>(path);
    bool ok = e.size() >= 2 && e.front() == first && e.back() == last;
    for (std::size_t i = 1; ok && i < e.size(); ++i) ok = e[i] > e[i - 1];
    if (!ok)
        throw h5::Failure("dataset '" + path + "' must rise strictly from " + std::to_string(first) +
                          " to " + std::to_string(last) + " (the trace's tokens fix both ends)");
    return {e.begin(), e.end()};
}

std::vector<long> read_counts(const CheckedDatasets& d, const std::string& path, long total) {
    const auto c = d.get<std::int64_t>(path);
    long sum = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
        if (c[i] < 0 || c[i] > total) bad_value(path, i, double(c[i]), "a token count is between 0 and the predictions");
        sum += long(c[i]);
    }
    if (sum != total)
        throw h5::Failure("dataset '" + path + "' counts " + std::to_string(sum) + " predictions, not the trace's " +
                          std::to_string(total));
    return {c.begin(), c.end()};
}

// Bucket means: finite where the bucket has predictions, NaN where it has none. `row_length`
// counts per row (the buckets); values is rows x row_length.
void check_bucket_values(const std::string& path, const std::vector<double>& values,
                         const std::vector<long>& counts) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        const long n = counts[i % counts.size()];
        if (n > 0 && !std::isfinite(values[i])) bad_value(path, i, values[i], "the bucket has predictions, so its mean is finite");
        if (n == 0 && !std::isnan(values[i])) bad_value(path, i, values[i], "the bucket is empty, so its mean is NaN");
    }
}

void read_buckets(hid_t f, const std::string& g, int tokens, NoiseSweep& s) {
    const hsize_t nP1 = list_length(f, g + "/position_edges"), nR1 = list_length(f, g + "/distance_edges");
    if (nP1 < 2 || nR1 < 2) throw h5::Failure("'" + g + "' has fewer than one bucket");
    CheckedDatasets d;
    d.check(f, bucket_datasets(g, s.points.size(), nP1 - 1, nR1 - 1));
    const long predictions = tokens - 1;
    s.position_edges = read_edges(d, g + "/position_edges", 0, tokens - 1);
    s.distance_edges = read_edges(d, g + "/distance_edges", 1, tokens);
    s.position_tokens = read_counts(d, g + "/position_tokens", predictions);
    s.distance_tokens = read_counts(d, g + "/distance_tokens", predictions);
    s.baseline_nll_by_position = d.get<double>(g + "/baseline_nll_by_position");
    s.baseline_nll_by_distance = d.get<double>(g + "/baseline_nll_by_distance");
    check_bucket_values(g + "/baseline_nll_by_position", s.baseline_nll_by_position, s.position_tokens);
    check_bucket_values(g + "/baseline_nll_by_distance", s.baseline_nll_by_distance, s.distance_tokens);
    const auto dp = d.get<double>(g + "/delta_nll_by_position");
    const auto dr = d.get<double>(g + "/delta_nll_by_distance");
    check_bucket_values(g + "/delta_nll_by_position", dp, s.position_tokens);
    check_bucket_values(g + "/delta_nll_by_distance", dr, s.distance_tokens);
    const std::size_t nP = nP1 - 1;
    for (std::size_t p = 0; p < s.points.size(); ++p) {
        s.points[p].delta_nll_by_position.assign(dp.begin() + std::ptrdiff_t(p * nP), dp.begin() + std::ptrdiff_t((p + 1) * nP));
        s.points[p].delta_nll_by_distance.assign(dr.begin() + std::ptrdiff_t(p * nR1), dr.begin() + std::ptrdiff_t((p + 1) * nR1));
    }
}

void check_finite(const std::string& path, const std::vector<double>& v, double min, const std::string& why) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]) || v[i] < min) bad_value(path, i, v[i], why);
}

// M(D) values: in [0, 1], NaN only for a threshold no position reaches (D >= tokens).
void check_mass(const std::string& path, const std::vector<double>& v, const std::vector<int>& thresholds, int tokens) {
    const StatRange mass = stat_ranges(tokens).mass;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const int D = thresholds[i % thresholds.size()];
        if (std::isnan(v[i]) && D >= tokens) continue;
        if (!mass.holds(v[i]))
            bad_value(path, i, v[i], "a long-range mass is in [0, 1] (NaN only for D >= tokens)");
    }
}

NoiseSweep read_sweep(hid_t f, const std::string& g, int tokens) {
    const hsize_t P = list_length(f, g + "/sigma"), D = list_length(f, g + "/thresholds");
    CheckedDatasets d;
    d.check(f, noise_datasets(g, P, D));
    h5::Handle sg = h5::open_group(f, g);
    NoiseSweep s;
    s.seed = h5::read_attr_u64(sg.get(), "seed");
    // Compared before narrowing: 2^32 + T would otherwise pass as T.
    const std::int64_t stored_tokens = h5::read_attr_int(sg.get(), "tokens");
    if (stored_tokens != tokens)
        throw h5::Failure("'" + g + "' attribute 'tokens' = " + std::to_string(stored_tokens) +
                          ", but the trace has " + std::to_string(tokens) + " tokens");
    s.tokens = tokens;
    s.baseline_nll = h5::read_attr_double(sg.get(), "baseline_nll");
    if (!std::isfinite(s.baseline_nll) || s.baseline_nll < -kNllTolerance)
        throw h5::Failure("'" + g + "' attribute 'baseline_nll' = " + value_text(s.baseline_nll) +
                          "; a negative log-likelihood is finite and >= 0");
    const auto th = d.get<std::int32_t>(g + "/thresholds");
    check_thresholds(g + "/thresholds", th);
    s.thresholds.assign(th.begin(), th.end());
    s.baseline_mass_real = d.get<double>(g + "/baseline_mass_real");
    s.baseline_mass_imag = d.get<double>(g + "/baseline_mass_imag");
    const auto sigma = d.get<double>(g + "/sigma");
    const auto mean = d.get<double>(g + "/mean_nll");
    const auto delta = d.get<double>(g + "/delta_nll");
    const auto real = d.get<double>(g + "/long_range_mass_real");
    const auto imag = d.get<double>(g + "/long_range_mass_imag");
    check_finite(g + "/sigma", sigma, 0.0, "a noise standard deviation is finite and >= 0");
    check_finite(g + "/mean_nll", mean, -kNllTolerance, "a negative log-likelihood is finite and >= 0");
    check_finite(g + "/delta_nll", delta, -HUGE_VAL, "a change in loss is finite");
    if (D > 0) {
        check_mass(g + "/baseline_mass_real", s.baseline_mass_real, s.thresholds, tokens);
        check_mass(g + "/baseline_mass_imag", s.baseline_mass_imag, s.thresholds, tokens);
        check_mass(g + "/long_range_mass_real", real, s.thresholds, tokens);
        check_mass(g + "/long_range_mass_imag", imag, s.thresholds, tokens);
    }
    std::vector<std::uint8_t> target(P);
    {
        const hid_t td = d.at(g + "/target");
        h5::Handle tt = noise_target_type();
        h5::check_chunks(td);
        if (P)
            h5::check(H5Dread(td, tt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, target.data()),
                      "read noise targets");
    }
    for (hsize_t p = 0; p < P; ++p) {
        if (target[p] > 2) throw h5::Failure("unknown noise target in '" + g + "'");
        NoisePoint pt;
        pt.sigma = sigma[p];
        pt.target = NoiseTarget(target[p]);
        pt.mean_nll = mean[p];
        pt.delta_nll = delta[p];
        pt.long_range_mass_real.assign(real.begin() + std::ptrdiff_t(p * D), real.begin() + std::ptrdiff_t((p + 1) * D));
        pt.long_range_mass_imag.assign(imag.begin() + std::ptrdiff_t(p * D), imag.begin() + std::ptrdiff_t((p + 1) * D));
        s.points.push_back(std::move(pt));
    }
    if (h5::exists(f, g + "/position_edges")) read_buckets(f, g, tokens, s);
    return s;
}

}  // namespace

void write_noise_sweeps(hid_t f, std::span<const NoiseSweep> sweeps) {
    h5::Handle eg = h5::create_group(f, "experiments");
    h5::Handle ng = h5::create_group(eg.get(), "noise");
    h5::write_attr(ng.get(), "count", std::int64_t(sweeps.size()));
    for (std::size_t i = 0; i < sweeps.size(); ++i) write_sweep(f, sweep_group(i), sweeps[i]);
}

std::vector<NoiseSweep> read_noise_sweeps(hid_t f, int tokens) {
    std::vector<NoiseSweep> out;
    if (!h5::exists(f, "experiments/noise")) return out;
    h5::Handle ng = h5::open_group(f, "experiments/noise");
    const std::int64_t count = h5::read_attr_int(ng.get(), "count");
    if (count < 0 || count > kMaxSweeps) throw h5::Failure("implausible noise sweep count");
    for (std::int64_t i = 0; i < count; ++i) out.push_back(read_sweep(f, sweep_group(std::size_t(i)), tokens));
    return out;
}

}  // namespace rs::trace
