// Decay curves: the Ci/Si theory for a user-edited list of frequency bases, head dimension,
// partial rotary and scaling (none / PI / upstream YaRN), as exact sums and closed form, on a
// linear or log distance axis; plus overlays of chosen heads' measured curves from a run.
// The normalisation is documented in core/analysis/decay_curves.h and in the chart's footnote;
// why the view does not read the curves a trace stores, there too.
#pragma once

#include <QTimer>
#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

#include "head_layout.h"
#include "head_stats.h"
#include "rope.h"
#include "decay_chart.h"
#include "exportable.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace rs::ui {

class ChartPanel;

class CurvesView : public QWidget, public Exportable {
    Q_OBJECT
  public:
    explicit CurvesView(QWidget* parent = nullptr);

    // The open model's RoPE: its spectrum is what head overlays are computed with. The controls
    // follow it (head dim, rotary fraction, scaling; the model's base goes first in the base list,
    // the other bases stay for comparison). `run_inv_freq`: the spectrum the run used, as a trace
    // stores it (longrope and dynamic NTK depend on the run length); empty = the params' own.
    // `layer_inv_freq`: [layers] each layer's own spectrum where layers differ (Gemma 3's local
    // RoPE); empty = every layer's overlay uses the model's. `local_base`: Gemma 3's
    // rope_local_base_freq, offered (and drawn by default) as one more base without the model's
    // scaling, as its sliding-window layers use it; 0 = the model has no local RoPE.
    void set_model_rope(const RopeParams& params, const std::vector<double>& run_inv_freq = {},
                        std::vector<std::vector<double>> layer_inv_freq = {},
                        double local_base = 0.0);
    // The run whose heads can be overlaid (copied; nullptr clears the overlays' data).
    void set_run(const RunStats* stats, const HeadLayout* layout);
    // Heads to overlay, as (layer, head); heads outside the run are ignored. Also editable in the
    // "overlay heads" field as "layer:head" pairs ("1:3, 0:5").
    void set_overlay_heads(std::vector<std::pair<int, int>> heads);
    const std::vector<std::pair<int, int>>& overlay_heads() const { return overlays_; }

    // Theory settings (also editable in the controls).
    void set_settings(const DecaySettings& settings);
    // Current settings from the controls; nullopt while the base list does not parse.
    std::optional<DecaySettings> settings() const;
    // Why nothing is plotted (bad base list, impossible dimensions), empty when all is well.
    QString error() const { return error_; }
    // Why the overlaid heads do not match the theory drawn (another head dim, rotary fraction
    // or scaling than their model's), empty when they do or nothing is overlaid.
    QString overlay_warning() const { return warning_; }
    // The settings of the paper's Figure 1: one base (10k), head dim 128, no scaling, linear
    // distance up to 256, exact sums and closed form.
    static DecaySettings paper_figure1();

    // What is plotted, built from the current settings, run and overlays.
    ChartSpec spec() const;
    void flush();
    ChartPanel* chart() const { return chart_; }

    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override { return {760, 460}; }
    QString figure_csv() const override;
    QString figure_name() const override { return "decay_curves"; }
    QStringList figure_parameters() const override;

  signals:
    void settings_changed();

  private:
    void schedule();
    void refresh();
    void fill_controls(const DecaySettings& s);
    std::vector<HeadDecayCurve> head_curves(const DecaySettings& s) const;

    std::optional<RopeParams> model_rope_;
    std::vector<double> model_inv_freq_;
    std::vector<std::vector<double>> layer_inv_freq_;  // [layers] or empty
    std::optional<RunStats> stats_;
    std::optional<HeadLayout> layout_;
    std::vector<std::pair<int, int>> overlays_;
    QString error_;
    QString warning_;
    bool closed_wanted_ = true;  // the closed-form box as the user left it (YaRN has none)
    double local_base_ = 0.0;    // the base the "local RoPE" box draws; 0 = box hidden

    QLineEdit* bases_ = nullptr;
    QSpinBox* head_dim_ = nullptr;
    QDoubleSpinBox* partial_ = nullptr;
    QComboBox* scaling_ = nullptr;
    QDoubleSpinBox* factor_ = nullptr;
    QCheckBox* discrete_ = nullptr;
    QCheckBox* closed_ = nullptr;
    QCheckBox* local_ = nullptr;
    QComboBox* axis_ = nullptr;
    QSpinBox* max_distance_ = nullptr;
    QLineEdit* heads_ = nullptr;
    QLabel* status_ = nullptr;
    ChartPanel* chart_ = nullptr;
    QTimer refresh_;
};

}  // namespace rs::ui
