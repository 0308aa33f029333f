// The GUI under stress: corrupt files from the catalogue (tests/corpus) and hostile traces (links,
// a FIFO) opened over a good trace each show their error and keep the session; rapid zooming over a
// 2048-token trace settles on the right tiles and, in the sanitizer build, leaks nothing
// (LeakSanitizer checked mid-test).
#include <hdf5.h>
#include <sys/stat.h>
#include <QApplication>
#include <QFileInfo>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "trace_reader.h"
#include "isolated_state.h"
#include "attention_view.h"
#include "gui_fixtures.h"
#include "main_window.h"

#if defined(__SANITIZE_ADDRESS__)
#define ROPESCOPE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ROPESCOPE_LSAN 1
#endif
#endif
#ifdef ROPESCOPE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

using namespace rs::ui;
using namespace rs::test;

namespace {

constexpr int kTokens = 2048;

QString corpus(const char* name) {
    return QString(ROPESCOPE_SOURCE_DIR) + "/tests/corpus/" + name;
}

// Closes the error dialog a failed job leaves, checking it names `file`.
bool close_error_dialog(MainWindow& w, const QString& file) {
    auto* box = w.findChild<QMessageBox*>("error_dialog");
    if (!box || !box->text().contains(file)) return false;
    box->close();  // WA_DeleteOnClose: deleted once its deferred delete is delivered
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return true;
}

}  // namespace

class TestGuiStress : public QObject {
    Q_OBJECT
    std::unique_ptr<IsolatedState> state_;
    QTemporaryDir tmp_;
    QString trace_;

  private slots:
    void initTestCase() {
        state_ = std::make_unique<IsolatedState>();
        QStringList ids;
        for (std::int32_t id : fixture_ids(kTokens)) ids << QString::number(id);
        trace_ = tmp_.path() + "/large.h5";
        QString err;
        QVERIFY2(make_trace(source_path("tests/fixtures/rope_f32"), {"--ids", ids.join(",")}, trace_,
                            &err),
                 qPrintable(err));
    }

