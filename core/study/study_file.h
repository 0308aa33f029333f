// The study file (HDF5, docs/study-format.md): written whole and atomically from a Study, with
// every aggregate computed from the per-unit results; read back (for merge and show) with every
// field validated, since a study file is as untrusted as any input.
#pragma once

#include <string>

#include "study_spec.h"

namespace rs {

constexpr int kStudySchemaVersion = 1;

// Writes `destination` through a temporary file renamed into place: an existing file is replaced
// only when the new one is complete. Throws FileError naming `destination`.
void write_study_file(const std::string& destination, const Study& study);

// The header and the done units of a study file. Throws FileError naming `path` for anything
// that is not a study file of this schema or is inconsistent.
Study read_study_file(const std::string& path);

}  // namespace rs
