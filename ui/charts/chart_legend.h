// Our own chart legend: entries that show each series' real pen (solid, dashed, marker) and wrap
// onto several rows, painted the same on screen and in exports. (QtCharts' legend cannot wrap and
// truncates labels next to line-shaped markers.)
#pragma once

#include <QWidget>
#include <functional>
#include <vector>

#include "chart_spec.h"

namespace rs::ui {

struct LegendEntry {
    QString name;
    QColor color;
    double width = 2.0;
    Qt::PenStyle pen_style = Qt::SolidLine;
    bool line = true;     // draw a line sample
    bool marker = false;  // draw a marker dot
    bool series = false;  // a series (not a marker line): a click hides or shows it
    bool hidden = false;  // drawn greyed: the series is hidden
};

// Entries of the series (in_legend, named, with a drawable point) and markers of `spec`, in order.
std::vector<LegendEntry> legend_entries(const ChartSpec& spec);

// Size the legend needs: `vertical` stacks entries in one column; otherwise they flow in rows
// within max_width. Empty size when there are no entries.
QSizeF legend_size(const std::vector<LegendEntry>& entries, double max_width, bool vertical);
void paint_legend(QPainter& painter, const QRectF& area, const std::vector<LegendEntry>& entries,
                  bool vertical);

// The legend as a widget (under or beside a chart view).
class ChartLegendWidget : public QWidget {
  public:
    explicit ChartLegendWidget(QWidget* parent = nullptr);
    void set_entries(std::vector<LegendEntry> entries, bool vertical);
    const std::vector<LegendEntry>& entries() const { return entries_; }
    // Where entry `i` is drawn, in widget coordinates.
    QRectF entry_rect(int i) const;
    // Called with the entry's name when a series entry is clicked.
    void set_on_click(std::function<void(const QString&)> on_click) { on_click_ = std::move(on_click); }

    bool hasHeightForWidth() const override { return !vertical_; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

  private:
    std::vector<LegendEntry> entries_;
    std::function<void(const QString&)> on_click_;
    bool vertical_ = false;
};

}  // namespace rs::ui