    void corrupt_files_keep_the_open_trace() {
        MainWindow w;
        w.show();
        QVERIFY(open_trace_and_wait(w, trace_));
        const rs::TraceReader* good = w.trace().reader.get();
        QVERIFY(good);
        for (const char* bad :
             {"trace/trunc_half.h5", "trace/foreign.h5", "trace/tokens_contradict_shapes.h5",
              "trace/head_refers_nowhere.h5", "trace/text.h5"}) {
            QSignalSpy failed(&w, &MainWindow::job_failed);
            w.open_trace(corpus(bad));
            QVERIFY2(failed.wait(30000), bad);
            const QString file = QFileInfo(corpus(bad)).fileName();
            QVERIFY2(failed.first().first().toString().contains(file), bad);
            QVERIFY2(close_error_dialog(w, file), bad);
            QCOMPARE(w.trace().reader.get(), good);  // the session is untouched
            QCOMPARE(w.trace().reader->meta().tokens, kTokens);
        }
        // A damaged checkpoint folder fails the same way and keeps the trace too.
        QTemporaryDir ck;
        QFile::copy(QString(ROPESCOPE_SOURCE_DIR) + "/tests/fixtures/rope_f32/model.safetensors",
                    ck.path() + "/model.safetensors");
        QFile::copy(corpus("config/not_utf8.json"), ck.path() + "/config.json");
        QSignalSpy failed(&w, &MainWindow::job_failed);
        w.open_checkpoint(ck.path());
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().first().toString().contains("config.json"));
        QVERIFY(close_error_dialog(w, "config.json"));
        QCOMPARE(w.trace().reader.get(), good);
    }

    // Hostile traces (issue 18): an external link to a FIFO blocked the open forever, a soft
    // link aliased another layer, and a FIFO itself as the trace blocked too. Each must fail
    // promptly with the error dialog naming the file, and keep the open trace.
    void hostile_traces_fail_without_hanging() {
        MainWindow w;
        w.show();
        QVERIFY(open_trace_and_wait(w, trace_));
        const rs::TraceReader* good = w.trace().reader.get();
        const QString fifo = tmp_.path() + "/fifo";
        QVERIFY(mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
        const QString external = tmp_.path() + "/external.h5", soft = tmp_.path() + "/soft.h5";
        for (const QString& copy : {external, soft}) {
            QFile::remove(copy);
            QVERIFY(QFile::copy(trace_, copy));
            const hid_t f = H5Fopen(copy.toLocal8Bit().constData(), H5F_ACC_RDWR, H5P_DEFAULT);
            QVERIFY(f >= 0);
            QVERIFY(H5Ldelete(f, "layers/01/k", H5P_DEFAULT) >= 0);
            if (copy == external)
                QVERIFY(H5Lcreate_external(fifo.toLocal8Bit().constData(), "/k", f, "layers/01/k",
                                           H5P_DEFAULT, H5P_DEFAULT) >= 0);
            else
                QVERIFY(H5Lcreate_soft("/layers/00/k", f, "layers/01/k", H5P_DEFAULT,
                                       H5P_DEFAULT) >= 0);
            QVERIFY(H5Fclose(f) >= 0);
        }
        for (const QString& bad : {external, soft, fifo}) {
            QSignalSpy failed(&w, &MainWindow::job_failed);
            w.open_trace(bad);
            QVERIFY2(failed.wait(30000), qPrintable(bad));
            const QString file = QFileInfo(bad).fileName();
            const QString why = failed.first().first().toString();
            QVERIFY2(why.contains(file) && (why.contains("link") || why.contains("regular file")),
                     qPrintable(why));
            QVERIFY2(close_error_dialog(w, file), qPrintable(bad));
            QCOMPARE(w.trace().reader.get(), good);
        }
    }

    void rapid_zoom_settles_and_leaks_nothing() {
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(open_trace_and_wait(w, trace_));
        AttentionView* view = w.attention_view();
        std::mt19937 rng(8);
        std::uniform_int_distribution<int> pos(0, kTokens - 64);
        auto storm = [&] {
            // Zoom in by wheel-sized steps, jump around, zoom out: far faster than tiles arrive,
            // so most requests are superseded while in flight.
            for (int i = 0; i < 12; ++i) {
                view->zoom_by(1.25);
                QCoreApplication::processEvents();
            }
            for (int i = 0; i < 8; ++i) {
                const int at = pos(rng);
                view->set_viewport({at, at + 64, at / 2, at / 2 + 64, 1});
                QCoreApplication::processEvents();
            }
            for (int i = 0; i < 12; ++i) view->zoom_by(0.8);
            view->show_head(int(rng() % 2), int(rng() % 8));
            view->reset_zoom();
        };
        storm();  // warm-up: fonts, caches and thread pools reach their steady size
        QTRY_VERIFY_WITH_TIMEOUT(view->settled(), 120000);
#ifdef ROPESCOPE_LSAN
        QCOMPARE(__lsan_do_recoverable_leak_check(), 0);
#endif
        for (int round = 0; round < 25; ++round) storm();
        const int at = kTokens / 2;
        view->set_viewport({at, at + 48, at - 48, at, 1});
        QTRY_VERIFY_WITH_TIMEOUT(view->settled(), 120000);
        QVERIFY(view->tile_error().isEmpty());
        // The last request wins: the tile on display covers the final viewport.
        const auto tile = view->displayed_tile(AttentionView::Panel::Real);
        QVERIFY(tile);
        const rs::ui::MapRegion want = view->viewport();
        QVERIFY(tile->region.row0 <= want.row0 && tile->region.row1 >= want.row1);
        QVERIFY(tile->region.col0 <= want.col0 && tile->region.col1 >= want.col1);
#ifdef ROPESCOPE_LSAN
        QCOMPARE(__lsan_do_recoverable_leak_check(), 0);
#endif
    }
};

QTEST_MAIN(TestGuiStress)
#include "test_gui_stress.moc"
