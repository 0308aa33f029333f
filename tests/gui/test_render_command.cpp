// `ropescope-cli render` (issue 6): every view of a trace of the bundled RoPE++_EC sample rendered
// headless to PNG, SVG, PDF and CSV, checked as real files of their format with the data the
// other commands report; the same figure the GUI view exports; and one clear line and the
// documented exit code for each kind of bad input.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>

#include "curves_view.h"
#include "figure_export.h"

namespace {

const QString kSample = QString(ROPESCOPE_SOURCE_DIR) + "/sample_data/rope_pp_ec";
const QString kText = QString(ROPESCOPE_SOURCE_DIR) + "/sample_data/sample.txt";

struct Cli {
    int code = -1;
    QString out, err;
};

Cli run_cli(const QStringList& args,
            const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(ROPESCOPE_CLI, args);
    p.waitForFinished(300000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

QByteArray read_all(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList lines(const QString& text) {
    return text.split('\n', Qt::SkipEmptyParts);
}

// A CSV file's header and data rows, without the "# key: value" lines naming its source.
QStringList csv_rows(const QString& path) {
    QStringList rows = lines(QString::fromUtf8(read_all(path)));
    while (!rows.isEmpty() && rows.front().startsWith('#')) rows.removeFirst();
    return rows;
}

// Distinct colours in an image, capped: a blank or one-colour figure has 1.
int distinct_colours(const QImage& image, int cap = 16) {
    QSet<QRgb> seen;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3) {
            seen.insert(image.pixel(x, y));
            if (seen.size() >= cap) return cap;
        }
    return seen.size();
}

// "wrote PATH (NAME, W x H pt)" -> (W, H)
QSizeF reported_size(const QString& out) {
    const auto m = QRegularExpression(R"(, ([\d.]+) x ([\d.]+) pt\))").match(out);
    return m.hasMatch() ? QSizeF(m.captured(1).toDouble(), m.captured(2).toDouble()) : QSizeF();
}

}  // namespace

class TestRenderCommand : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString trace_;

    QString path(const QString& name) const { return tmp_.path() + "/" + name; }

    // Runs `render ARGS`; true when it succeeded (its stderr is logged when not).
    bool render(const QStringList& args, QString* out = nullptr) {
        const Cli r = run_cli(QStringList{"render"} + args);
        if (r.code != 0) qWarning("exit %d: %s", r.code, qPrintable(r.err));
        if (out) *out = r.out;
        return r.code == 0;
    }

    void check_png(const QString& file, const QSizeF& points, double dpi) {
        const QByteArray bytes = read_all(file);
        QVERIFY(bytes.startsWith("\x89PNG\r\n\x1a\n"));
        QImage image;
        QVERIFY(image.loadFromData(bytes, "PNG"));
        QCOMPARE(image.width(), int(std::ceil(points.width() * dpi / 72 - 1e-9)));
        QCOMPARE(image.height(), int(std::ceil(points.height() * dpi / 72 - 1e-9)));
        QVERIFY2(distinct_colours(image) > 4, qPrintable(file + " is (nearly) one colour"));
    }

    void check_svg(const QString& file) {
        QXmlStreamReader xml(read_all(file));
        bool root = false;
        int texts = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement) continue;
            if (!root) QCOMPARE(xml.name().toString(), QString("svg"));
            root = true;
            texts += xml.name() == QLatin1String("text");
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(root);
        QVERIFY2(texts > 0, "labels are kept as text");
    }

