// Issue 15, item 3: jobs that supersede each other never overlap (the new one waits until the old
// one has stopped), results are typed, failures say their kind, and Ctrl+R then Ctrl+N on one
// streaming model leaves a clean noise sweep. Run under TSan by tools/test-hardening.sh.
#include <QMessageBox>
#include <QSignalSpy>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <new>
#include <thread>

#include "error.h"
#include "input_panel.h"
#include "isolated_state.h"
#include "job_runner.h"
#include "main_window.h"
#include "scoped_env.h"

using namespace rs::ui;

namespace {

const QString kEc = QString(ROPESCOPE_SOURCE_DIR) + "/sample_data/rope_pp_ec";

// Goes ahead: starts long runs, discards the unsaved trace a new run replaces.
Prompts go_ahead() {
    Prompts p;
    p.ask = [](const QString&, const QString&, QMessageBox::StandardButtons buttons) {
        return buttons.testFlag(QMessageBox::Discard) ? QMessageBox::Discard : QMessageBox::Yes;
    };
    p.save_path = [](const QString&, const QString&, const QString&) { return QString(); };
    return p;
}

// The kind of the failure a job that throws `e` reports.
template <class E>
JobError failure_of(E e) {
    JobRunner runner;
    JobError got{JobError::Kind::Unexpected, "no failure reported"};
    bool failed = false;
    QObject::connect(&runner, &JobRunner::failed, [&](const QString&, const JobError& error) {
        got = error;
        failed = true;
    });
    runner.start("failing", [e](const rs::ProgressFn&) -> JobResult { throw e; });
    runner.wait();
    QCoreApplication::sendPostedEvents();
    if (!failed) got.message = "the job did not fail";
    return got;
}

}  // namespace

class TestJobRunner : public QObject {
    Q_OBJECT
    std::unique_ptr<IsolatedState> state_;

  private slots:
    void initTestCase() { state_ = std::make_unique<IsolatedState>(); }
    void init() { state_->reset(); }

    // The superseded job takes a while to stop after its cancel (a large product in flight); the
    // next job must not start its work before that.
    void a_new_job_waits_until_the_superseded_one_has_stopped() {
        JobRunner runner;
        std::atomic<bool> first_inside{false}, first_stopped{false}, second_saw_first_stopped{false};
        runner.start("first", [&](const rs::ProgressFn& progress) -> JobResult {
            first_inside = true;
            while (progress(0, 1)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            first_stopped = true;
            throw rs::Cancelled();
        });
        QTRY_VERIFY_WITH_TIMEOUT(first_inside.load(), 30000);
        int finished = 0;
        connect(&runner, &JobRunner::finished, this, [&](const QString& title, const JobResult& r) {
            QCOMPARE(title, QString("second"));
            QVERIFY(std::holds_alternative<NoiseSweeps>(r));
            ++finished;
        });
        QSignalSpy cancelled(&runner, &JobRunner::cancelled);
        runner.start("second", [&](const rs::ProgressFn&) -> JobResult {
            second_saw_first_stopped = first_stopped.load();
            return NoiseSweeps{};
        });
        QTRY_COMPARE_WITH_TIMEOUT(finished, 1, 30000);
        QVERIFY(second_saw_first_stopped.load());
        QCOMPARE(cancelled.count(), 0);  // the superseded job's end is not reported
    }

    // A job superseded while it still waits for its predecessor never runs.
    void a_job_superseded_while_waiting_never_runs() {
        JobRunner runner;
        std::atomic<bool> first_inside{false}, middle_ran{false};
        runner.start("first", [&](const rs::ProgressFn& progress) -> JobResult {
            first_inside = true;
            while (progress(0, 1)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            throw rs::Cancelled();
        });
        QTRY_VERIFY_WITH_TIMEOUT(first_inside.load(), 30000);
        runner.start("middle", [&](const rs::ProgressFn&) -> JobResult {
            middle_ran = true;
            return NoiseSweeps{};
        });
        runner.start("last", [](const rs::ProgressFn&) -> JobResult { return NoiseSweeps{}; });
        runner.wait();
        QVERIFY(!middle_ran.load());
    }

    void failures_carry_their_kind() {
        const JobError file = failure_of(rs::FileError("/x/model.safetensors", "truncated"));
        QCOMPARE(file.kind, JobError::Kind::File);
        QCOMPARE(file.message, QString("/x/model.safetensors: truncated"));
        QCOMPARE(file.heading(), QString("Cannot read file"));
        const JobError usage = failure_of(rs::ResourceError("this run needs about 9 GB"));
        QCOMPARE(usage.kind, JobError::Kind::Error);
        QCOMPARE(usage.message, QString("this run needs about 9 GB"));
        QCOMPARE(usage.heading(), QString("Error"));
        const JobError memory = failure_of(std::bad_alloc());
        QCOMPARE(memory.kind, JobError::Kind::OutOfMemory);
        QCOMPARE(memory.heading(), QString("Out of memory"));
        const JobError other = failure_of(std::logic_error("vector::_M_range_check"));
        QCOMPARE(other.kind, JobError::Kind::Unexpected);
        QCOMPARE(other.message, QString("vector::_M_range_check"));
        QCOMPARE(other.heading(), QString("Unexpected error"));
    }

    // Ctrl+R on a model that streams its layers, then Ctrl+N while the trace is inside the model:
    // the trace is dropped, the sweep is the one of the trace on show, and (under TSan) the two
    // jobs never touch the model's state at once.
    void trace_superseded_by_a_noise_sweep_on_a_streaming_model() {
        MainWindow w;
        w.set_prompts(go_ahead());
        {
            const ScopedEnv limit("ROPESCOPE_MEMORY_LIMIT", "1M");  // too little for resident layers
            QSignalSpy loaded(&w, &MainWindow::checkpoint_loaded);
            w.open_checkpoint(kEc);
            QVERIFY(loaded.wait(120000));
        }
        QVERIFY(!w.checkpoint().model->layers_resident());
        w.input_panel()->set_text("In the beginning God created the heaven and the earth.");
        QSignalSpy traced(&w, &MainWindow::trace_loaded);
        w.run_trace();
        QVERIFY(traced.wait(120000));
        const std::string shown = w.trace().path;

        w.input_panel()->set_text(
            QString("In the beginning God created the heaven and the earth. ").repeated(200));
        w.input_panel()->set_max_tokens(2048);
        QSignalSpy progress(w.jobs(), &JobRunner::progress);
        w.run_trace();  // Ctrl+R
        QVERIFY(progress.wait(120000));  // inside the model
        QSignalSpy swept(&w, &MainWindow::noise_loaded);
        w.run_noise({0.5});  // Ctrl+N
        QVERIFY(swept.wait(300000));
        w.jobs()->wait();
        QCOMPARE(w.trace().path, shown);
        QCOMPARE(int(w.trace().noise.size()), 1);
        QCOMPARE(w.trace().noise.back().tokens, int(w.trace().reader->meta().input.ids.size()));
    }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
