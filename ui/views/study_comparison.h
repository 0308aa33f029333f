// A study file as the Compare view reads it: the header, and the aggregates over texts the file
// stores (read_study_with_aggregates: checked against the per-text values, not re-bootstrapped) for
// the tables the view plots: /summary, each checkpoint's heads and NLL by position, and the
// per-text NLL.
#pragma once

#include <QString>
#include <vector>

#include "study_spec.h"
#include "study_tables.h"

namespace rs::ui {

struct StudyComparison {
    QString path;  // the study file, absolute
    Study study;
    AggregateTable summary;                // [C, S, 2, K + 1]: part 0 real, 1 imaginary
    std::vector<AggregateTable> heads;     // [C] of [S, L, H, K]
    std::vector<TextTable> nll;            // [C] of per-text values [S, X]
    // [C] aggregates over texts of the NLL by position bucket [S, B]; empty for a study file
    // written before position buckets.
    std::vector<AggregateTable> nll_by_position;

    const StudyHeader& header() const { return study.header; }
    std::size_t columns() const { return header().statistics.size() + 1; }  // + "nll"
    // Index of statistic `name` in the study's columns, -1 when it has none.
    int statistic_index(const QString& name) const;
    // "rope (RoPE)": the checkpoint's folder name and variant.
    QString checkpoint_label(int checkpoint) const;
    double summary_at(const std::vector<double>& field, int checkpoint, int setting, int part,
                      int column) const;
};

// Reads `path`. Throws FileError naming the file (and the HDF5 object that is wrong) for anything
// that is not a study file of this schema.
StudyComparison load_study_comparison(const QString& path);

}  // namespace rs::ui
