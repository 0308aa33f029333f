// Tables of a run's statistics for `export` and `stats`: rows of cells kept both as CSV text and
// as JSON values, so one table writes either way.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "head_layout.h"
#include "head_stats.h"

namespace rs::cli {

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::vector<nlohmann::json>> json_rows;
    using Cell = std::pair<std::string, nlohmann::json>;
    void add(std::vector<Cell> cells);
};

Table::Cell cell(double v);
Table::Cell cell(long v);
Table::Cell cell(const std::string& s);
Table::Cell empty_cell();

void write_csv(std::ostream& o, const Table& t);
nlohmann::json to_json(const Table& t);

// Column names of the sink-aware statistics: "sink_mass_k4", "M_ex4_16", "mean_distance_ex4",
// "mass_ex4_d2_4" (K = the exclusion count in each name, so a column says what it excludes).
std::vector<std::string> sink_columns(const RunStats& st);
// The whole run's (bucket "all") values of those columns for one head.
std::vector<Table::Cell> sink_cells(const RunStats& st, const HeadStats& h);

// One row per observed head and query bucket, then one per bucket for uniform attention
// (part "uniform"): every bucketed statistic. Requires st.has_buckets().
Table bucket_table(const RunStats& st, const HeadLayout& layout);

// Per query bucket: the mean over observed real and imaginary heads of the mean distance, the
// sink-excluded mean distance and each sink mass, beside the uniform reference (text output).
void print_bucket_summary(const RunStats& st, const HeadLayout& layout);

// "L = 4096 (max_position_embeddings)" or "not known (...)"; "not stored" for older traces.
std::string train_length_line(const RunStats& st);

}  // namespace rs::cli
