// Lays heatmap panels and colour bars out in one row so every panel's map square has the same
// size (panels differ in margins: only the first labels its rows), and lines the colour bars up
// with the maps: beside them, or under the maps they colour when that leaves the maps larger. A
// box layout with stretch factors cannot give equal maps with unequal margins.
#pragma once

#include <QWidget>
#include <vector>

namespace rs::ui {

class HeatmapView;
class ColorBar;

class LinkedPanelRow : public QWidget {
    Q_OBJECT
  public:
    explicit LinkedPanelRow(QWidget* parent = nullptr);
    // Items are laid out left to right in the order added; the row takes ownership.
    void add_panel(HeatmapView* panel);
    void add_bar(ColorBar* bar);
    // Re-lays the row out (after a panel's margins changed).
    void relayout();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void resizeEvent(QResizeEvent*) override;

  private:
    struct Item {
        HeatmapView* panel = nullptr;
        ColorBar* bar = nullptr;  // colours the panels added since the previous bar
    };
    // What the row needs besides the maps: panel margins (summed across, largest down), bars.
    struct Extents {
        int panels = 0;
        double margins = 0, vertical = 0, bars = 0, bar_height = 0;
    };
    Extents extents() const;
    void lay_out_beside(double side, const Extents& e);
    void lay_out_under(double side, const Extents& e);
    std::vector<Item> items_;
};

}  // namespace rs::ui
