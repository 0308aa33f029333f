// The tables of a study file, computed from its per-unit results only (so a merge of partials
// gives the same numbers as one run): per-text arrays and their aggregates over the text axis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "study_bootstrap.h"
#include "study_spec.h"

namespace rs {

// One per-text array: `values` row-major over `dims`, named by `axes`; NaN where a unit is not
// done or a value is not defined.
struct TextTable {
    std::string group;              // where it lives in the study file ("summary", ...)
    std::vector<std::string> axes;  // one of them is "text"
    std::vector<std::size_t> dims;
    std::vector<double> values;
    std::size_t text_axis() const;
};

// The table aggregated over its text axis (dims without it).
struct AggregateTable {
    std::vector<std::size_t> dims;
    std::vector<double> mean, sd, low, high;
    std::vector<std::int32_t> n;
};
AggregateTable aggregate(const TextTable& table, Bootstrap& bootstrap);

// The columns of the summary and difference tables: the statistics, then "nll".
std::vector<std::string> summary_columns(const StudyHeader& h);
// Checkpoint pairs (a, b), a < b, of the checkpoint differences.
std::vector<std::pair<int, int>> checkpoint_pairs(const StudyHeader& h);
// The setting the settings differences subtract ("none"), or -1 when the study has none.
int baseline_setting(const StudyHeader& h);
std::string checkpoint_group(int checkpoint);  // "checkpoints/c00"

// Every table of the file, in file order: per checkpoint heads, nll, twin_difference,
// twin_difference_by_layer; then
// summary, differences/checkpoints, differences/settings; then per checkpoint nll_by_position
// (when the study has position buckets). See docs/study-format.md.
std::vector<TextTable> study_tables(const Study& study);

}  // namespace rs
