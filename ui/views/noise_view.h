// The noise experiment: change in loss against noise sigma for noise on real, imaginary or both
// queries, and on a second chart the long-range mass M(D) of real and imaginary heads against
// sigma.
#pragma once

#include <QTimer>
#include <QWidget>
#include <optional>

#include "head_layout.h"
#include "noise_experiment.h"
#include "chart_spec.h"
#include "exportable.h"

class QComboBox;

namespace rs::ui {

class ChartPanel;

class NoiseView : public QWidget, public Exportable {
    Q_OBJECT
  public:
    explicit NoiseView(QWidget* parent = nullptr);

    // Copied; nullptr clears. `layout` (optional) tells whether the imaginary heads are virtual.
    void set_sweep(const NoiseSweep* sweep, const HeadLayout* layout = nullptr);
    // Shows the last sweep and, when earlier sweeps share its design (other seeds of the same
    // experiment, noise_summary.h), the mean over all of them with its 95% seed interval.
    void set_sweeps(const std::vector<NoiseSweep>& sweeps, const HeadLayout* layout = nullptr);
    int seeds() const { return int(replicates_.size()); }  // sweeps averaged in the loss chart

    // What the loss chart shows against: sigma, or the query-position or distance buckets of the
    // largest sigma.
    enum class Breakdown { Sigma, Position, Distance };
    void set_breakdown(Breakdown b);
    void set_threshold_index(int index);  // which D of the mass chart (default: the middle one)
    int threshold_index() const;

    // One series per target present in the sweep ("noise on real", ...) with points (sigma,
    // delta_nll), starting at (0, 0), sorted by sigma.
    ChartSpec loss_spec() const;
    // Two series per target (real heads, imaginary heads) with points (sigma, M(D)), starting at
    // the baseline (0, baseline mass).
    ChartSpec mass_spec() const;
    void flush();
    ChartPanel* loss_chart() const { return loss_; }
    ChartPanel* mass_chart() const { return mass_; }

    // Both charts side by side; the CSV holds every sweep point (both charts' data).
    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override { return {980, 420}; }
    QString figure_csv() const override;
    QString figure_name() const override { return "noise_experiment"; }

  private:
    void schedule();
    void refresh();
    QString threshold_text() const;

    ChartSpec bucket_spec(Breakdown b) const;
    void add_sigma_series(ChartSpec& spec) const;

    std::optional<NoiseSweep> sweep_;
    std::vector<NoiseSweep> replicates_;  // the shown sweep's experiment, every seed
    QComboBox* breakdown_ = nullptr;
    bool virtual_imag_ = false;
    QComboBox* threshold_ = nullptr;
    ChartPanel* loss_ = nullptr;
    ChartPanel* mass_ = nullptr;
    QTimer refresh_;
};

}  // namespace rs::ui
