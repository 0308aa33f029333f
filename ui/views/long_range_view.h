// Long-range attention mass M(D) against the distance threshold D (log axis): the mean over real
// heads against the mean over imaginary heads, for one layer or averaged over all layers, with
// optional thin lines for the individual heads.
#pragma once

#include <optional>

#include "head_layout.h"
#include "head_stats.h"
#include "single_chart_view.h"

class QCheckBox;
class QComboBox;

namespace rs::ui {

class LongRangeView : public SingleChartView {
    Q_OBJECT
  public:
    explicit LongRangeView(QWidget* parent = nullptr);

    // Copied; nullptr clears. Without a layout every head counts as real.
    void set_run(const RunStats* stats, const HeadLayout* layout);
    // -1: mean over all layers (the default); otherwise one layer.
    void set_layer(int layer);
    int layer() const;
    // Thin lines for individual heads (for the all-layers mean only up to 256 heads in total).
    void set_show_heads(bool show);

    // Series: per-head lines when shown (first, so they are drawn beneath), then "real heads
    // (mean)" and "imaginary heads (mean)": points (D, mean M(D)) over the heads that were
    // computed.
    ChartSpec spec() const override;
    QString figure_name() const override;
    QStringList figure_parameters() const override;

  private:
    std::optional<RunStats> stats_;
    std::optional<HeadLayout> layout_;
    QComboBox* layer_ = nullptr;
    QCheckBox* heads_ = nullptr;
};

}  // namespace rs::ui
