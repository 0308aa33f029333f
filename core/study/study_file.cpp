// HDF5 writer and reader of study files.
#include "study_file.h"

#include <cerrno>
#include <cmath>
#include <numeric>

#include "hdf5_io.h"
#include "study_positions.h"
#include "study_tables.h"
#include "trace_output_file.h"

namespace rs {

namespace {

constexpr const char* kFormat = "ropescope-study";
constexpr const char* kUnitOrder =
    "index = (checkpoint * settings + setting) * texts + text; --shard I/N runs index % N == I";

h5::Dims dims_of(const std::vector<std::size_t>& d) { return h5::Dims(d.begin(), d.end()); }

template <class T>
void put(hid_t loc, const std::string& name, const std::vector<T>& v, h5::Dims dims = {}) {
    if (dims.empty()) dims = {v.size()};
    h5::Handle d = h5::create_dataset(loc, name, h5::file_type<T>(), dims);
    h5::write_whole<T>(d.get(), v);
}

void put_strings(hid_t loc, const std::string& name, const std::vector<std::string>& v) {
    h5::Handle t = h5::string_type();
    h5::Handle d = h5::create_dataset(loc, name, t.get(), {v.size()});
    h5::write_whole_strings(d.get(), v);
}

void write_root(hid_t f, const Study& s) {
    const auto& h = s.header;
    const long done = long(s.units.size());
    h5::write_attr(f, "format", std::string(kFormat));
    h5::write_attr(f, "schema_version", std::int64_t(kStudySchemaVersion));
    h5::write_attr(f, "created_by", std::string("RoPEScope " ROPESCOPE_VERSION));
    h5::write_attr(f, "study_id", h.id());
    h5::write_attr(f, "identity", h.identity());
    h5::write_attr(f, "shard", s.shard);
    h5::write_attr(f, "units_total", std::int64_t(h.units()));
    h5::write_attr(f, "units_done", std::int64_t(done));
    h5::write_attr(f, "complete", std::int64_t(done == h.units()));
    h5::write_attr(f, "unit_order", std::string(kUnitOrder));
    h5::write_attr(f, "corpus_path", h.corpus_path);
    h5::write_attr(f, "corpus_format", h.corpus_format);
    h5::write_attr(f, "corpus_hash", h.corpus_hash);
    h5::write_attr(f, "window", std::int64_t(h.window));
    h5::write_attr(f, "max_tokens", std::int64_t(h.max_tokens));
    h5::write_attr(f, "bootstrap", std::int64_t(h.bootstrap));
    h5::write_attr_u64(f, "seed", h.seed);
    put_strings(f, "notes", h.notes);
    put_strings(f, "settings", h.settings);
    put_strings(f, "texts", h.texts);
    put_strings(f, "statistics", h.statistics);
    put_strings(f, "columns", summary_columns(h));
    put(f, "thresholds", h.thresholds);
    if (!h.nll_position_edges.empty()) put(f, "nll_position_edges", h.nll_position_edges);
}

void write_checkpoint(hid_t f, const Study& s, int c) {
    const auto& h = s.header;
    const auto& ck = h.checkpoints[std::size_t(c)];
    h5::Handle g = h5::create_group(f, checkpoint_group(c));
    h5::write_attr(g.get(), "path", ck.path);
    h5::write_attr(g.get(), "variant", ck.variant);
    h5::write_attr(g.get(), "variant_source", ck.variant_source);
    h5::write_attr(g.get(), "config_json", ck.config_json);
    h5::write_attr(g.get(), "rope_sources", ck.rope_sources);
    h5::write_attr(g.get(), "tokenizer", ck.tokenizer);
    h5::write_attr(g.get(), "layers", std::int64_t(ck.layers));
    h5::write_attr(g.get(), "heads", std::int64_t(ck.heads));
    h5::write_attr(g.get(), "max_position_embeddings", std::int64_t(ck.max_position_embeddings));
    put(g.get(), "imag", ck.imag);
    put(g.get(), "virtual", ck.is_virtual);
    put(g.get(), "query_head", ck.query_head);
    put(g.get(), "kv_head", ck.kv_head);
    put(g.get(), "twin", ck.twin);
    put(g.get(), "tokens", h.tokens[std::size_t(c)]);
    const std::size_t S = h.settings.size(), X = h.texts.size();
    std::vector<std::uint8_t> done(S * X, 0);
    for (std::size_t si = 0; si < S; ++si)
        for (std::size_t x = 0; x < X; ++x)
            done[si * X + x] = s.units.count(unit_index(h, {c, int(si), int(x)})) ? 1 : 0;
    put(g.get(), "done", done, {S, X});
}

void write_table(hid_t f, const TextTable& t, Bootstrap& bootstrap) {
    h5::Handle g = h5::create_group(f, t.group);
    std::string axes;
    for (const auto& a : t.axes) axes += (axes.empty() ? "" : ",") + a;
    h5::write_attr(g.get(), "axes", axes);
    put(g.get(), "values", t.values, dims_of(t.dims));
    const AggregateTable a = aggregate(t, bootstrap);
    const h5::Dims ad = a.dims.empty() ? h5::Dims{1} : dims_of(a.dims);
    put(g.get(), "mean", a.mean, ad);
    put(g.get(), "sd", a.sd, ad);
    put(g.get(), "ci_low", a.low, ad);
    put(g.get(), "ci_high", a.high, ad);
    put(g.get(), "n", a.n, ad);
}

void write_study(hid_t f, const Study& s) {
    const auto& h = s.header;
    write_root(f, s);
    h5::Handle cg = h5::create_group(f, "checkpoints");
    for (int c = 0; c < int(h.checkpoints.size()); ++c) write_checkpoint(f, s, c);
    h5::Handle dg = h5::create_group(f, "differences");
    Bootstrap bootstrap(h.bootstrap, h.seed);
    for (const auto& t : study_tables(s)) write_table(f, t, bootstrap);
    std::vector<std::int32_t> pairs;
    for (const auto& [a, b] : checkpoint_pairs(h)) pairs.push_back(a), pairs.push_back(b);
    h5::Handle cmp = h5::open_group(f, "differences/checkpoints");
    put(cmp.get(), "pairs", pairs, {pairs.size() / 2, 2});
    h5::Handle set = h5::open_group(f, "differences/settings");
    h5::write_attr(set.get(), "baseline", std::string(baseline_setting(h) < 0 ? "" : "none"));
}

// ---- reading ---------------------------------------------------------------------------------

template <class T>
std::vector<T> get(hid_t loc, const std::string& name, const h5::Dims& want) {
    h5::Handle d = h5::open_dataset(loc, name);
    if (h5::shape(d.get()) != want) throw h5::Failure("dataset '" + name + "' has the wrong shape");
    return h5::read_array<T>(d.get());
}

std::vector<std::string> get_strings(hid_t loc, const std::string& name) {
    h5::Handle d = h5::open_dataset(loc, name);
    if (h5::shape(d.get()).size() != 1) throw h5::Failure("dataset '" + name + "' is not a list");
    return h5::read_strings(d.get());
}

int positive_attr(hid_t loc, const std::string& name, std::int64_t lo = 1) {
    const auto v = h5::read_attr_int(loc, name);
    if (v < lo || v > (std::int64_t(1) << 24)) throw h5::Failure("attribute '" + name + "' is out of range");
    return int(v);
}

StudyCheckpoint read_checkpoint(hid_t f, int c) {
    h5::Handle g = h5::open_group(f, checkpoint_group(c));
    StudyCheckpoint ck;
    ck.path = h5::read_attr_string(g.get(), "path");
    ck.variant = h5::read_attr_string(g.get(), "variant");
    ck.variant_source = h5::read_attr_string(g.get(), "variant_source");
    ck.config_json = h5::read_attr_string(g.get(), "config_json");
    ck.rope_sources = h5::read_attr_string(g.get(), "rope_sources");
    ck.tokenizer = h5::read_attr_string(g.get(), "tokenizer");
    ck.layers = positive_attr(g.get(), "layers");
    ck.heads = positive_attr(g.get(), "heads");
    ck.max_position_embeddings = positive_attr(g.get(), "max_position_embeddings", 0);
    const h5::Dims H{hsize_t(ck.heads)};
    ck.imag = get<std::uint8_t>(g.get(), "imag", H);
    ck.is_virtual = get<std::uint8_t>(g.get(), "virtual", H);
    ck.query_head = get<std::int32_t>(g.get(), "query_head", H);
    ck.kv_head = get<std::int32_t>(g.get(), "kv_head", H);
    ck.twin = get<std::int32_t>(g.get(), "twin", H);
    for (auto t : ck.twin)
        if (t < -1 || t >= ck.heads) throw h5::Failure(checkpoint_group(c) + "/twin names no head");
    return ck;
}

void read_units(hid_t f, Study& s, int c) {
    const auto& h = s.header;
    const auto& ck = h.checkpoints[std::size_t(c)];
    const std::size_t S = h.settings.size(), X = h.texts.size(), K = h.statistics.size();
    const std::string g = checkpoint_group(c);
    const auto done = get<std::uint8_t>(f, g + "/done", {S, X});
    const auto values = get<double>(f, g + "/heads/values", {S, X, hsize_t(ck.layers), hsize_t(ck.heads), K});
    const auto nll = get<double>(f, g + "/nll/values", {S, X});
    const std::size_t B = h.nll_position_edges.empty() ? 0 : h.nll_position_edges.size() - 1;
    const auto by_pos = B ? get<double>(f, g + "/nll_by_position/values", {S, X, B}) : std::vector<double>{};
    const std::size_t per = h.values_per_unit(c);
    for (std::size_t si = 0; si < S; ++si)
        for (std::size_t x = 0; x < X; ++x) {
            if (!done[si * X + x]) continue;
            UnitResult u;
            u.index = unit_index(h, {c, int(si), int(x)});
            u.nll = nll[si * X + x];
            if (B) u.nll_by_position.assign(by_pos.begin() + long((si * X + x) * B),
                                            by_pos.begin() + long((si * X + x + 1) * B));
            const auto first = values.begin() + long((si * X + x) * per);
            u.values.assign(first, first + long(per));
            s.units.emplace(u.index, std::move(u));
        }
}

Study read_study(hid_t f) {
    if (!h5::has_attr(f, "format") || h5::read_attr_string(f, "format") != kFormat)
        throw h5::Failure("not a RoPEScope study file");
    const auto version = h5::read_attr_int(f, "schema_version");
    if (version != kStudySchemaVersion)
        throw h5::Failure("study schema " + std::to_string(version) + " (this RoPEScope reads " +
                          std::to_string(kStudySchemaVersion) + ")");
    Study s;
    auto& h = s.header;
    s.shard = h5::read_attr_string(f, "shard");
    h.corpus_path = h5::read_attr_string(f, "corpus_path");
    h.corpus_format = h5::read_attr_string(f, "corpus_format");
    h.corpus_hash = h5::read_attr_string(f, "corpus_hash");
    h.window = positive_attr(f, "window", 0);
    h.max_tokens = positive_attr(f, "max_tokens", 0);
    h.bootstrap = positive_attr(f, "bootstrap", 0);
    h.seed = h5::read_attr_u64(f, "seed");
    h.notes = get_strings(f, "notes");
    h.settings = get_strings(f, "settings");
    h.texts = get_strings(f, "texts");
    h.statistics = get_strings(f, "statistics");
    {
        h5::Handle d = h5::open_dataset(f, "thresholds");
        if (h5::shape(d.get()).size() != 1) throw h5::Failure("dataset 'thresholds' is not a list");
        h.thresholds = h5::read_array<std::int32_t>(d.get());
    }
    if (h5::exists(f, "nll_position_edges")) {  // absent in files from before
        h5::Handle d = h5::open_dataset(f, "nll_position_edges");
        if (h5::shape(d.get()).size() != 1) throw h5::Failure("dataset 'nll_position_edges' is not a list");
        h.nll_position_edges = h5::read_array<std::int32_t>(d.get());
        try {
            check_nll_position_edges(h.nll_position_edges);
        } catch (const Error& e) {
            throw h5::Failure(e.what());
        }
    }
    h5::Handle cg = h5::open_group(f, "checkpoints");
    H5G_info_t info{};
    h5::check(H5Gget_info(cg.get(), &info), "count checkpoints");
    const hsize_t count = info.nlinks;
    if (count < 1 || count > 4096 || h.settings.empty() || h.texts.empty() || h.statistics.empty())
        throw h5::Failure("a study needs checkpoints, settings, texts and statistics");
    for (int c = 0; c < int(count); ++c) {
        h.checkpoints.push_back(read_checkpoint(f, c));
        h.tokens.push_back(get<std::int32_t>(f, checkpoint_group(c) + "/tokens", {h.texts.size()}));
    }
    for (int c = 0; c < int(count); ++c) read_units(f, s, c);
    return s;
}

// NaN (no finite value) on both sides counts as equal.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

AggregateTable read_aggregate(hid_t f, const TextTable& t) {
    Bootstrap no_resamples(0, 0);  // mean and n only: cheap, and exactly what was stored
    const AggregateTable want = aggregate(t, no_resamples);
    const h5::Dims ad = want.dims.empty() ? h5::Dims{1} : dims_of(want.dims);
    AggregateTable a;
    a.dims = want.dims;
    a.mean = get<double>(f, t.group + "/mean", ad);
    a.sd = get<double>(f, t.group + "/sd", ad);
    a.low = get<double>(f, t.group + "/ci_low", ad);
    a.high = get<double>(f, t.group + "/ci_high", ad);
    a.n = get<std::int32_t>(f, t.group + "/n", ad);
    for (std::size_t i = 0; i < a.mean.size(); ++i) {
        if (!same(a.mean[i], want.mean[i]) || a.n[i] != want.n[i])
            throw h5::Failure(t.group + "/mean and n disagree with " + t.group + "/values at entry " +
                              std::to_string(i));
        if (a.sd[i] < 0 || a.low[i] > a.high[i] || std::isinf(a.sd[i]) || std::isinf(a.low[i]) ||
            std::isinf(a.high[i]))
            throw h5::Failure(t.group + " has an impossible s.d. or interval at entry " + std::to_string(i));
    }
    return a;
}

}  // namespace

StudyWithAggregates read_study_with_aggregates(
    const std::string& path, const std::function<std::vector<TextTable>(const Study&)>& choose) {
    return h5::as_file_error(path, "", [&] {
        h5::Handle file = h5::open_file_read(path);
        StudyWithAggregates out{read_study(file.get()), {}};
        for (const auto& t : choose(out.study)) out.aggregates.push_back(read_aggregate(file.get(), t));
        return out;
    });
}

void write_study_file(const std::string& destination, const Study& study) {
    h5::as_file_error(destination, "cannot write the study: ", [&] {
        TraceOutputFile out(destination);
        h5::Handle file = h5::create_file(out.write_path(), out.unnamed());
        write_study(file.get(), study);
        h5::check(file.close(), "close the file");
        out.commit();
    });
}

Study read_study_file(const std::string& path) {
    return h5::as_file_error(path, "", [&] {
        h5::Handle file = h5::open_file_read(path);
        return read_study(file.get());
    });
}

}  // namespace rs
