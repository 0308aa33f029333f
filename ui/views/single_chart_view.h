// Base of the views that are one chart under a row of controls (long range, perplexity): the
// controls row, the chart panel, batched refreshes and the Exportable plumbing, so each view only
// builds its controls and says what to plot (spec()).
#pragma once

#include <QSizeF>
#include <QString>
#include <QTimer>
#include <QWidget>

#include "chart_spec.h"
#include "exportable.h"

class QHBoxLayout;

namespace rs::ui {

class ChartPanel;

class SingleChartView : public QWidget, public Exportable {
    Q_OBJECT
  public:
    // What is plotted, from the view's data and controls (current even while a redraw is pending).
    virtual ChartSpec spec() const = 0;
    // Applies pending changes now (normally batched to the next event-loop turn).
    void flush();
    ChartPanel* chart() const { return chart_; }

    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override { return figure_size_; }
    QString figure_csv() const override;

  protected:
    // `figure_size` in points; `figure_name` the chart's default export name.
    SingleChartView(const QSizeF& figure_size, const QString& figure_name, QWidget* parent);
    // The row above the chart: views add their controls, then call finish_controls().
    QHBoxLayout* controls() const { return controls_; }
    void finish_controls();
    // Redraws on the next event-loop turn; many changes in one turn cost one redraw.
    void schedule();

  private:
    void refresh();

    QSizeF figure_size_;
    QHBoxLayout* controls_ = nullptr;
    ChartPanel* chart_ = nullptr;
    QTimer refresh_;
};

}  // namespace rs::ui
