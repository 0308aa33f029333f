// What every view offers for export: it paints itself onto any QPainter (so SVG and PDF stay
// vector where the content is vector) and gives its data as CSV. ui/export/figure_export.h turns this
// into PNG (at a chosen DPI), SVG and PDF files, from the GUI or headless from the CLI.
#pragma once

#include <QPainter>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>

namespace rs::ui {

// Where a figure's data come from. Exports print it under the figure and atop the CSV, so a file
// alone answers "which model, which run is this".
struct FigureSource {
    QString checkpoint;  // the model's checkpoint folder (full path)
    QString variant;     // "RoPE", "RoPE++_EH", "RoPE++_EC"
    QString trace;       // the trace file (full path); empty for a model run without one
    int tokens = 0;      // tokens of the traced (or run) text
    // Where each RoPE setting came from (provenance_lines of the config: "rope_theta = 500000.0
    // (rope_theta)", defaults and ignored keys included).
    QStringList rope_sources;

    bool empty() const { return checkpoint.isEmpty() && trace.isEmpty(); }
    // One line for a figure: "rope_pp_ec (RoPE++_EC) · trace run.h5 · 56 tokens".
    QString caption() const;
    // The RoPE settings read from config.json in one line, defaults left out: "RoPE from config.json:
    // rope_theta = 500000.0 (rope_theta); factor = 8.0 (rope_scaling.factor)" ("" when unknown).
    QString rope_line() const;
    // "# key: value" lines for the top of a CSV file (full paths), one "# rope:" line per setting.
    QStringList csv_comments() const;
};

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
    // The settings that shaped the figure as "name: value" items ("bases: 10000, 500000"), which
    // exports print with the source: a figure must be reproducible from the file alone.
    virtual QStringList figure_parameters() const { return {}; }

    // Set by whoever feeds the view its data (ui/shell/trace_views.h); empty when it shows no run.
    void set_figure_source(const FigureSource& source) { source_ = source; }
    const FigureSource& figure_source() const { return source_; }

  private:
    FigureSource source_;
};

}  // namespace rs::ui
