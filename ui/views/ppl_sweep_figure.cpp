// PplSweepFigure: sweep points -> one overlaid perplexity-vs-length chart.
#include "ppl_sweep_figure.h"

#include <cmath>

#include "series_colors.h"

namespace rs::ui {

ChartSpec ppl_sweep_chart(const std::vector<PplSweepSeries>& series) {
    ChartSpec spec;
    spec.title = "Perplexity by evaluation length";
    spec.x.title = "evaluation length L (tokens)";
    spec.x.scale = AxisScale::Log;
    spec.x.log_base = 2.0;
    spec.y.title = "perplexity";
    spec.empty_message = "no sweep points";
    for (std::size_t i = 0; i < series.size(); ++i) {
        ChartSeriesSpec s;
        s.name = series[i].name;
        s.kind = SeriesKind::LineAndMarkers;
        s.color = palette_color(int(i));
        for (const auto& [length, nll] : series[i].points) s.points.emplace_back(length, std::exp(nll));
        spec.series.push_back(std::move(s));
    }
    return spec;
}

PplSweepFigure::PplSweepFigure(const std::vector<PplSweepSeries>& series, QStringList parameters)
    : parameters_(std::move(parameters)) {
    set_figure_name("ppl_by_length");
    set_figure_size({520, 360});
    set_spec(ppl_sweep_chart(series));
    flush();
}

}  // namespace rs::ui
