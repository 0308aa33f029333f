// ppl_figure.h in a build without the Qt UI library: figures are refused with the reason.
#include "app/cli/ppl_figure.h"

#include "error.h"

namespace rs::cli {

bool ppl_figure_available() {
    return false;
}

void check_ppl_figure_path(const std::string&) {
    throw UsageError("--figure needs the GUI libraries: this ropescope-cli was built without them "
                     "(ROPESCOPE_BUILD_GUI=OFF); write --out CSV instead");
}

void write_ppl_figure(const std::string&, double, const std::vector<PplFigureSeries>&,
                      const std::vector<std::string>&) {
    check_ppl_figure_path("");
}

}  // namespace rs::cli
