// The study file (HDF5, docs/study-format.md): written whole and atomically from a Study, with
// every aggregate computed from the per-unit results; read back (for merge and show) with every
// field validated, since a study file is as untrusted as any input.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "study_spec.h"
#include "study_tables.h"

namespace rs {

constexpr int kStudySchemaVersion = 1;

// Writes `destination` through a temporary file renamed into place: an existing file is replaced
// only when the new one is complete. Throws FileError naming `destination`.
void write_study_file(const std::string& destination, const Study& study);

// The header and the done units of a study file. Throws FileError naming `path` for anything
// that is not a study file of this schema or is inconsistent.
Study read_study_file(const std::string& path);

// The study of `path` (as read_study_file gives it) and the aggregates over texts the file stores
// for the tables `choose` picks from the study's own (study_tables), in that order: mean, sd,
// ci_low, ci_high and n of each table's group, shaped as the table without its text axis. Read,
// not recomputed — the bootstrap is the costly part — but checked against the table's own values
// first: mean and n exactly as aggregate() gives them, sd >= 0 and ci_low <= ci_high wherever they
// are numbers. One open of the file. Throws FileError naming `path` and the dataset.
struct StudyWithAggregates {
    Study study;
    std::vector<AggregateTable> aggregates;  // one per table `choose` returned
};
StudyWithAggregates read_study_with_aggregates(
    const std::string& path, const std::function<std::vector<TextTable>(const Study&)>& choose);

}  // namespace rs
