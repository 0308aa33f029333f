// Main-window polish (issue 6): a shortcut for every common action, heatmap zoom from the
// keyboard, the open trace's name in the title, and an About box that names the libraries linked.
#include <QAction>
#include <QLabel>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "isolated_state.h"
#include "attention_view.h"
#include "gui_fixtures.h"
#include "main_window.h"
#include "map_viewport.h"

using namespace rs::ui;
using namespace rs::test;

namespace {

QAction* action_for(const QWidget& w, const QKeySequence& keys) {
    for (QAction* a : w.findChildren<QAction*>())
        if (a->shortcuts().contains(keys)) return a;
    return nullptr;
}

}  // namespace

class TestMainWindowActions : public QObject {
    Q_OBJECT
  private:
    std::unique_ptr<IsolatedState> state_;
    QTemporaryDir tmp_;
    QString trace_;

  private slots:
    void init() { state_->reset(); }
    void initTestCase() {
        state_ = std::make_unique<IsolatedState>();
        trace_ = tmp_.path() + "/sample_run.h5";
        QString err;
        QVERIFY2(make_trace(source_path("sample_data/rope_pp_ec"),
                            {"--text", "In the beginning God created the heaven and the earth.",
                             "--quiet"},
                            trace_, &err),
                 qPrintable(err));
    }

    void common_actions_have_shortcuts_data() {
        QTest::addColumn<QKeySequence>("keys");
        QTest::addColumn<QString>("text");
        QTest::newRow("open checkpoint") << QKeySequence(QKeySequence::Open) << "checkpoint";
        QTest::newRow("open trace") << QKeySequence("Ctrl+Shift+O") << "trace";
        QTest::newRow("save trace") << QKeySequence(QKeySequence::Save) << "Save trace";
        QTest::newRow("export figure") << QKeySequence("Ctrl+E") << "figure";
        QTest::newRow("export csv") << QKeySequence("Ctrl+Shift+E") << "CSV";
        QTest::newRow("run trace") << QKeySequence("Ctrl+R") << "Trace";
        QTest::newRow("cancel") << QKeySequence(Qt::Key_Escape) << "Cancel";
        QTest::newRow("first view") << QKeySequence("Ctrl+1") << "Attention";
        QTest::newRow("last view") << QKeySequence("Ctrl+6") << "Noise";
        QTest::newRow("zoom in") << QKeySequence(QKeySequence::ZoomIn) << "Zoom";
        QTest::newRow("zoom out") << QKeySequence(QKeySequence::ZoomOut) << "Zoom";
        QTest::newRow("reset zoom") << QKeySequence("Ctrl+0") << "Reset zoom";
    }
    void common_actions_have_shortcuts() {
        QFETCH(QKeySequence, keys);
        QFETCH(QString, text);
        MainWindow w;
        const QAction* a = action_for(w, keys);
        QVERIFY2(a, qPrintable(keys.toString()));
        QVERIFY2(a->text().remove('&').contains(text), qPrintable(a->text()));
    }

    void title_names_the_trace_and_zoom_keys_act_on_the_maps() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(open_trace_and_wait(w, trace_));
        QVERIFY2(w.windowTitle().contains("sample_run.h5"), qPrintable(w.windowTitle()));

        w.tabs()->setCurrentIndex(2);
        const double full = w.attention_view()->viewport_model()->span();
        action_for(w, QKeySequence::ZoomIn)->trigger();
        QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.attention_view()));
        QCOMPARE(w.attention_view()->viewport_model()->span(), full / 2);
        action_for(w, QKeySequence::ZoomOut)->trigger();
        QCOMPARE(w.attention_view()->viewport_model()->span(), full);
        action_for(w, QKeySequence::ZoomIn)->trigger();
        action_for(w, QKeySequence("Ctrl+0"))->trigger();
        QVERIFY(w.attention_view()->viewport_model()->is_full());
    }

    // Issue 17, item 7: every view explains itself, with its formula.
    void every_view_explains_itself_data() {
        QTest::addColumn<int>("tab");
        QTest::addColumn<QStringList>("phrases");
        QTest::newRow("attention")
            << 0 << QStringList{"real", "imaginary", "virtual head", "cos(", "sin("};
        QTest::newRow("heads") << 1 << QStringList{"M(D)", "Σ<sub>s ≤ t−D</sub> p(t,s)", "twin"};
        QTest::newRow("curves") << 2 << QStringList{"Ci(Δ/k)", "Si(Δ/k)", "b<sup>−2i/d</sup>"};
        QTest::newRow("long range") << 3 << QStringList{"M(D)", "threshold D"};
        QTest::newRow("perplexity") << 4 << QStringList{"−log p(", "perplexity"};
        QTest::newRow("noise") << 5 << QStringList{"σ", "Δloss", "imaginary"};
    }
    void every_view_explains_itself() {
        QFETCH(int, tab);
        QFETCH(QStringList, phrases);
        MainWindow w;
        w.show();
        w.tabs()->setCurrentIndex(tab);
        const QString text = w.tabs()->currentWidget()->whatsThis();
        for (const QString& p : phrases) QVERIFY2(text.contains(p), qPrintable(p));
        QCOMPARE(w.tabs()->tabToolTip(tab), text);
        action_for(w, QKeySequence(QKeySequence::WhatsThis))->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QMessageBox*>("view_help_dialog")) != nullptr);
        QCOMPARE(box->text(), text);
        box->close();
    }

    void about_box_lists_version_and_licences() {
        MainWindow w;
        w.show();
        action_for(w, QKeySequence::HelpContents)->trigger();
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QMessageBox*>("about_dialog")) != nullptr);
        const QString text = box->text() + box->informativeText();
        QVERIFY(text.contains(ROPESCOPE_VERSION));
        for (const char* part : {"Qt", "LGPL-3.0", "Qt Charts (GPL-3.0)", "Eigen", "MPL-2.0",
                                 "HDF5", "nlohmann/json", "MIT", "PCRE2", "utf8proc", "OpenMP"})
            QVERIFY2(text.contains(part), part);
        // The C libraries' versions as the loaded libraries report them.
        for (const char* version :
             {R"(HDF5 \d+\.\d+\.\d+ )", R"(PCRE2 \d+\.\d+ )", R"(utf8proc \d+\.\d+\.\d+ )"})
            QVERIFY2(text.contains(QRegularExpression(version)), version);
        box->close();
    }
};

QTEST_MAIN(TestMainWindowActions)
#include "test_main_window_actions.moc"
