// The application as a user drives it, offscreen: open a checkpoint, trace text, switch views,
// look at an exact tile, export every view, cancel a long run, and survive a corrupt file.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>
#include <cstdlib>

#include "model.h"
#include "isolated_state.h"
#include "attention_view.h"
#include "exportable.h"
#include "figure_export.h"
#include "input_panel.h"
#include "job_runner.h"
#include "gui_fixtures.h"
#include "scoped_env.h"
#include "main_window.h"

using namespace rs::ui;
using namespace rs::test;

namespace {

// Answers the window's questions as a user who wants the run: discard the unsaved trace, start
// the long run (the default dialogs would block an offscreen test).
Prompts go_ahead() {
    Prompts p;
    p.ask = [](const QString&, const QString&, QMessageBox::StandardButtons buttons) {
        return buttons.testFlag(QMessageBox::Discard) ? QMessageBox::Discard : QMessageBox::Yes;
    };
    p.save_path = [](const QString&, const QString&, const QString&) { return QString(); };
    return p;
}

// A fixture checkpoint plus a character-level BPE tokenizer whose ids fit its 97-token vocabulary.
QString make_checkpoint(const QTemporaryDir& tmp) {
    const QString dir = tmp.path() + "/ck";
    QDir().mkpath(dir);
    const QString src = QString(ROPESCOPE_SOURCE_DIR) + "/tests/fixtures/rope_pp_ec_f32/";
    for (const char* f : {"config.json", "model.safetensors"}) QFile::copy(src + f, dir + "/" + f);
    QString vocab;
    const QString chars = "abcdefghijklmnopqrstuvwxyz .,";
    for (int i = 0; i < chars.size(); ++i) vocab += QString("\"%1\": %2, ").arg(chars[i]).arg(i);
    vocab += QString("\"<unk>\": %1").arg(chars.size());
    QFile f(dir + "/tokenizer.json");
    f.open(QIODevice::WriteOnly);
    f.write(QString(R"({"version": "1.0", "added_tokens": [], "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": null, "post_processor": null, "decoder": null,
        "model": {"type": "BPE", "vocab": {%1}, "merges": [], "unk_token": "<unk>"}})")
                .arg(vocab)
                .toUtf8());
    return dir;
}

// Opens the fixture checkpoint in the window and waits until it is loaded.
bool load_checkpoint(MainWindow& w, const QTemporaryDir& tmp) {
    w.set_prompts(go_ahead());
    return open_checkpoint_and_wait(w, make_checkpoint(tmp));
}

