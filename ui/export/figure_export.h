// Writes any Exportable to a file: PNG at a chosen DPI, SVG and PDF as vector, or its data as CSV,
// the format chosen by the file extension. Used by the GUI's export actions and the headless CLI.
//
// Coordinate convention for Exportable::render_figure: one unit is one point (1/72 in) in every
// format. The paint devices are given a logical resolution of 72 dpi so that a font sized in points
// is that many units tall everywhere; fonts sized in pixels (what the views use, so on-screen
// layout and export agree) are likewise that many units tall. PNG output is scaled by dpi / 72.
#pragma once

#include <QColor>
#include <QImage>
#include <QString>
#include <QStringList>
#include <optional>

#include "exportable.h"

namespace rs::ui {

enum class FigureFormat { Png, Svg, Pdf, Csv };

// Format for a file name by its extension (case-insensitive: .png .svg .pdf .csv); nullopt
// otherwise.
std::optional<FigureFormat> figure_format_for(const QString& path);
QString figure_format_extension(FigureFormat format);  // "png", "svg", "pdf", "csv"

struct FigureExportOptions {
    double dpi = 150.0;             // PNG only; 72 gives one pixel per point
    QColor background = Qt::white;  // PNG/SVG/PDF page colour; transparent is allowed for PNG/SVG
};

// Renders the figure (with its source caption) to an image of exported_figure_size() * dpi / 72
// pixels (rounded up). The image
// metadata carries `dpi`. Throws rs::UsageError for dpi outside [10, 2400] or an empty figure.
QImage render_figure_image(const Exportable& figure, double dpi,
                           const QColor& background = Qt::white);

// Writes `figure` to `path` in the format its extension names. Throws rs::UsageError for an unknown
// extension or bad options and rs::FileError (message "<path>: <reason>") when the file cannot be
// written. Writes to a temporary file and renames on success, so a failed export never leaves a
// truncated file behind.
void export_figure(const Exportable& figure, const QString& path,
                   const FigureExportOptions& options = {});

// The size of the exported figure in points: figure_size() plus the band under it that names the
// figure's source (none when the source is empty). Throws like render_figure_image.
QSizeF exported_figure_size(const Exportable& figure);

// The CSV file's text: the source and the figure's parameters as "# key: value" lines, then
// figure_csv().
QString figure_csv_with_source(const Exportable& figure);

// Same, with the format given explicitly (the path's extension is not checked).
void export_figure_as(const Exportable& figure, const QString& path, FigureFormat format,
                      const FigureExportOptions& options = {});

// Name filters for a QFileDialog: "PNG image (*.png)", "SVG vector image (*.svg)", ...
QStringList figure_file_filters();

// Default file name for a figure: figure_name() with characters unsafe in file names replaced,
// plus the format's extension.
QString default_figure_file_name(const Exportable& figure, FigureFormat format);

}  // namespace rs::ui
