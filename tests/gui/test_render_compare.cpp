// `ropescope-cli render STUDY.h5 --view compare` (issue 16, item 5): a study made by
// `ropescope-cli study` on two fixture checkpoints rendered headless to PNG, SVG, PDF and CSV
// (the CSV's values are the study file's, as `study show --csv` prints them), and one clear line
// with the documented exit code for each option the compare view does not read and each bad file.
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "gui_fixtures.h"

using rs::test::read_file;
using rs::test::run_cli;

class TestRenderCompare : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString study_;
    QString path(const QString& name) const { return tmp_.filePath(name); }

  private slots:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        rs::test::write_ids_corpus(path("corpus.json"), 4, 40);
        study_ = path("study.h5");
        const auto r = run_cli({"study", "-o", study_, "--checkpoint",
                                QString::fromStdString(rs::test::fixture_dir("rope_f32")), "--checkpoint",
                                QString::fromStdString(rs::test::fixture_dir("rope_pp_eh_f32")), "--corpus",
                                path("corpus.json"), "--setting", "none", "--setting", "pi_factor=4",
                                "--bootstrap", "100", "--quiet"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void renders_every_figure_in_every_format() {
        for (const QString figure : {"mass", "twins", "nll", "position"})
            for (const QString ext : {"png", "svg", "pdf", "csv"}) {
                const QString out = path("compare-" + figure + "." + ext);
                const auto r = run_cli({"render", study_, "--view", "compare", "--figure", figure, "-o", out});
                QVERIFY2(r.code == 0, qPrintable(r.err));
                QVERIFY2(r.out.contains("compare_" + figure), qPrintable(r.out));
                QVERIFY2(QFileInfo(out).size() > 100, qPrintable(out));
            }
        QVERIFY(read_file(path("compare-mass.png")).startsWith("\x89PNG"));
        QVERIFY(read_file(path("compare-mass.pdf")).startsWith("%PDF"));
    }

    // The CSV's NLL means are the ones `study show` reports from the file.
    void csv_values_are_the_studys() {
        const QString out = path("mass-real.csv");
        QCOMPARE(run_cli({"render", study_, "--view", "compare", "--family", "M_ex4", "--part", "real",
                          "--setting", "pi_factor=4", "-o", out}).code, 0);
        const QString csv = QString::fromUtf8(read_file(out));
        QVERIFY(csv.contains("# setting shown: pi_factor=4"));
        QVERIFY(csv.contains("# M(D) columns: M_ex4"));
        const auto show = run_cli({"study", "show", study_, "--csv"});
        QCOMPARE(show.code, 0);
        // study show: table,checkpoint,variant,setting,part,statistic,n,mean,sd,ci_low,ci_high
        int matched = 0;
        for (const QString& line : show.out.split('\n')) {
            const QStringList f = line.split(',');
            if (f.size() < 11 || f[0] != "summary" || f[3] != "pi_factor=4" || f[4] != "real" ||
                !f[5].startsWith("M_ex4_"))
                continue;
            const QString d = f[5].mid(6);
            const QString series = f[1] + " · pi_factor=4 · real";
            bool found = false;
            for (const QString& row : csv.split('\n')) {
                const QStringList g = row.split(',');
                if (g.size() >= 3 && g[0] == series && g[1] == d) {
                    QVERIFY2(std::abs(g[2].toDouble() - f[7].toDouble()) <= 1e-9 * std::max(1.0, std::abs(f[7].toDouble())),
                             qPrintable(row + " vs " + line));
                    found = true;
                }
            }
            QVERIFY2(found || f[7] == "nan" || f[7].isEmpty(), qPrintable(line));
            matched += found;
        }
        QVERIFY(matched >= 8);
    }

    void bad_input_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString out = path("bad.png");
        QTest::newRow("statistic on the mass figure")
            << QStringList{study_, "--view", "compare", "--statistic", "entropy", "-o", out} << 2
            << "--statistic does not apply to the compare view's mass figure";
        QTest::newRow("family on the twins figure")
            << QStringList{study_, "--view", "compare", "--figure", "twins", "--family", "M", "-o", out} << 2
            << "--family does not apply to the compare view's twins figure";
        QTest::newRow("an option of another view")
            << QStringList{study_, "--view", "compare", "--threshold", "16", "-o", out} << 2
            << "--threshold does not apply to the compare view";
        QTest::newRow("a RoPE override (the study's settings are its series)")
            << QStringList{study_, "--view", "compare", "--pi-factor", "4", "-o", out} << 2
            << "--pi-factor does not apply to the compare view";
        QTest::newRow("unknown figure")
            << QStringList{study_, "--view", "compare", "--figure", "ppl", "-o", out} << 2
            << "--figure must be one of mass, twins, nll";
        QTest::newRow("family not in the study")
            << QStringList{study_, "--view", "compare", "--family", "beyond_Z", "-o", out} << 2
            << "--family beyond_Z is not in the study";
        QTest::newRow("setting not in the study")
            << QStringList{study_, "--view", "compare", "--setting", "yarn_factor=8", "-o", out} << 2
            << "--setting yarn_factor=8 is not a setting of the study";
        QTest::newRow("no study")
            << QStringList{"--view", "compare", "-o", out} << 2 << "the compare view needs a study file";
        QTest::newRow("a folder")
            << QStringList{QString::fromStdString(rs::test::fixture_dir("rope_f32")), "--view", "compare", "-o", out}
            << 2 << "the compare view renders from a study file";
        QTest::newRow("not a study")
            << QStringList{path("corpus.json"), "--view", "compare", "-o", out} << 1 << path("corpus.json") + ":";
    }
    void bad_input() {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const auto r = run_cli(QStringList{"render"} + args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY2(!QFile::exists(path("bad.png")), "no output file after a failure");
    }
};

QTEST_MAIN(TestRenderCompare)
#include "test_render_compare.moc"
