// Statistics tables: cells, CSV/JSON writing and the bucket and sink columns.
#include "app/cli/stats_tables.h"

#include <cmath>
#include <cstdio>

#include "csv_writer.h"
#include "train_length.h"

namespace rs::cli {

void Table::add(std::vector<Cell> cells) {
    std::vector<std::string> r;
    std::vector<nlohmann::json> j;
    for (auto& [text, value] : cells) {
        r.push_back(std::move(text));
        j.push_back(std::move(value));
    }
    rows.push_back(std::move(r));
    json_rows.push_back(std::move(j));
}

Table::Cell cell(double v) {
    return {csv_number(v), std::isfinite(v) ? nlohmann::json(v) : nlohmann::json()};
}
Table::Cell cell(long v) { return {std::to_string(v), v}; }
Table::Cell cell(const std::string& s) { return {s, s}; }
Table::Cell empty_cell() { return {"", nullptr}; }

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

namespace {

std::string bin_range(const RunStats& st, std::size_t b) {
    return std::to_string(st.bin_edges[b]) + "_" + std::to_string(st.bin_edges[b + 1]);
}

std::vector<std::string> bucket_columns(const RunStats& st) {
    const std::string K = std::to_string(st.sink_exclude);
    std::vector<std::string> h;
    for (int D : st.thresholds) h.push_back("M_" + std::to_string(D));
    h.insert(h.end(), {"mean_distance", "entropy"});
    for (int k : st.sink_counts) h.push_back("sink_mass_k" + std::to_string(k));
    for (int D : st.thresholds) h.push_back("M_ex" + K + "_" + std::to_string(D));
    h.push_back("mean_distance_ex" + K);
    for (std::size_t b = 0; b + 1 < st.bin_edges.size(); ++b) h.push_back("mass_d" + bin_range(st, b));
    for (std::size_t b = 0; b + 1 < st.bin_edges.size(); ++b)
        h.push_back("mass_ex" + K + "_d" + bin_range(st, b));
    return h;
}

void add_values(std::vector<Table::Cell>& c, const std::vector<double>& v) {
    for (double x : v) c.push_back(cell(x));
}

std::vector<Table::Cell> bucket_cells(const BucketStats& b) {
    std::vector<Table::Cell> c;
    add_values(c, b.long_range_mass);
    c.push_back(cell(b.mean_distance));
    c.push_back(cell(b.entropy));
    add_values(c, b.sink_mass);
    add_values(c, b.long_range_mass_ex);
    c.push_back(cell(b.mean_distance_ex));
    add_values(c, b.bin_mass);
    add_values(c, b.bin_mass_ex);
    return c;
}

}  // namespace

std::vector<std::string> sink_columns(const RunStats& st) {
    const std::string K = std::to_string(st.sink_exclude);
    std::vector<std::string> h;
    for (int k : st.sink_counts) h.push_back("sink_mass_k" + std::to_string(k));
    for (int D : st.thresholds) h.push_back("M_ex" + K + "_" + std::to_string(D));
    h.push_back("mean_distance_ex" + K);
    for (std::size_t b = 0; b + 1 < st.bin_edges.size(); ++b)
        h.push_back("mass_ex" + K + "_d" + bin_range(st, b));
    return h;
}

std::vector<Table::Cell> sink_cells(const RunStats&, const HeadStats& h) {
    const BucketStats& a = h.buckets.at(0);
    std::vector<Table::Cell> c;
    add_values(c, a.sink_mass);
    add_values(c, a.long_range_mass_ex);
    c.push_back(cell(a.mean_distance_ex));
    add_values(c, a.bin_mass_ex);
    return c;
}

Table bucket_table(const RunStats& st, const HeadLayout& layout) {
    Table t;
    t.header = {"layer", "head", "label", "part", "virtual", "bucket", "q_lo", "q_hi", "queries"};
    const auto cols = bucket_columns(st);
    t.header.insert(t.header.end(), cols.begin(), cols.end());
    auto lead = [&](std::size_t b) {
        const auto& q = st.buckets[b];
        return std::vector<Table::Cell>{cell(q.name), cell(long(q.lo)), cell(long(q.hi)),
                                        cell(long(q.hi - q.lo))};
    };
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : layout.heads) {
            if (!st.observed[std::size_t(l) * st.heads + h.index]) continue;
            const HeadStats& s = st.at(l, h.index);
            for (std::size_t b = 0; b < st.buckets.size(); ++b) {
                std::vector<Table::Cell> c{cell(long(l)), cell(long(h.index)),
                                           cell(layout.label(h.index)),
                                           cell(std::string(h.imag ? "imag" : "real")),
                                           cell(long(h.is_virtual))};
                for (auto& x : lead(b)) c.push_back(std::move(x));
                for (auto& x : bucket_cells(s.buckets.at(b))) c.push_back(std::move(x));
                t.add(std::move(c));
            }
        }
    for (std::size_t b = 0; b < st.buckets.size(); ++b) {
        std::vector<Table::Cell> c{empty_cell(), empty_cell(), cell(std::string("uniform attention")),
                                   cell(std::string("uniform")), empty_cell()};
        for (auto& x : lead(b)) c.push_back(std::move(x));
        for (auto& x : bucket_cells(st.uniform.at(b))) c.push_back(std::move(x));
        t.add(std::move(c));
    }
    // Sliding-window layers compare with uniform attention over the keys their window shows.
    for (const auto& [window, reference] : st.uniform_windowed)
        for (std::size_t b = 0; b < st.buckets.size(); ++b) {
            std::vector<Table::Cell> c{empty_cell(), empty_cell(),
                                       cell("uniform attention, window " + std::to_string(window)),
                                       cell(std::string("uniform")), empty_cell()};
            for (auto& x : lead(b)) c.push_back(std::move(x));
            for (auto& x : bucket_cells(reference.at(b))) c.push_back(std::move(x));
            t.add(std::move(c));
        }
    return t;
}

