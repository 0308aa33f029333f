// `study merge`: partial study files of one study (shards, or an interrupted run) combined into
// one; the result is what a single run would have written, since every table is recomputed from
// the per-unit results.
#pragma once

#include <string>
#include <vector>

#include "study_spec.h"

namespace rs {

// Reads every partial, refuses (FileError naming the file and the field) partials of another
// study and units recorded differently in two partials.
Study merge_study_files(const std::vector<std::string>& paths);

}  // namespace rs
