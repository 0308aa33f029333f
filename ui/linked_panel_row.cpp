// Equal-map row layout: solve for the largest map side that fits the width and the height.
#include "ui/linked_panel_row.h"

#include <algorithm>
#include <cmath>

#include "ui/colorbar.h"
#include "ui/heatmap_view.h"

namespace rs::ui {

LinkedPanelRow::LinkedPanelRow(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LinkedPanelRow::add_panel(HeatmapView* panel) {
    panel->setParent(this);
    items_.push_back({panel, nullptr});
    relayout();
}

void LinkedPanelRow::add_bar(ColorBar* bar) {
    bar->setParent(this);
    items_.push_back({nullptr, bar});
    relayout();
}

void LinkedPanelRow::resizeEvent(QResizeEvent*) {
    relayout();
}

void LinkedPanelRow::relayout() {
    double margins = 0, bars = 0, vertical = 0;
    int panels = 0;
    for (const Item& it : items_) {
        if (it.panel) {
            const QSizeF m = it.panel->margins(it.panel->widget_font());
            margins += m.width();
            vertical = std::max(vertical, m.height());
            ++panels;
        } else {
            bars += it.bar->sizeHint().width();
        }
    }
    if (panels == 0) return;
    const double side = std::max(
        1.0, std::floor(std::min((width() - margins - bars) / panels, height() - vertical)));
    // Whatever width is left over is split around the row so it stays centred.
    double used = side * panels + margins + bars;
    double x = std::max(0.0, std::floor((width() - used) / 2));
    for (const Item& it : items_) {
        if (it.panel) {
            const double w = side + it.panel->margins(it.panel->widget_font()).width();
            it.panel->setGeometry(int(x), 0, int(w), height());
            x += w;
        } else {
            const int w = it.bar->sizeHint().width();
            it.bar->setGeometry(int(x), 0, w, height());
            x += w;
        }
    }
    // Bars span the map squares vertically (all maps share the same rows).
    for (const Item& it : items_) {
        if (!it.panel) continue;
        const QRectF m = it.panel->map_rect();
        for (const Item& b : items_)
            if (b.bar) b.bar->set_bar_margins(int(m.top()), int(height() - m.bottom()));
        break;
    }
}

QSize LinkedPanelRow::sizeHint() const {
    int w = 0;
    for (const Item& it : items_)
        w += it.panel ? it.panel->sizeHint().width() : it.bar->sizeHint().width();
    return {w, 380};
}

QSize LinkedPanelRow::minimumSizeHint() const {
    int w = 0;
    for (const Item& it : items_)
        w += it.panel ? it.panel->minimumSizeHint().width() : it.bar->sizeHint().width();
    return {w, 180};
}

}  // namespace rs::ui
