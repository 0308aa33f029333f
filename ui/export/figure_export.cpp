// Figure export: PNG through QImage, SVG through QSvgGenerator, PDF through QPdfWriter, CSV as
// text; every file goes through QSaveFile so it appears complete or not at all. The figure's
// source (model, trace, tokens) is added here, under the figure and atop the CSV, so every view
// gets it the same way.
#include "figure_export.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSvgGenerator>
#include <cmath>

#include "csv_writer.h"
#include "error.h"

namespace rs::ui {

namespace {

constexpr double kPointsPerInch = 72.0;
constexpr double kMetersPerInch = 0.0254;

std::string to_std(const QString& s) {
    return s.toUtf8().toStdString();
}

constexpr double kCaptionFontSize = 8.0;  // points: smaller than the views' axis labels
constexpr double kCaptionInset = 6.0;     // points from the left and bottom page edges

QFont caption_font() {
    QFont f;
    f.setPixelSize(int(kCaptionFontSize));  // pixels are points on the export devices
    return f;
}

// The source caption's box for a figure `width` points wide (wrapped onto lines as needed).
// The caption under an exported figure: its source, then the settings that shaped it.
QString caption_text(const Exportable& figure) {
    QStringList lines;
    if (const QString source = figure.figure_source().caption(); !source.isEmpty()) lines << source;
    if (const QString rope = figure.figure_source().rope_line(); !rope.isEmpty()) lines << rope;
    if (const QStringList params = figure.figure_parameters(); !params.isEmpty())
        lines << params.join(" · ");
    return lines.join('\n');
}

QRectF caption_rect(const Exportable& figure, double width) {
    const QString text = caption_text(figure);
    if (text.isEmpty()) return {};
    const QFontMetricsF fm(caption_font());
    const QRectF r = fm.boundingRect(QRectF(0, 0, width - 2 * kCaptionInset, 1e6),
                                     Qt::AlignLeft | Qt::TextWordWrap, text);
    return QRectF(kCaptionInset, 0, width - 2 * kCaptionInset, std::ceil(r.height()) + 4);
}

QSizeF checked_size(const Exportable& figure) {
    const QSizeF size = figure.figure_size();
    if (!(size.width() > 0 && size.height() > 0) || !std::isfinite(size.width()) ||
        !std::isfinite(size.height()))
        throw UsageError("figure '" + to_std(figure.figure_name()) + "' has an empty size");
    return size + QSizeF(0, caption_rect(figure, size.width()).height());
}

// The figure, then its source caption in the band below it.
void paint_figure(const Exportable& figure, QPainter& painter) {
    const QSizeF size = figure.figure_size();
    painter.save();
    figure.render_figure(painter, QRectF(QPointF(0, 0), size));
    painter.restore();
    const QRectF band = caption_rect(figure, size.width()).translated(0, size.height());
    if (band.isEmpty()) return;
    painter.save();
    painter.setFont(caption_font());
    painter.setPen(QColor(0x55, 0x55, 0x55));
    painter.drawText(band, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, caption_text(figure));
    painter.restore();
}

void paint_background(QPainter& painter, const QSizeF& size, const QColor& background) {
    if (background.alpha() > 0) painter.fillRect(QRectF(QPointF(0, 0), size), background);
}

void set_hints(QPainter& painter) {
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
}

// Writes `bytes` to `path` atomically; a clear FileError when the directory is missing or the
// file cannot be created, written or renamed into place.
void write_file(const QString& path, const QByteArray& bytes) {
    const QFileInfo info(path);
    if (info.isDir()) throw FileError(to_std(path), "is a directory");
    if (!info.absoluteDir().exists())
        throw FileError(to_std(path), "cannot write: directory " +
                                          to_std(QDir::toNativeSeparators(info.absolutePath())) +
                                          " does not exist");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw FileError(to_std(path), "cannot write: " + to_std(file.errorString()));
    if (file.write(bytes) != bytes.size()) {
        const std::string why = to_std(file.errorString());
        file.cancelWriting();
        throw FileError(to_std(path), "cannot write: " + why);
    }
    if (!file.commit())
        throw FileError(to_std(path), "cannot write: " + to_std(file.errorString()));
}

QByteArray png_bytes(const Exportable& figure, const FigureExportOptions& options) {
    const QImage image = render_figure_image(figure, options.dpi, options.background);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) throw Error("PNG encoding failed (Qt image plugin missing?)");
    return bytes;
}

QByteArray svg_bytes(const Exportable& figure, const FigureExportOptions& options) {
    const QSizeF size = checked_size(figure);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setResolution(int(kPointsPerInch));
    svg.setSize(QSize(int(std::ceil(size.width())), int(std::ceil(size.height()))));
    svg.setViewBox(QRectF(QPointF(0, 0), size));
    svg.setTitle(figure.figure_name());
    svg.setDescription("RoPEScope figure");
    QPainter painter;
    if (!painter.begin(&svg)) throw Error("cannot start the SVG painter");
    set_hints(painter);
    paint_background(painter, size, options.background);
    paint_figure(figure, painter);
    painter.end();
    return bytes;
}

QByteArray pdf_bytes(const Exportable& figure, const FigureExportOptions& options) {
    const QSizeF size = checked_size(figure);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter pdf(&buffer);
        pdf.setCreator("RoPEScope");
        pdf.setTitle(figure.figure_name());
        // One page exactly the figure's size, no margins: the PDF is the figure, ready to include.
        pdf.setPageLayout(
            QPageLayout(QPageSize(size, QPageSize::Point, QString(), QPageSize::ExactMatch),
                        QPageLayout::Portrait, QMarginsF(0, 0, 0, 0), QPageLayout::Point));
        pdf.setResolution(int(kPointsPerInch));
        QPainter painter;
        if (!painter.begin(&pdf)) throw Error("cannot start the PDF painter");
        set_hints(painter);
        paint_background(painter, size, options.background);
        paint_figure(figure, painter);
        painter.end();
    }
    return bytes;
}

}  // namespace

