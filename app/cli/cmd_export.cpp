// `ropescope-cli export run.h5 --what stats|curves|nll|noise -o file.csv`: a trace's statistics,
// theory curves, per-token NLL or noise sweeps (with seed intervals) as a tidy CSV (or JSON), for
// plotting without HDF5.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/noise_args.h"
#include "app/cli/output_file.h"
#include "csv_writer.h"
#include "error.h"
#include "trace_reader.h"

namespace rs::cli {
namespace {

nlohmann::json jnum(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

// Rows of a table: header plus cells, written as CSV or as a JSON list of objects.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::vector<nlohmann::json>> json_rows;
    void add(std::vector<std::pair<std::string, nlohmann::json>> cells) {
        std::vector<std::string> r;
        std::vector<nlohmann::json> j;
        for (auto& [text, value] : cells) {
            r.push_back(std::move(text));
            j.push_back(std::move(value));
        }
        rows.push_back(std::move(r));
        json_rows.push_back(std::move(j));
    }
};

std::pair<std::string, nlohmann::json> cell(double v) {
    return {csv_number(v), jnum(v)};
}
std::pair<std::string, nlohmann::json> cell(long v) {
    return {std::to_string(v), v};
}
std::pair<std::string, nlohmann::json> cell(const std::string& s) {
    return {s, s};
}
std::pair<std::string, nlohmann::json> empty_cell() {
    return {"", nullptr};
}

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

void write_csv(std::ostream& o, const Table& t) {
    CsvWriter csv(o);
    csv.row(t.header);
    for (const auto& row : t.rows) csv.row(row);
}

nlohmann::json to_json(const Table& t) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : t.json_rows) {
        nlohmann::json o = nlohmann::json::object();
        for (std::size_t i = 0; i < r.size(); ++i) o[t.header[i]] = r[i];
        rows.push_back(std::move(o));
    }
    return rows;
}

int run(const Args& args) {
    TraceReader r = TraceReader::open(args.positional(0, "trace file"));
    const std::string what = args.get_or("what", "");
    Table t;
    if (what == "stats")
        t = stats_table(r);
    else if (what == "curves")
        t = curves_table(r);
    else if (what == "nll")
        t = nll_table(r);
    else if (what == "noise")
        t = noise_table(r);
    else
        throw UsageError("--what must be stats, curves, nll or noise, got '" + what + "'");
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
    "Export a trace's per-head statistics, theory curves, per-token NLL or noise sweeps as CSV or "
    "JSON.",
    {{"what", "stats|curves|nll|noise", "what to export", "what", true},
     {"out", "file.csv", "the output file (or -o file.csv)"}},
    run}};

}  // namespace
}  // namespace rs::cli
