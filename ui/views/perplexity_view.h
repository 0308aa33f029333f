// Loss by position: per-position NLL from nll_by_position (raw and a moving average), as NLL or
// perplexity, with an optional marker at the model's training context length.
#pragma once

#include <optional>

#include "perplexity.h"
#include "single_chart_view.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace rs::ui {

enum class LossScale { Nll, Perplexity };

class PerplexityView : public SingleChartView {
    Q_OBJECT
  public:
    explicit PerplexityView(QWidget* parent = nullptr);

    void set_nll(const PositionNll* nll);  // copied; nullptr clears
    // Training context length (e.g. max_position_embeddings); 0 hides the marker.
    void set_training_context(int tokens);
    void set_scale(LossScale scale);
    LossScale scale() const;
    void set_smoothing(int window);  // moving-average window in positions (1 = none)
    int smoothing() const;
    void set_log_position(bool log);
    // Log loss axis: on the perplexity scale one 1e6 spike otherwise flattens every other point.
    void set_log_loss(bool log);

    // Series 0: raw, points (t + 1, mean_nll[t]) (or exp of it) for positions with windows;
    // series 1: the centred moving average of the NLL (perplexity: exp of the averaged NLL).
    ChartSpec spec() const override;
    QString figure_name() const override;
    QStringList figure_parameters() const override;

  private:
    std::optional<PositionNll> nll_;
    int training_context_ = 0;
    QComboBox* scale_ = nullptr;
    QSpinBox* window_ = nullptr;
    QCheckBox* marker_ = nullptr;
    QCheckBox* log_x_ = nullptr;
    QCheckBox* log_y_ = nullptr;
};

}  // namespace rs::ui