namespace {

// Mean of one bucketed value over the observed heads of one part (NaN values skipped).
double part_mean(const RunStats& st, const HeadLayout& layout, bool imag, std::size_t b,
                 double (*get)(const BucketStats&, std::size_t), std::size_t i) {
    double sum = 0;
    int n = 0;
    for (int l = 0; l < st.layers; ++l)
        for (const auto& h : layout.heads) {
            if (h.imag != imag || !st.observed[std::size_t(l) * st.heads + h.index]) continue;
            const double v = get(st.at(l, h.index).buckets.at(b), i);
            if (std::isnan(v)) continue;
            sum += v;
            ++n;
        }
    return n ? sum / n : std::nan("");
}

}  // namespace

std::string train_length_line(const RunStats& st) {
    if (!st.has_buckets()) return "training length not stored (trace written before query buckets)";
    return describe_train_length(st.train_length, st.train_length_source);
}

void print_bucket_summary(const RunStats& st, const HeadLayout& layout) {
    using Get = double (*)(const BucketStats&, std::size_t);
    std::vector<std::pair<std::string, std::pair<Get, std::size_t>>> cols{
        {"mean_dist", {[](const BucketStats& b, std::size_t) { return b.mean_distance; }, 0}},
        {"dist_ex" + std::to_string(st.sink_exclude),
         {[](const BucketStats& b, std::size_t) { return b.mean_distance_ex; }, 0}}};
    for (std::size_t k = 0; k < st.sink_counts.size(); ++k)
        cols.push_back({"sink_k" + std::to_string(st.sink_counts[k]),
                        {[](const BucketStats& b, std::size_t i) { return b.sink_mass[i]; }, k}});
    std::printf("\nby query position (mean over heads: real / imag / uniform attention)\n");
    std::printf("%-14s %13s", "bucket", "queries");
    for (const auto& c : cols) std::printf("  %-26s", c.first.c_str());
    std::printf("\n");
    for (std::size_t b = 0; b < st.buckets.size(); ++b) {
        const auto& q = st.buckets[b];
        const std::string range = "[" + std::to_string(q.lo) + "," + std::to_string(q.hi) + ")";
        std::printf("%-14s %13s", q.name.c_str(), range.c_str());
        for (const auto& [name, g] : cols)
            std::printf("  %8.3f %8.3f %8.3f", part_mean(st, layout, false, b, g.first, g.second),
                        part_mean(st, layout, true, b, g.first, g.second),
                        g.first(st.uniform.at(b), g.second));
        std::printf("\n");
    }
    // The uniform column is full causal attention; windowed layers have their own reference.
    for (const auto& [window, reference] : st.uniform_windowed) {
        std::printf("uniform attention over a sliding window of %d keys (the windowed layers' reference)\n", window);
        for (std::size_t b = 0; b < st.buckets.size(); ++b) {
            std::printf("%-14s %13s", st.buckets[b].name.c_str(), "");
            for (const auto& [name, g] : cols) std::printf("  %8s %8s %8.3f", "", "", g.first(reference.at(b), g.second));
            std::printf("\n");
        }
    }
}

}  // namespace rs::cli
