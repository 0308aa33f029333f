// The overlaid PPL-vs-length figure of `ropescope-cli ppl --lengths ... --figure FIG`, drawn
// headless with the GUI's chart and export code (built only with the GUI, like `render`).
#pragma once

#include <string>
#include <vector>

namespace rs::cli {

struct PplFigureSeries {
    std::string name;                            // legend entry
    std::vector<std::pair<int, double>> points;  // (length, mean NLL)
};

// True when this build can draw figures (the Qt UI library is linked).
bool ppl_figure_available();

// Throws UsageError for an extension that names no figure format (checked before any run).
void check_ppl_figure_path(const std::string& path);

// Writes the figure; `parameters` ("name: value") go into its caption. Throws FileError.
void write_ppl_figure(const std::string& path, double dpi,
                      const std::vector<PplFigureSeries>& series,
                      const std::vector<std::string>& parameters);

}  // namespace rs::cli
