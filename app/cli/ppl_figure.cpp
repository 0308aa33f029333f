// ppl_figure.h with the Qt UI library: PplSweepFigure through export_figure.
#include "app/cli/ppl_figure.h"

#include "app/cli/headless_app.h"
#include "error.h"
#include "figure_export.h"
#include "ppl_sweep_figure.h"

namespace rs::cli {

bool ppl_figure_available() {
    return true;
}

void check_ppl_figure_path(const std::string& path) {
    if (!ui::figure_format_for(QString::fromStdString(path)))
        throw UsageError("--figure must end in .png, .svg, .pdf or .csv, got '" + path + "'");
}

void write_ppl_figure(const std::string& path, double dpi,
                      const std::vector<PplFigureSeries>& series,
                      const std::vector<std::string>& parameters) {
    const auto app = headless_app("ppl");
    std::vector<ui::PplSweepSeries> s;
    for (const auto& x : series) s.push_back({QString::fromStdString(x.name), x.points});
    QStringList params;
    for (const auto& p : parameters) params << QString::fromStdString(p);
    ui::PplSweepFigure figure(s, params);
    ui::FigureExportOptions opt;
    opt.dpi = dpi;
    ui::export_figure(figure, QString::fromStdString(path), opt);
}

}  // namespace rs::cli
