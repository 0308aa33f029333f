// What every view offers for export: it paints itself onto any QPainter (so SVG and PDF stay
// vector where the content is vector) and gives its data as CSV. ui/figure_export.h turns this
// into PNG (at a chosen DPI), SVG and PDF files, from the GUI or headless from the CLI.
#pragma once

#include <QPainter>
#include <QRectF>
#include <QSizeF>
#include <QString>

namespace rs::ui {

class Exportable {
public:
    virtual ~Exportable() = default;
    // Paints the figure (axes, labels, legend, colour bar included) into `target` (in points, 1/72 in).
    virtual void render_figure(QPainter& painter, const QRectF& target) const = 0;
    // Natural size of the figure in points, e.g. 480 x 360.
    virtual QSizeF figure_size() const = 0;
    // The plotted data as CSV with a header row.
    virtual QString figure_csv() const = 0;
    // Short name for default file names ("attention_L3_H5", "decay_curves").
    virtual QString figure_name() const = 0;
};

}  // namespace rs::ui
