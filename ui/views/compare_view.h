// The Compare view: a study file's checkpoints (and RoPE settings) side by side in one of three
// figures (compare_figure.h): M(D) curves with 95% intervals, the per-head twin scatter, and the
// NLL the study stores per text. Exports like every view, with the study as its source.
#pragma once

#include <memory>

#include "compare_figure.h"
#include "single_chart_view.h"

class QComboBox;
class QLabel;

namespace rs::ui {

class CompareView : public SingleChartView {
    Q_OBJECT
  public:
    explicit CompareView(QWidget* parent = nullptr);

    // nullptr clears. The controls list what the study holds; choices it has are kept.
    void set_study(std::shared_ptr<const StudyComparison> study);
    const StudyComparison* study() const { return study_.get(); }

    void set_figure(CompareFigure figure);
    CompareFigure figure() const;
    // False (nothing changes) when the study has no such M(D) family / statistic.
    bool set_family(const QString& family);
    QString family() const;
    bool set_statistic(const QString& statistic);
    QString statistic() const;
    void set_parts(CompareParts parts);
    CompareParts parts() const;
    // The one RoPE setting drawn (its label), or "" for all; false when the study has no such
    // setting.
    bool set_setting(const QString& label);
    int setting() const;  // index in the study's settings, -1: all

    ChartSpec spec() const override;
    QString figure_name() const override;
    QStringList figure_parameters() const override;

  private:
    void update_controls();

    std::shared_ptr<const StudyComparison> study_;
    QComboBox* figure_ = nullptr;
    QComboBox* family_ = nullptr;
    QComboBox* statistic_ = nullptr;
    QComboBox* parts_ = nullptr;
    QComboBox* setting_ = nullptr;
    QLabel* family_label_ = nullptr;
    QLabel* statistic_label_ = nullptr;
    QLabel* parts_label_ = nullptr;
};

}  // namespace rs::ui
