// `ropescope-cli export run.h5 --what stats|buckets|freq|curves|nll|noise -o file.csv`: a trace's
// statistics (whole run, or by query bucket), per-frequency-band logit contributions, theory
// curves, per-token NLL or noise sweeps (with seed intervals) as a tidy CSV (or JSON), for
// plotting without HDF5.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/noise_args.h"
#include "app/cli/output_file.h"
#include "app/cli/stats_tables.h"
#include "distance_bins.h"
#include "error.h"
#include "freq_bands.h"
#include "trace_reader.h"

namespace rs::cli {
namespace {

Table stats_table(TraceReader& r) {
    const TraceMeta& m = r.meta();
    const RunStats& st = r.stats();
    Table t;
    t.header = {"layer", "head", "label", "part", "virtual", "query_head", "kv_head"};
    for (int D : st.thresholds) t.header.push_back("M_" + std::to_string(D));
    t.header.insert(t.header.end(), {"mean_distance", "entropy"});
    for (std::size_t b = 0; b + 1 < st.bin_edges.size(); ++b) {
        const std::string range =
            std::to_string(st.bin_edges[b]) + "_" + std::to_string(st.bin_edges[b + 1]);
        t.header.push_back("mass_d" + range);
        t.header.push_back("logit_d" + range);
    }
    // Sink-aware columns of traces that have them (older traces: not stored, so not exported).
    if (st.has_buckets()) {
        const auto cols = sink_columns(st);
        t.header.insert(t.header.end(), cols.begin(), cols.end());
    }
    for (int l = 0; l < m.layers; ++l)
        for (const auto& h : m.layout.heads) {
            if (!st.observed[std::size_t(l) * st.heads + h.index]) continue;
            const HeadStats& s = st.at(l, h.index);
            std::vector<std::pair<std::string, nlohmann::json>> c{
                cell(long(l)),
                cell(long(h.index)),
                cell(m.layout.label(h.index)),
                cell(std::string(h.imag ? "imag" : "real")),
                cell(long(h.is_virtual)),
                cell(long(h.query_head)),
                cell(long(h.kv_head))};
            for (double v : s.long_range_mass) c.push_back(cell(v));
            c.push_back(cell(s.mean_distance));
            c.push_back(cell(s.entropy));
            for (std::size_t b = 0; b < s.bin_mass.size(); ++b) {
                c.push_back(cell(s.bin_mass[b]));
                c.push_back(cell(s.bin_logit[b]));
            }
            if (st.has_buckets())
                for (auto& x : sink_cells(st, s)) c.push_back(std::move(x));
            t.add(std::move(c));
        }
    return t;
}

// Tidy: one row per (curve, head, distance); layer/head empty for the uniform-weight curves.
Table curves_table(TraceReader& r) {
    const TraceCurves& c = r.curves();
    const auto& u = c.uniform;
    Table t;
    t.header = {"curve", "layer", "head", "label", "distance", "value"};
    const std::pair<const char*, const std::vector<double>*> uniform[] = {
        {"real_sum", &u.real_sum},
        {"imag_sum", &u.imag_sum},
        {"real_closed", &u.real_closed},
        {"imag_closed", &u.imag_closed}};
    for (const auto& [name, values] : uniform)
        for (std::size_t i = 0; i < u.distance.size(); ++i)
            t.add({cell(std::string(name)), empty_cell(), empty_cell(), empty_cell(),
                   cell(u.distance[i]), cell((*values)[i])});
    for (int l = 0; l < c.layers; ++l)
        for (int h = 0; h < c.heads; ++h)
            for (std::size_t i = 0; i < u.distance.size(); ++i)
                t.add({cell(std::string("expected_logit")), cell(long(l)), cell(long(h)),
                       cell(r.meta().layout.label(h)), cell(u.distance[i]),
                       cell(c.expected(l, h, i))});
    return t;
}

// nll at position t is -log p(token t+1 | tokens 0..t). A trace written from token ids has no
// display strings (has_token_display = 0): the column is then empty, not read past the end.
Table nll_table(TraceReader& r) {
    const auto& nll = r.token_nll();
    const TraceTokens& in = r.meta().input;
    Table t;
    t.header = {"position", "next_token_id", "next_token", "nll"};
    for (std::size_t i = 0; i < nll.size(); ++i)
        t.add({cell(long(i)), cell(long(in.ids.at(i + 1))),
               cell(i + 1 < in.display.size() ? in.display[i + 1] : std::string()),
               cell(double(nll[i]))});
    return t;
}

// The stored noise sweeps, summarised over seeds (app/cli/noise_args.h).
Table noise_table(TraceReader& r) {
    Table t;
    t.header = noise_table_header();
    for (auto& row : noise_table_rows(r.noise())) t.add(std::move(row));
    return t;
}

Table buckets_table(TraceReader& r) {
    const RunStats& st = r.stats();
    if (!st.has_buckets())
        throw FileError(r.path(), "query-bucket statistics are not stored in this trace (it "
                                  "predates them); re-run `ropescope-cli trace` to get them");
    return bucket_table(st, r.meta().layout);
}

// Distances of the frequency table: --distances, else 0 and the powers of two below T.
std::vector<double> freq_distances(const Args& args, int tokens) {
    if (auto d = args.get("distances")) return parse_number_list(*d, "distances");
    auto edges = log_distance_edges(tokens);
    std::vector<double> out;
    for (int e : edges)
        if (e < tokens) out.push_back(e);
    return out;
}

// One row per (head, band, distance): the band's contribution to the head's expected logit
// (freq_bands.h); the bands of a head and distance plus `passthrough` sum to expected_logit.
Table freq_table(TraceReader& r, const Args& args) {
    const TraceMeta& m = r.meta();
    const RunStats& st = r.stats();
    const int half = m.rope.rotary_dim / 2;
    const int nbands = int(args.get_int("bands", 8));
    if (nbands < 1) throw UsageError("--bands must be >= 1");
    const auto bands = frequency_bands(half, nbands);
    const auto distances = freq_distances(args, m.tokens);
    Table t;
    t.header = {"layer",          "head",           "label",    "band", "pair_first",
                "pair_last",      "wavelength_min", "wavelength_max", "distance",
                "contribution",   "passthrough"};
    const double two_pi = 2.0 * std::acos(-1.0);
    for (int l = 0; l < m.layers; ++l)
        for (const auto& h : m.layout.heads) {
            if (!st.observed[std::size_t(l) * st.heads + h.index]) continue;
            const HeadStats& s = st.at(l, h.index);
            const auto& w = m.rope_of(l).inv_freq;  // Gemma 3: the layer's own (local or global) spectrum
            for (std::size_t b = 0; b < bands.size(); ++b)
                for (double dist : distances)
                    t.add({cell(long(l)), cell(long(h.index)), cell(m.layout.label(h.index)),
                           cell(long(b)), cell(long(bands[b].first)), cell(long(bands[b].end - 1)),
                           cell(two_pi / w[bands[b].first]), cell(two_pi / w[bands[b].end - 1]),
                           cell(dist),
                           cell(band_contribution(s, w, st.logit_scale, bands[b], dist)),
                           cell(s.passthrough)});
        }
    return t;
}

int run(const Args& args) {
    TraceReader r = TraceReader::open(args.positional(0, "trace file"));
    const std::string what = args.get_or("what", "");
    if (what != "freq")
        for (const char* o : {"bands", "distances"})
            if (args.get(o))
                throw UsageError(std::string("--") + o + " applies to --what freq only");
    Table t;
    if (what == "stats")
        t = stats_table(r);
    else if (what == "curves")
        t = curves_table(r);
    else if (what == "nll")
        t = nll_table(r);
    else if (what == "buckets")
        t = buckets_table(r);
    else if (what == "freq")
        t = freq_table(r, args);
    else if (what == "noise")
        t = noise_table(r);
    else
        throw UsageError("--what must be stats, buckets, freq, curves, nll or noise, got '" + what + "'");
    const std::string out = optional_output_path(args);
    if (!out.empty()) write_output_file(out, [&](std::ostream& f) { write_csv(f, t); });
    if (args.flag("json"))
        std::cout << nlohmann::json{{"what", what}, {"rows", to_json(t)}}.dump() << "\n";
    else if (out.empty())
        write_csv(std::cout, t);
    else
        std::printf("wrote %s: %zu rows of %s\n", out.c_str(), t.rows.size(), what.c_str());
    print_warnings("export", r.warnings());
    return 0;
}

const Command::Register reg{Command{
    "export",
    "run.h5",
    "Export a trace's per-head statistics (whole run or by query bucket), per-frequency-band logit "
    "contributions, theory curves, per-token NLL or noise sweeps as CSV or JSON.",
    {{"what", "stats|buckets|freq|curves|nll|noise", "what to export", "what", true},
     {"out", "file.csv", "the output file (or -o file.csv)"},
     {"bands", "N", "freq: consecutive frequency pairs grouped into N bands (default 8)"},
     {"distances", "0,1,16", "freq: distances (default 0 and the powers of two below T)"}},
    run}};

}  // namespace
}  // namespace rs::cli
