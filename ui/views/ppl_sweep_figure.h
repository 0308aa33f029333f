// The PPL-vs-length figure of `ropescope-cli ppl --lengths`: perplexity against evaluation length,
// one line per checkpoint (and RoPE setting) overlaid, with the sweep's data source as its
// caption parameters.
#pragma once

#include <QString>
#include <QStringList>
#include <vector>

#include "chart_panel.h"
#include "chart_spec.h"

namespace rs::ui {

struct PplSweepSeries {
    QString name;                                // "rope_pp_ec (RoPE++_EC)", plus a setting
    std::vector<std::pair<int, double>> points;  // (length, mean NLL)
};

// Perplexity exp(mean NLL) against length on a log2 axis.
ChartSpec ppl_sweep_chart(const std::vector<PplSweepSeries>& series);

// A chart panel whose exports name the checkpoints, text, tokens and protocol (`parameters`,
// "name: value" items) under the figure.
class PplSweepFigure : public ChartPanel {
  public:
    PplSweepFigure(const std::vector<PplSweepSeries>& series, QStringList parameters);
    QStringList figure_parameters() const override { return parameters_; }

  private:
    QStringList parameters_;
};

}  // namespace rs::ui