    void check_pdf(const QString& file) {
        const QByteArray bytes = read_all(file);
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY(bytes.contains("/Type /Page\n") || bytes.contains("/Type /Page "));
        QVERIFY(bytes.trimmed().endsWith("%%EOF"));
    }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        trace_ = path("run.h5");
        const Cli r = run_cli({"trace", kSample, "--text-file", kText, "--max-tokens", "300",
                               "--noise", "0.5,2", "--quiet", "-o", trace_});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void every_view_to_every_format_data() {
        QTest::addColumn<QString>("view");
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("attention") << "attention" << QStringList{"--layer", "1", "--head", "2"};
        QTest::newRow("heads") << "heads" << QStringList{};
        QTest::newRow("curves") << "curves" << QStringList{"--base", "10000,500000"};
        QTest::newRow("long-range") << "long-range" << QStringList{"--per-head"};
        QTest::newRow("perplexity") << "perplexity" << QStringList{"--smoothing", "16"};
        QTest::newRow("noise") << "noise" << QStringList{};
    }
    void every_view_to_every_format() {
        QFETCH(QString, view);
        QFETCH(QStringList, extra);
        const QStringList base = QStringList{trace_, "--view", view} + extra;
        const QString png = path(view + ".png");
        QString out;
        QVERIFY(render(base + QStringList{"--dpi", "96", "-o", png}, &out));
        const QSizeF size = reported_size(out);
        QVERIFY(!size.isEmpty());
        check_png(png, size, 96);
        QVERIFY(render(base + QStringList{"-o", path(view + ".svg")}));
        check_svg(path(view + ".svg"));
        QVERIFY(render(base + QStringList{"-o", path(view + ".pdf")}));
        check_pdf(path(view + ".pdf"));
        QVERIFY(render(base + QStringList{"-o", path(view + ".csv")}));
        const QStringList all = lines(QString::fromUtf8(read_all(path(view + ".csv"))));
        QVERIFY2(all.value(0).startsWith("# checkpoint: ") && all.value(0).endsWith("rope_pp_ec"),
                 qPrintable(all.value(0)));  // which model: the first line says
        QVERIFY(all.contains("# variant: RoPE++_EC"));
        const QStringList csv = csv_rows(path(view + ".csv"));
        QVERIFY2(csv.size() > 1, "a header and data rows");
        const int columns = csv.front().count(',');
        for (const QString& row : csv) QVERIFY2(row.count(',') >= columns, qPrintable(row));
    }

    // The attention CSV holds the exact entries `ropescope-cli tile` reports for the same heads:
    // head 3 is the imaginary twin of head 2, which the view shows on the left (real).
    void attention_csv_matches_the_exact_tile() {
        QVERIFY(render({trace_, "--view", "attention", "--layer", "2", "--head", "3", "--positions",
                        "0:40", "-o", path("zoom.csv")}));
        const QStringList csv = csv_rows(path("zoom.csv"));
        QCOMPARE(csv.front(), QString("query,key,real_prob,imag_prob,diff,real_logit,imag_logit"));
        QCOMPARE(csv.size() - 1, 40 * 41 / 2);  // the causal triangle, stride 1
        const QStringList view_row = csv.filter(QRegularExpression("^39,")).join(',').split(',');
        for (const auto& [head, column] : {std::pair{"2", 2}, std::pair{"3", 3}}) {
            const Cli tile = run_cli({"tile", trace_, "--layer", "2", "--head", head, "--rows",
                                      "39:40", "--cols", "0:40"});
            QVERIFY2(tile.code == 0, qPrintable(tile.err));
            const QStringList tile_row = lines(tile.out).value(1).split(',');  // "39,p0,...,p39"
            QCOMPARE(tile_row.size(), 41);
            for (int key = 0; key < 40; ++key)  // view rows are query,key,real,imag,...
                QCOMPARE(float(view_row[key * 7 + column].toDouble()),
                         float(tile_row[key + 1].toDouble()));
        }
    }

    // One CSV row per head in `export --what stats`, one per position in `export --what nll`.
    void chart_csvs_agree_with_export() {
        const Cli stats = run_cli({"export", trace_, "--what", "stats"});
        const Cli nll = run_cli({"export", trace_, "--what", "nll"});
        QCOMPARE(stats.code, 0);
        QCOMPARE(nll.code, 0);
        QVERIFY(render({trace_, "--view", "heads", "-o", path("heads_rows.csv")}));
        QVERIFY(render({trace_, "--view", "perplexity", "-o", path("ppl_rows.csv")}));
        QCOMPARE(csv_rows(path("heads_rows.csv")).size(), lines(stats.out).size());
        const QStringList ppl = csv_rows(path("ppl_rows.csv"));
        const int raw = int(ppl.filter(QRegularExpression("^per position,")).size());
        QCOMPARE(raw, lines(nll.out).size() - 1);
    }

