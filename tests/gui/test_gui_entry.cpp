// The `ropescope` executable's scripted mode (tools/screenshots.sh relies on it): open a trace,
// pick a tab and a zoom, save a screenshot once the maps are drawn, exit 0; and exit non-zero
// when the file cannot be opened; with --settings-dir, the user's own settings stay untouched.
#include <QDir>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// `home`: a folder to use as the user's home and XDG config/cache folders (none: the real ones).
int run(const QString& program, const QStringList& args, QString* err = nullptr,
        const QString& home = {}) {
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    if (!home.isEmpty()) {
        env.insert("HOME", home);
        env.insert("XDG_CONFIG_HOME", home + "/.config");
        env.insert("XDG_CACHE_HOME", home + "/.cache");
    }
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
        const int code = run(ROPESCOPE_GUI,
                             {trace_, "--tab", "0", "--zoom", "0:8", "--size", "1400x900",
                              "--screenshot", png, "--settings-dir", tmp_.path() + "/settings"},
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
        QVERIFY(run(ROPESCOPE_GUI, {tmp_.path() + "/missing.h5", "--screenshot", png,
                                    "--settings-dir", tmp_.path() + "/settings"}) != 0);
        QVERIFY(!QFile::exists(png));
    }

    // Tests and scripts run the GUI with --settings-dir: what a session records (here the opened
    // trace in the recent files) lands there, and nothing in the user's config folder.
    void settings_dir_keeps_the_users_settings_untouched() {
        const QString home = tmp_.path() + "/home";
        const QString settings = tmp_.path() + "/own-settings";
        QDir().mkpath(home);
        QString err;
        const int code =
            run(ROPESCOPE_GUI,
                {trace_, "--screenshot", tmp_.path() + "/s.png", "--settings-dir", settings}, &err,
                home);
        QVERIFY2(code == 0, qPrintable(err));
        QVERIFY(!QDir(home + "/.config/RoPEScope").exists());
        QVERIFY(!QDir(home + "/.cache/RoPEScope").exists());
        const QSettings recorded(settings + "/RoPEScope/RoPEScope.ini", QSettings::IniFormat);
        const QStringList recent = recorded.value("recent/files").toStringList();
        QVERIFY2(recent.contains("trace:" + trace_), qPrintable(recent.join(", ")));
    }
};

QTEST_MAIN(TestGuiEntry)
#include "test_gui_entry.moc"
