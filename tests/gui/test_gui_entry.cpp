// The `ropescope` executable's scripted mode (tools/screenshots.sh relies on it): open a trace,
// pick a tab and a zoom, save a screenshot once the maps are drawn, exit 0; and exit non-zero
// when the file cannot be opened.
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

namespace {

int run(const QString& program, const QStringList& args, QString* err = nullptr) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(180000)) return -1;
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

}  // namespace

class TestGuiEntry : public QObject {
    Q_OBJECT
  private:
    QTemporaryDir tmp_;
    QString trace_;

  private slots:
    void initTestCase() {
        trace_ = tmp_.path() + "/run.h5";
        QCOMPARE(run(ROPESCOPE_CLI,
                     {"trace", QString(ROPESCOPE_SOURCE_DIR) + "/sample_data/rope_pp_ec", "--text",
                      "And Ruth said, Intreat me not to leave thee.", "--quiet", "-o", trace_}),
                 0);
    }

    void screenshot_of_a_zoomed_attention_tab() {
        const QString png = tmp_.path() + "/shot.png";
        QString err;
        const int code =
            run(ROPESCOPE_GUI,
                {trace_, "--tab", "0", "--zoom", "0:8", "--size", "1400x900", "--screenshot", png},
                &err);
        QVERIFY2(code == 0, qPrintable(err));
        const QImage shot(png);
        QVERIFY(!shot.isNull());
        QVERIFY(shot.width() >= 1400 && shot.height() >= 900);
        // A drawn window, not a blank one: many distinct colours (maps, text, widgets).
        QSet<QRgb> colours;
        for (int y = 0; y < shot.height(); y += 7)
            for (int x = 0; x < shot.width(); x += 7) colours.insert(shot.pixel(x, y));
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    }

    void unreadable_file_exits_non_zero() {
        const QString png = tmp_.path() + "/never.png";
        QVERIFY(run(ROPESCOPE_GUI, {tmp_.path() + "/missing.h5", "--screenshot", png}) != 0);
        QVERIFY(!QFile::exists(png));
    }
};

QTEST_MAIN(TestGuiEntry)
#include "test_gui_entry.moc"
