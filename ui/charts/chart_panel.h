// A 2-D chart widget behind our own API: views hand it a ChartSpec (series, lin/log axes, legend,
// title) and get clicks back as (tag, series, point). QtCharts stays an implementation detail.
// The user adjusts what is shown from its context menu (axis ranges, outliers) and legend
// (hide/show a series); views export adjusted(spec()) so the file shows what the screen does.
#pragma once

#include <QSizeF>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "chart_adjustments.h"
#include "chart_spec.h"
#include "exportable.h"

class QDialog;
class QLabel;
class QMenu;
namespace QtCharts {
class QChartView;
class QXYSeries;
}  // namespace QtCharts

namespace rs::ui {

class ChartLegendWidget;

class ChartPanel : public QWidget, public Exportable {
    Q_OBJECT
  public:
    explicit ChartPanel(QWidget* parent = nullptr);
    ~ChartPanel() override;

    // Replaces what is shown. Redraws are batched: several calls before the event loop runs cost
    // one rebuild. spec() is the new content immediately (and is what export renders).
    void set_spec(ChartSpec spec);
    const ChartSpec& spec() const { return spec_; }
    // Applies a pending redraw now (tests, screenshots).
    void flush();

    void set_figure_name(const QString& name) { figure_name_ = name; }
    void set_figure_size(const QSizeF& size) { figure_size_ = size; }

    // The user's adjustments, kept across set_spec (a view's new data keeps the chosen ranges).
    const ChartAdjustments& adjustments() const { return adjustments_; }
    void set_adjustments(ChartAdjustments adjustments);
    void set_series_hidden(const QString& name, bool hidden);
    void reset_axes();  // automatic ranges again (outliers left out), every series shown
    // `spec` as this panel draws it: what views render and write on export.
    ChartSpec adjusted(const ChartSpec& spec) const { return adjusted_chart(spec, adjustments_); }
    // The context menu (axis ranges, outliers, reset), made anew; the caller owns it.
    QMenu* make_context_menu();
    // Opens the axis-range dialog (x and y min/max, empty for automatic); returns it, already
    // shown (window-modal), so tests can fill it in.
    QDialog* edit_axis_ranges();
    ChartLegendWidget* legend() const;

    // Where spec point `point` of spec series `series` is drawn, in this widget's coordinates
    // (after flush); (-1, -1) when it is not drawn.
    QPoint point_position(int series, int point) const;

    // Exportable: the chart at figure_size(), vector, with the footnote under it.
    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override { return figure_size_; }
    QString figure_csv() const override { return chart_csv(adjusted(spec_)); }
    QString figure_name() const override { return figure_name_; }

    QSize sizeHint() const override { return {520, 380}; }
    QSize minimumSizeHint() const override { return {240, 180}; }

  signals:
    // A point was clicked: the series' tag, its index in spec().series and the point's index.
    void point_clicked(int tag, int series, int point);

  protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

  private:
    void rebuild();
    void fit_title();
    int nearest_point(QtCharts::QXYSeries* drawn, int series, const QPointF& value) const;
    void on_clicked(QtCharts::QXYSeries* drawn, const QPointF& value);
    void on_hovered(QtCharts::QXYSeries* drawn, const QPointF& value, bool state);

    ChartSpec spec_;
    ChartAdjustments adjustments_;
    QString shown_title_;  // the adjusted spec's title, fitted to the width on resize
    QString figure_name_ = "chart";
    QSizeF figure_size_{520, 380};
    QtCharts::QChartView* view_ = nullptr;
    QLabel* empty_ = nullptr;
    QLabel* footnote_ = nullptr;
    ChartLegendWidget* bottom_legend_ = nullptr;
    ChartLegendWidget* right_legend_ = nullptr;
    QTimer redraw_;
    std::vector<std::pair<QtCharts::QXYSeries*, int>> origin_;
};

}  // namespace rs::ui