QString FigureSource::caption() const {
    if (empty()) return {};
    QStringList parts;
    if (!checkpoint.isEmpty()) {
        QString model = QFileInfo(checkpoint).fileName();
        if (!variant.isEmpty()) model += " (" + variant + ")";
        parts << model;
    } else if (!variant.isEmpty()) {
        parts << variant;
    }
    if (!trace.isEmpty()) parts << "trace " + QFileInfo(trace).fileName();
    if (tokens > 0) parts << QString("%1 %2").arg(tokens).arg(tokens == 1 ? "token" : "tokens");
    return parts.join(" · ");
}

QString FigureSource::rope_line() const {
    QStringList set;
    for (const QString& s : rope_sources)
        if (!s.contains(" absent -> ")) set << s;
    return set.isEmpty() ? QString() : "RoPE from config.json: " + set.join("; ");
}

QStringList FigureSource::csv_comments() const {
    QStringList lines;
    if (empty()) return lines;
    const auto add = [&](const QString& text) {
        lines << QString::fromStdString(csv_comment(text.toStdString()));
    };
    if (!checkpoint.isEmpty()) add("checkpoint: " + checkpoint);
    if (!variant.isEmpty()) add("variant: " + variant);
    if (!trace.isEmpty()) add("trace: " + trace);
    if (tokens > 0) add(QString("tokens: %1").arg(tokens));
    for (const QString& s : rope_sources) add("rope: " + s);
    return lines;
}

QSizeF exported_figure_size(const Exportable& figure) {
    return checked_size(figure);
}

QString figure_csv_with_source(const Exportable& figure) {
    QStringList comments = figure.figure_source().csv_comments();
    for (const QString& p : figure.figure_parameters())
        comments << QString::fromStdString(csv_comment(p.toStdString()));
    return (comments.isEmpty() ? QString() : comments.join('\n') + '\n') + figure.figure_csv();
}

std::optional<FigureFormat> figure_format_for(const QString& path) {
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "png") return FigureFormat::Png;
    if (ext == "svg") return FigureFormat::Svg;
    if (ext == "pdf") return FigureFormat::Pdf;
    if (ext == "csv") return FigureFormat::Csv;
    return std::nullopt;
}

QString figure_format_extension(FigureFormat format) {
    switch (format) {
        case FigureFormat::Png:
            return "png";
        case FigureFormat::Svg:
            return "svg";
        case FigureFormat::Pdf:
            return "pdf";
        case FigureFormat::Csv:
            return "csv";
    }
    return {};
}

QImage render_figure_image(const Exportable& figure, double dpi, const QColor& background) {
    if (!(dpi >= 10.0 && dpi <= 2400.0))
        throw UsageError("PNG resolution must be between 10 and 2400 dpi, got " +
                         std::to_string(dpi));
    const QSizeF size = checked_size(figure);
    const double scale = dpi / kPointsPerInch;
    const int width = int(std::ceil(size.width() * scale - 1e-9));
    const int height = int(std::ceil(size.height() * scale - 1e-9));
    if (double(width) * height > 400e6)
        throw UsageError("PNG of " + std::to_string(width) + " x " + std::to_string(height) +
                         " pixels is too large; lower the dpi");
    QImage image(width, height, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    // Paint at 72 logical dpi so point-sized fonts measure in points, then record the real dpi.
    const int dpm72 = int(std::lround(kPointsPerInch / kMetersPerInch));
    image.setDotsPerMeterX(dpm72);
    image.setDotsPerMeterY(dpm72);
    {
        QPainter painter(&image);
        set_hints(painter);
        painter.scale(scale, scale);
        paint_background(painter, size, background);
        paint_figure(figure, painter);
    }
    const int dpm = int(std::lround(dpi / kMetersPerInch));
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    return image;
}

void export_figure_as(const Exportable& figure, const QString& path, FigureFormat format,
                      const FigureExportOptions& options) {
    if (path.isEmpty()) throw UsageError("no file name given for the figure export");
    QByteArray bytes;
    switch (format) {
        case FigureFormat::Png:
            bytes = png_bytes(figure, options);
            break;
        case FigureFormat::Svg:
            bytes = svg_bytes(figure, options);
            break;
        case FigureFormat::Pdf:
            bytes = pdf_bytes(figure, options);
            break;
        case FigureFormat::Csv:
            bytes = figure_csv_with_source(figure).toUtf8();
            break;
    }
    write_file(path, bytes);
}

void export_figure(const Exportable& figure, const QString& path,
                   const FigureExportOptions& options) {
    const auto format = figure_format_for(path);
    if (!format)
        throw UsageError(to_std(path) +
                         ": unknown figure format; use a .png, .svg, .pdf or .csv file name");
    export_figure_as(figure, path, *format, options);
}

QStringList figure_file_filters() {
    return {"PNG image (*.png)", "SVG vector image (*.svg)", "PDF document (*.pdf)",
            "CSV data (*.csv)"};
}

QString default_figure_file_name(const Exportable& figure, FigureFormat format) {
    QString name = figure.figure_name();
    name.replace(QRegularExpression("[^A-Za-z0-9_.+-]"), "_");
    if (name.isEmpty()) name = "figure";
    return name + "." + figure_format_extension(format);
}

}  // namespace rs::ui