    // Headless and GUI exports of the same view state are the same bytes: one rendering path.
    void curves_match_the_gui_export() {
        QVERIFY(render({"--view", "curves", "--base", "10000,500000", "--head-dim", "64", "--yarn",
                        "32", "-o", path("cli_curves.svg")}));
        rs::ui::CurvesView view;
        rs::DecaySettings s = *view.settings();
        s.bases = {10000, 500000};
        s.head_dim = 64;
        s.scaling = rs::DecayScaling::Yarn;
        s.factor = 32;
        view.set_settings(s);
        view.flush();
        rs::ui::export_figure(view, path("gui_curves.csv"));
        QVERIFY(render({"--view", "curves", "--base", "10000,500000", "--head-dim", "64", "--yarn",
                        "32", "-o", path("cli_curves.csv")}));
        QCOMPARE(read_all(path("cli_curves.csv")), read_all(path("gui_curves.csv")));
        check_svg(path("cli_curves.svg"));
    }

    // The noise view from a checkpoint folder runs the sweep itself.
    // A Gemma 3 trace: the curves name and draw its local base (unscaled) next to the global one.
    void curves_of_a_gemma3_trace_draw_its_local_base() {
        const QString fixture = QString(ROPESCOPE_SOURCE_DIR) + "/tests/fixtures/gemma3_text_f32";
        const QString trace = path("gemma3.h5");
        const Cli r = run_cli({"trace", fixture, "--ids", "2,5,9,14,20,33,41,50,61,70,80,90",
                               "--quiet", "-o", trace});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(render({trace, "--view", "curves", "-o", path("gemma3_curves.csv")}));
        const QString csv = QString::fromUtf8(read_all(path("gemma3_curves.csv")));
        for (const char* want : {"# bases: 1M", "# scaling: linear PI ×2",
                                 "# local base (sliding-window layers, unscaled): 10k",
                                 "\nb=10k local real Σcos,", "\nb=1M real Σcos,"})
            QVERIFY2(csv.contains(QString::fromUtf8(want)), want);
        QVERIFY(!csv.contains("\nb=10k real"));  // not also drawn scaled under the same base
    }

    void noise_from_a_checkpoint_folder() {
        QString out;
        QVERIFY(render({kSample, "--view", "noise", "--text-file", kText, "--max-tokens", "64",
                        "--sigma", "1", "--quiet", "-o", path("noise_dir.png")},
                       &out));
        check_png(path("noise_dir.png"), reported_size(out), 150);
    }

