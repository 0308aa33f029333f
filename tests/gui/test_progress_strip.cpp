// The running job's progress strip (issue 17, item 8): the bar moves inside a step (a layer, the
// lm_head) from core's in-between polls, not in 1/(layers + 1) jumps, and never moves back.
#include <QProgressBar>
#include <QtTest>

#include "job_runner.h"
#include "progress_strip.h"

using namespace rs::ui;

class TestProgressStrip : public QObject {
    Q_OBJECT
  private slots:
    void estimate_inside_a_step() {
        QCOMPARE(progress_permille(0, 5, 3.0, 0.0), 0);     // nothing finished: no estimate
        QCOMPARE(progress_permille(1, 5, 0.0, 1.0), 200);
        QCOMPARE(progress_permille(1, 5, 0.5, 1.0), 300);   // half the mean step later
        QCOMPARE(progress_permille(1, 5, 10.0, 1.0), 380);  // capped short of the next step
        QCOMPARE(progress_permille(5, 5, 10.0, 1.0), 1000);
        QCOMPARE(progress_permille(9, 5, 0.0, 1.0), 1000);
        QCOMPARE(progress_permille(1, 0, 0.0, 1.0), 0);
    }

    // A 4-layer model reports 5 steps; polls in between (same `done`) move the bar by the time
    // spent, at a resolution of 1/1000.
    void the_bar_moves_between_layer_reports() {
        JobRunner runner;
        ProgressStrip strip(&runner);
        double now = 100.0;
        strip.set_clock([&] { return now; });
        emit runner.started("Tracing");
        QCOMPARE(strip.bar()->maximum(), 0);  // busy until the first report
        emit runner.progress(0, 5, -1);
        QCOMPARE(strip.bar()->value(), 0);
        now = 102.0;
        emit runner.progress(1, 5, 8.0);  // one step took 2 s
        QCOMPARE(strip.bar()->maximum(), 1000);
        QCOMPARE(strip.bar()->value(), 200);
        now = 102.5;
        emit runner.progress(1, 5, 7.5);
        QCOMPARE(strip.bar()->value(), 250);  // a quarter of a step: 5% of the job
        now = 103.0;
        emit runner.progress(1, 5, 7.0);
        QCOMPARE(strip.bar()->value(), 300);
        now = 103.2;
        emit runner.progress(2, 5, 6.0);  // the step ended sooner than estimated
        QCOMPARE(strip.bar()->value(), 400);
        now = 110.0;
        emit runner.progress(2, 5, 6.0);  // long overdue: stays short of the next step
        QVERIFY(strip.bar()->value() < 600);
        const int before = strip.bar()->value();
        emit runner.progress(2, 5, 6.0);
        QCOMPARE(strip.bar()->value(), before);  // never back
        emit runner.progress(5, 5, 0.0);
        QCOMPARE(strip.bar()->value(), 1000);
    }
};

QTEST_MAIN(TestProgressStrip)
#include "test_progress_strip.moc"
