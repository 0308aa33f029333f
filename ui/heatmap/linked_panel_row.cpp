// Equal-map row layout: solve for the largest map side that fits the width and the height.
#include "linked_panel_row.h"

#include <algorithm>
#include <cmath>

#include "colorbar.h"
#include "heatmap_view.h"

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

LinkedPanelRow::Extents LinkedPanelRow::extents() const {
    Extents e;
    for (const Item& it : items_) {
        if (it.panel) {
            const QSizeF m = it.panel->margins(it.panel->widget_font());
            e.margins += m.width();
            e.vertical = std::max(e.vertical, m.height());
            ++e.panels;
        } else {
            e.bars += it.bar->sizeHint().width();
            e.bar_height = std::max(e.bar_height, double(it.bar->horizontal_height()));
        }
    }
    return e;
}

void LinkedPanelRow::relayout() {
    const Extents e = extents();
    if (e.panels == 0) return;
    // Bars beside the maps cost width, bars under them height: take whichever leaves the maps
    // larger (a wide, short row keeps them beside; the usual tab, wider than the maps can use,
    // puts them under).
    const double w = width(), h = height();
    const double beside = std::floor(std::min((w - e.margins - e.bars) / e.panels, h - e.vertical));
    const double under =
        std::floor(std::min((w - e.margins) / e.panels, h - e.vertical - e.bar_height));
    if (under > beside)
        lay_out_under(std::max(1.0, under), e);
    else
        lay_out_beside(std::max(1.0, beside), e);
}

void LinkedPanelRow::lay_out_beside(double side, const Extents& e) {
    // Whatever width is left over is split around the row so it stays centred.
    double x = std::max(0.0, std::floor((width() - side * e.panels - e.margins - e.bars) / 2));
    for (const Item& it : items_) {
        if (it.panel) {
            const double w = side + it.panel->margins(it.panel->widget_font()).width();
            it.panel->setGeometry(int(x), 0, int(w), height());
            x += w;
        } else {
            const int w = it.bar->sizeHint().width();
            it.bar->set_horizontal(false);
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

void LinkedPanelRow::lay_out_under(double side, const Extents& e) {
    const double panel_h = side + e.vertical;
    const double y = std::max(0.0, std::floor((height() - panel_h - e.bar_height) / 2));
    double x = std::max(0.0, std::floor((width() - side * e.panels - e.margins) / 2));
    // Each bar goes under the maps of the panels since the previous bar (the ones it colours).
    double group_left = -1, group_right = 0;
    for (const Item& it : items_) {
        if (it.panel) {
            const double w = side + it.panel->margins(it.panel->widget_font()).width();
            it.panel->setGeometry(int(x), int(y), int(w), int(panel_h));
            const QRectF m = it.panel->map_rect().translated(it.panel->pos());
            if (group_left < 0) group_left = m.left();
            group_right = m.right();
            x += w;
        } else {
            it.bar->set_horizontal(true);
            it.bar->setGeometry(int(group_left), int(y + panel_h), int(group_right - group_left),
                                int(e.bar_height));
            group_left = -1;
        }
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