QStringList traces_in(const QString& dir) {
    return QDir(dir).entryList(QDir::Files);
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
    std::unique_ptr<IsolatedState> state_;

  private slots:
    void initTestCase() { state_ = std::make_unique<IsolatedState>(); }
    void init() { state_->reset(); }

    void open_trace_switch_views_and_export() {
        QTemporaryDir tmp;
        MainWindow w;
        w.show();
        QVERIFY(load_checkpoint(w, tmp));
        QVERIFY(w.checkpoint().tokenizer);

        w.input_panel()->set_text("the imaginary heads reach further than the real ones do.");
        QSignalSpy traced(&w, &MainWindow::trace_loaded);
        w.run_trace();
        QVERIFY(traced.wait(60000));
        const auto& meta = w.trace().reader->meta();
        QCOMPARE(meta.tokens, 56);
        QCOMPARE(meta.layout.analysis_heads(), 8);

        // The attention view shows the head asked for, and the trace's tile is the model's map.
        w.attention_view()->show_head(1, 3);
        QCOMPARE(w.attention_view()->layer(), 1);
        rs::TileRequest req;
        req.layer = 1;
        req.head = 3;
        req.row_end = req.col_end = 56;
        const rs::Tile tile = w.trace().reader->tile(req);
        for (int t = 0; t < 56; ++t) {
            double sum = 0;
            for (int s = 0; s < 56; ++s) sum += tile.at(t, s);
            QVERIFY(std::fabs(sum - 1.0) < 1e-2);  // f16 Q/K: rows still sum to one
        }

        // Every tab exports PNG, SVG, PDF and CSV.
        for (int i = 0; i < w.tabs()->count(); ++i) {
            w.tabs()->setCurrentIndex(i);
            QTest::qWait(300);
            Exportable* fig = w.current_figure();
            QVERIFY2(fig, qPrintable(w.tabs()->tabText(i)));
            for (const char* ext : {"png", "svg", "pdf", "csv"}) {
                const QString path = tmp.path() + QString("/tab%1.%2").arg(i).arg(ext);
                export_figure(*fig, path);
                QFile f(path);
                QVERIFY(f.open(QIODevice::ReadOnly));
                const QByteArray head = f.read(8);
                QVERIFY2(f.size() > (QString(ext) == "csv" ? 10 : 100), qPrintable(path));  // an empty view: header only
                if (QString(ext) == "png") QVERIFY(head.startsWith("\x89PNG"));
                if (QString(ext) == "pdf") QVERIFY(head.startsWith("%PDF"));
                if (QString(ext) == "svg") QVERIFY(f.readAll().contains("<svg"));
            }
        }
    }

    void cancel_keeps_the_previous_trace() {
        QTemporaryDir tmp;
        MainWindow w;
        QVERIFY(load_checkpoint(w, tmp));
        w.input_panel()->set_text("short text.");
        QSignalSpy traced(&w, &MainWindow::trace_loaded);
        w.run_trace();
        QVERIFY(traced.wait(60000));
        const std::string first = w.trace().path;

        QString long_text;
        for (int i = 0; i < 800; ++i) long_text += "attention reaches far. ";
        w.input_panel()->set_text(long_text);
        w.input_panel()->set_max_tokens(16000);
        QSignalSpy cancelled(w.jobs(), &JobRunner::cancelled);
        w.run_trace();
        QTest::qWait(200);
        w.jobs()->cancel();
        QVERIFY(cancelled.wait(60000));
        QCOMPARE(w.trace().path, first);       // state untouched
        QVERIFY(!w.jobs()->busy());
        QSignalSpy traced_again(&w, &MainWindow::trace_loaded);
        w.input_panel()->set_text("still usable.");
        w.run_trace();
        QVERIFY(traced_again.wait(60000));    // the app is usable after a cancel
    }

    // Performance issue 7: the input panel shows what a run costs, and Run trace refuses a run
    // that does not fit in memory with the core's message, writing nothing and keeping the session.
    void run_that_does_not_fit_is_refused_and_keeps_the_session() {
        QTemporaryDir tmp;
        MainWindow w;
        QVERIFY(load_checkpoint(w, tmp));
        QVERIFY(w.checkpoint().rates.gemm_flops_per_second > 0);  // measured on the worker

        w.input_panel()->set_text("the imaginary heads reach further.");
        const QRegularExpression estimate(
            R"(^(\d+) tokens · needs ~[\d.]+ [KMG]iB of [\d.]+ [KMGT]iB · trace ≤ [\d.]+ [KMG]iB · )"
            R"((<1 s|~\d+ s|~\d+ min|~[\d.]+ h)$)");
        QTRY_VERIFY_WITH_TIMEOUT(estimate.match(w.input_panel()->count_text()).hasMatch(), 5000);
        QCOMPARE(estimate.match(w.input_panel()->count_text()).captured(1), QString("34"));
        QSignalSpy traced(&w, &MainWindow::trace_loaded);
        w.run_trace();
        QVERIFY(traced.wait(60000));
        const std::string first = w.trace().path;
        const QString runs = QFileInfo(QString::fromStdString(first)).absolutePath();
        const QStringList before = traces_in(runs);

        const ScopedEnv limit("ROPESCOPE_MEMORY_LIMIT", "1M");
        w.input_panel()->set_text("a second text that no longer fits.");
        QTRY_VERIFY_WITH_TIMEOUT(w.input_panel()->count_text().contains(
                                     QRegularExpression(" · needs ~.* but only .* is available")),
                                 5000);
        QSignalSpy failed(&w, &MainWindow::job_failed);
        w.run_trace();
        QVERIFY(failed.wait(30000));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(
                     QRegularExpression("^this run needs about .* but only .* is available")),
                 qPrintable(message));
        auto* box = w.findChild<QMessageBox*>("error_dialog");
        QVERIFY(box);
        QCOMPARE(box->text(), message);
        box->close();
        QCOMPARE(w.trace().path, first);  // the previous trace is still the one on show
        QVERIFY(w.trace().reader);
        QCOMPARE(traces_in(runs), before);  // nothing written, not even a partial file
    }

    // Issue 15: the cost line's tooltip carries the core budget's notes, as `ropescope-cli trace`
    // prints them (a run of 4096 tokens or more announces its cost); a short run has none.
    void cost_tooltip_shows_the_budget_notes() {
        QTemporaryDir tmp;
        MainWindow w;
        QVERIFY(load_checkpoint(w, tmp));
        w.input_panel()->set_text("the imaginary heads reach further.");
        QTRY_VERIFY_WITH_TIMEOUT(w.input_panel()->count_text().contains(" · needs ~"), 5000);
        QVERIFY(!w.input_panel()->count_tooltip().contains("estimate:"));
        QString text;
        for (int i = 0; i < 200; ++i) text += "the imaginary heads reach further. ";
        w.input_panel()->set_max_tokens(8192);
        w.input_panel()->set_text(text);
        const QRegularExpression note(R"(\n\nestimate: (\d+) tokens need about .* GFLOP, trace up to )");
        QTRY_VERIFY_WITH_TIMEOUT(note.match(w.input_panel()->count_tooltip()).hasMatch(), 5000);
        QVERIFY(note.match(w.input_panel()->count_tooltip()).captured(1).toInt() >= 4096);
    }

    // Issue 17, item 8: with only a trace open nothing can be run, and the panel says why.
    void trace_only_session_cannot_run_and_says_why() {
        QTemporaryDir tmp;
        const QString trace = tmp.path() + "/t.h5";
        QVERIFY(make_trace(source_path("sample_data/rope"), {"--text", "In the beginning", "--quiet"},
                           trace));
        MainWindow w;
        QVERIFY(open_trace_and_wait(w, trace));
        QVERIFY(!w.input_panel()->run_enabled());
        QCOMPARE(w.input_panel()->count_text(), QString("no checkpoint open"));
        auto* browser = w.input_panel()->findChild<QTextBrowser*>();
        QVERIFY(browser && browser->toPlainText().contains("Open a checkpoint"));
        QVERIFY(!browser->toPlainText().contains("tokenizer.json"));
        for (QAction* a : w.findChildren<QAction*>())
            if (a->shortcuts().contains(QKeySequence("Ctrl+R"))) QVERIFY(!a->isEnabled());
    }

    // The cost line follows max tokens at once (no re-tokenization), and counts "1 token".
    void cost_line_follows_max_tokens_at_once() {
        QTemporaryDir tmp;
        MainWindow w;
        QVERIFY(load_checkpoint(w, tmp));
        QVERIFY(w.input_panel()->run_enabled());
        w.input_panel()->set_text("a");
        QTRY_COMPARE_WITH_TIMEOUT(w.input_panel()->count_text(), QString("1 token"), 5000);
        w.input_panel()->set_text("the imaginary heads reach further.");
        QTRY_VERIFY_WITH_TIMEOUT(w.input_panel()->count_text().startsWith("34 tokens ·"), 5000);
        w.input_panel()->set_max_tokens(10);
        QVERIFY2(
            w.input_panel()->count_text().startsWith("34 tokens (the run uses the first 10) ·"),
            qPrintable(w.input_panel()->count_text()));
    }

    // A huge max tokens from an earlier session is not carried into a new one.
    void extreme_max_tokens_is_not_remembered() {
        QSettings().setValue("input/max_tokens", 784000);
        MainWindow w;
        QVERIFY(w.input_panel()->max_tokens() <= 16384);
        QSettings().setValue("input/max_tokens", 4096);
        MainWindow w2;
        QCOMPARE(w2.input_panel()->max_tokens(), 4096);
    }

    // A closed dock comes back from the View menu.
    void closed_docks_come_back_from_the_view_menu() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        for (const char* name : {"model_dock", "input_dock"}) {
            auto* dock = w.findChild<QDockWidget*>(name);
            QVERIFY(dock);
            dock->close();
            QVERIFY(!dock->isVisible());
            QAction* restore = nullptr;
            for (QMenu* menu : w.menuBar()->findChildren<QMenu*>())
                if (menu->title().remove('&') == "View")
                    for (QAction* a : menu->actions())
                        if (a == dock->toggleViewAction()) restore = a;
            QVERIFY2(restore, name);
            restore->trigger();
            QVERIFY(dock->isVisible());
        }
    }

    // The empty Noise tab says how to get a sweep.
    void empty_noise_tab_says_how_to_start() {
        MainWindow w;
        w.show();
        w.tabs()->setCurrentIndex(5);
        auto says_how = [&] {
            int found = 0;
            for (QLabel* l : w.tabs()->currentWidget()->findChildren<QLabel*>())
                found +=
                    l->isVisible() && l->text().contains("Ctrl+N") && l->text().contains("--noise");
            return found;
        };
        QTRY_COMPARE(says_how(), 2);  // both charts
    }

    // The export dialog opens next to the trace with the head the head list shows.
    void export_dialog_starts_next_to_the_trace_with_the_listed_head() {
        QTemporaryDir tmp;
        const QString trace = tmp.path() + "/t.h5";
        QVERIFY(make_trace(source_path("sample_data/rope_pp_ec"),
                           {"--text", "In the beginning", "--quiet"}, trace));
        MainWindow w;
        QString offered;
        Prompts p;
        p.ask = [](const QString&, const QString&, QMessageBox::StandardButtons) {
            return QMessageBox::Cancel;
        };
        p.save_path = [&](const QString&, const QString& dir, const QString&) {
            offered = dir;
            return QString();
        };
        w.set_prompts(p);
        QVERIFY(open_trace_and_wait(w, trace));
        w.attention_view()->show_head(0, 7);  // the imaginary twin of head 6
        w.tabs()->setCurrentIndex(0);
        w.export_data();
        QCOMPARE(offered, tmp.path() + "/attention_L0_H6.csv");
    }

    void corrupt_trace_shows_error_and_keeps_state() {
        QTemporaryDir tmp;
        MainWindow w;
        QFile bad(tmp.path() + "/bad.h5");
        bad.open(QIODevice::WriteOnly);
        bad.write("this is not an HDF5 file at all");
        bad.close();
        QSignalSpy failed(&w, &MainWindow::job_failed);
        w.open_trace(bad.fileName());
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().first().toString().contains("bad.h5"));
        auto* box = w.findChild<QMessageBox*>("error_dialog");
        QVERIFY(box);
        QVERIFY(box->text().contains("bad.h5"));
        // Issue 15.3: the title names the kind of failure (rs::FileError) and the job.
        QVERIFY2(box->windowTitle().startsWith("Cannot read file — Opening "),
                 qPrintable(box->windowTitle()));
        box->close();
        QVERIFY(!w.trace().reader);
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
