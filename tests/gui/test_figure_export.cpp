// Figure export: PNG pixel size follows the dpi, SVG parses and keeps text as text, PDF is a real
// one-page PDF of the figure's size, CSV is the figure's data, and failures name the file.
#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include "error.h"
#include "figure_export.h"

namespace {

// A figure with known content: a red square in the top-left quarter and a caption.
class SquareFigure : public rs::ui::Exportable {
  public:
    void render_figure(QPainter& p, const QRectF& target) const override {
        p.fillRect(QRectF(target.topLeft(), target.size() / 2), Qt::red);
        QFont font;
        font.setPixelSize(12);
        p.setFont(font);
        p.setPen(Qt::black);
        p.drawText(target.adjusted(0, target.height() / 2, 0, 0), Qt::AlignCenter, "caption");
    }
    QSizeF figure_size() const override { return {200, 100}; }
    QString figure_csv() const override { return "x,y\n1,2\n3,4\n"; }
    QString figure_name() const override { return "square figure/1"; }
};

QByteArray read_all(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

}  // namespace

class TestFigureExport : public QObject {
    Q_OBJECT
  private slots:
    void format_from_extension() {
        using rs::ui::FigureFormat;
        QCOMPARE(rs::ui::figure_format_for("a/b.PNG"), std::optional(FigureFormat::Png));
        QCOMPARE(rs::ui::figure_format_for("x.svg"), std::optional(FigureFormat::Svg));
        QCOMPARE(rs::ui::figure_format_for("x.pdf"), std::optional(FigureFormat::Pdf));
        QCOMPARE(rs::ui::figure_format_for("x.csv"), std::optional(FigureFormat::Csv));
        QVERIFY(!rs::ui::figure_format_for("x.jpeg").has_value());
        QVERIFY(!rs::ui::figure_format_for("noext").has_value());
        SquareFigure fig;
        QCOMPARE(rs::ui::default_figure_file_name(fig, FigureFormat::Pdf),
                 QString("square_figure_1.pdf"));
        QCOMPARE(rs::ui::figure_file_filters().size(), 4);
    }

    void png_pixel_size_scales_with_dpi() {
        QTemporaryDir dir;
        SquareFigure fig;
        const QString p72 = dir.filePath("f72.png"), p144 = dir.filePath("f144.png");
        rs::ui::export_figure(fig, p72, {72.0});
        rs::ui::export_figure(fig, p144, {144.0});
        QImage a(p72), b(p144);
        QCOMPARE(a.size(), QSize(200, 100));
        QCOMPARE(b.size(), QSize(400, 200));
        QCOMPARE(int(std::lround(b.dotsPerMeterX() * 0.0254)), 144);
        // The red square covers the top-left quarter at both resolutions; the rest is background.
        QCOMPARE(QColor(a.pixel(10, 10)), QColor(Qt::red));
        QCOMPARE(QColor(b.pixel(190, 90)), QColor(Qt::red));
        QCOMPARE(QColor(b.pixel(390, 10)), QColor(Qt::white));
        // Some caption pixels are dark in the bottom half.
        int dark = 0;
        for (int y = 100; y < 200; ++y)
            for (int x = 0; x < 400; ++x) dark += qGray(b.pixel(x, y)) < 100;
        QVERIFY2(dark > 50, "caption text missing from the PNG");
    }

    void png_rejects_absurd_dpi() {
        SquareFigure fig;
        QVERIFY_EXCEPTION_THROWN(rs::ui::render_figure_image(fig, 0.0), rs::UsageError);
        QVERIFY_EXCEPTION_THROWN(rs::ui::render_figure_image(fig, 1e6), rs::UsageError);
    }

    void svg_parses_and_keeps_text() {
        QTemporaryDir dir;
        SquareFigure fig;
        const QString path = dir.filePath("f.svg");
        rs::ui::export_figure(fig, path);
        const QByteArray svg = read_all(path);
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QCOMPARE(renderer.viewBoxF(), QRectF(0, 0, 200, 100));
        QXmlStreamReader xml(svg);
        int texts = 0;
        QString all_text;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == QLatin1String("text")) {
                ++texts;
                all_text += xml.readElementText(QXmlStreamReader::IncludeChildElements);
            }
        }
        QVERIFY(!xml.hasError());
        QVERIFY(texts >= 1);
        QVERIFY(all_text.contains("caption"));
    }

    void pdf_is_one_page_of_figure_size() {
        QTemporaryDir dir;
        SquareFigure fig;
        const QString path = dir.filePath("f.pdf");
        rs::ui::export_figure(fig, path);
        const QByteArray pdf = read_all(path);
        QVERIFY(pdf.startsWith("%PDF"));
        QVERIFY(pdf.size() > 800);
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        QRegularExpression media("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]");
        const auto m = media.match(QString::fromLatin1(pdf.constData(), pdf.size()));
        QVERIFY2(m.hasMatch(), "no MediaBox");
        QCOMPARE(std::lround(m.captured(1).toDouble()), 200L);
        QCOMPARE(std::lround(m.captured(2).toDouble()), 100L);
    }

    void csv_is_the_figure_data() {
        QTemporaryDir dir;
        SquareFigure fig;
        const QString path = dir.filePath("f.csv");
        rs::ui::export_figure(fig, path);
        QCOMPARE(QString::fromUtf8(read_all(path)), fig.figure_csv());
    }

    void failures_name_the_file() {
        QTemporaryDir dir;
        SquareFigure fig;
        const QString missing = dir.filePath("no/such/dir/f.png");
        try {
            rs::ui::export_figure(fig, missing);
            QFAIL("expected a FileError");
        } catch (const rs::FileError& e) {
            QVERIFY2(QString(e.what()).contains(missing), e.what());
            QVERIFY2(QString(e.what()).contains("does not exist"), e.what());
        }
        // A directory where the file should go.
        QDir(dir.path()).mkdir("taken.svg");
        try {
            rs::ui::export_figure(fig, dir.filePath("taken.svg"));
            QFAIL("expected a FileError");
        } catch (const rs::FileError& e) {
            QVERIFY2(QString(e.what()).contains("taken.svg"), e.what());
        }
        try {
            rs::ui::export_figure(fig, dir.filePath("f.bmp"));
            QFAIL("expected a UsageError");
        } catch (const rs::UsageError& e) {
            QVERIFY2(QString(e.what()).contains("f.bmp"), e.what());
        }
        // Nothing half-written is left behind.
        QStringList left = QDir(dir.path()).entryList(QDir::Files);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(",")));
    }

    void overwrites_an_existing_file() {
        QTemporaryDir dir;
        SquareFigure fig;
        const QString path = dir.filePath("f.csv");
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("old contents that are longer than the new ones\n");
        }
        rs::ui::export_figure(fig, path);
        QCOMPARE(QString::fromUtf8(read_all(path)), fig.figure_csv());
    }
};

QTEST_MAIN(TestFigureExport)
#include "test_figure_export.moc"
