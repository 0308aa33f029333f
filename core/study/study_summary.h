// The aggregate table of a study as rows (`ropescope-cli study show`, CSV for docs): per
// checkpoint, setting and part the mean over texts of the head-mean statistics and the NLL, the
// imaginary - real twin differences, and the checkpoint and setting differences, each with its
// s.d. and 95% bootstrap interval.
#pragma once

#include <string>
#include <vector>

#include "study_spec.h"

namespace rs {

struct SummaryRow {
    std::string table;       // "summary", "twin", "checkpoints", "settings"
    std::string checkpoint;  // folder name, or "A - B"
    std::string variant;     // or "A - B"
    std::string setting;     // label, or "X - none"
    std::string part;        // "real", "imag", "imag - real"
    std::string column;      // statistic or "nll"
    int n = 0;
    double mean = 0, sd = 0, ci_low = 0, ci_high = 0;
};

std::vector<SummaryRow> study_summary(const Study& study);

}  // namespace rs