    // No display and no platform chosen: the command picks Qt's offscreen platform itself.
    void renders_without_a_display() {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) env.remove(name);
        const Cli r =
            run_cli({"render", trace_, "--view", "heads", "-o", path("nodisplay.png")}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QImage(path("nodisplay.png")).width() > 0);
        env.insert("QT_QPA_PLATFORM", "xcb");  // asked for X11 but there is none
        const Cli x = run_cli({"render", trace_, "--view", "heads", "-o", path("noxcb.png")}, env);
        QVERIFY2(x.code == 0, qPrintable(x.err));
    }

    void bad_input_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString out = tmp_.path() + "/bad.png";
        const QString t = QDir::cleanPath(tmp_.path() + "/run.h5");
        QTest::newRow("missing trace")
            << QStringList{tmp_.path() + "/nope.h5", "--view", "heads", "-o", out} << 1
            << "nope.h5";
        QTest::newRow("not a trace")
            << QStringList{kText, "--view", "heads", "-o", out} << 1 << "sample.txt";
        QTest::newRow("layer out of range")
            << QStringList{t, "--view", "attention", "--layer", "4", "-o", out} << 2
            << "layer 4 is out of range: the trace has layers 0..3";
        QTest::newRow("head out of range")
            << QStringList{t, "--view", "attention", "--head", "99", "-o", out} << 2
            << "head 99 is out of range";
        QTest::newRow("negative layer")
            << QStringList{t, "--view", "long-range", "--layer", "-2", "-o", out} << 2
            << "layer -2";
        QTest::newRow("positions outside")
            << QStringList{t, "--view", "attention", "--positions", "10:9999", "-o", out} << 2
            << "--positions";
        QTest::newRow("unknown view") << QStringList{t, "--view", "spectrum", "-o", out} << 2
                                      << "--view must be one of attention, heads, curves";
        QTest::newRow("no view") << QStringList{t, "-o", out} << 2 << "--view";
        QTest::newRow("no output") << QStringList{t, "--view", "heads"} << 2 << "-o";
        QTest::newRow("unknown format")
            << QStringList{t, "--view", "heads", "-o", tmp_.path() + "/f.jpg"} << 2
            << "unknown figure format";
        QTest::newRow("unwritable output")
            << QStringList{t, "--view", "heads", "-o", tmp_.path() + "/no/such/dir/f.png"} << 1
            << "does not exist";
        QTest::newRow("bad dpi") << QStringList{t, "--view", "heads", "--dpi", "1", "-o", out} << 2
                                 << "dpi";
        // 5 is between the default grid's 4 and 6 (half-octave: 1, 2, 3, 4, 6, 8, ...).
        QTest::newRow("threshold not measured")
            << QStringList{t, "--view", "heads", "--threshold", "5", "-o", out} << 2
            << "--threshold 5";
        QTest::newRow("trace view needs a trace")
            << QStringList{"--view", "heads", "-o", out} << 2 << "needs a trace";
        QTest::newRow("folder for a trace view")
            << QStringList{kSample, "--view", "heads", "-o", out} << 2 << "is a checkpoint folder";
        QTest::newRow("odd head dim")
            << QStringList{"--view", "curves", "--head-dim", "63", "-o", out} << 2 << "--head-dim";
        QTest::newRow("option of another view")
            << QStringList{t, "--view", "heads", "--layer", "1", "-o", out} << 2
            << "--layer does not apply to the heads view";
        QTest::newRow("sweep option for a stored sweep")
            << QStringList{t, "--view", "noise", "--sigma", "1", "-o", out} << 2
            << "--sigma does not apply to the noise view of a trace";
        QTest::newRow("model input for a stored sweep")
            << QStringList{t, "--view", "noise", "--text", "abc", "-o", out} << 2
            << "--text does not apply to the noise view of a trace";
        QTest::newRow("unknown option")
            << QStringList{t, "--view", "heads", "--colour", "red", "-o", out} << 2
            << "unknown option --colour";
    }
    void bad_input() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        QFile::remove(tmp_.path() + "/bad.png");
        const Cli r = run_cli(QStringList{"render"} + args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(r.err.startsWith("ropescope-cli render: "), qPrintable(r.err));
        QVERIFY2(!r.err.contains("internal error"), qPrintable(r.err));
        QVERIFY2(!QFile::exists(tmp_.path() + "/bad.png"), "no output file after a failure");
    }

    // A trace without a stored sweep says how to get one.
    void noise_without_a_sweep() {
        const QString plain = path("plain.h5");
        QCOMPARE(
            run_cli({"trace", kSample, "--text", "In the beginning", "--quiet", "-o", plain}).code,
            0);
        const Cli r = run_cli({"render", plain, "--view", "noise", "-o", path("n.png")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("holds no noise sweep") && r.err.contains("--noise"),
                 qPrintable(r.err));
    }
};

QTEST_MAIN(TestRenderCommand)
#include "test_render_command.moc"
