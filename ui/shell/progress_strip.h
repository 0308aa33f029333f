// Status-bar strip for the running job: title, progress bar, ETA and a Cancel button.
#pragma once

#include <QWidget>
#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;

namespace rs::ui {

class JobRunner;

// Where the bar stands, in 1/1000 of the job: `done` of `total` steps finished, plus an estimate
// inside the running step from the mean time of the finished ones (capped short of the next
// step), so a model with few layers does not move in 20% jumps. Core reports steps (layers, the
// lm_head) and polls every ~50 ms in between.
int progress_permille(long done, long total, double seconds_in_step, double mean_step_seconds);

class ProgressStrip : public QWidget {
    Q_OBJECT
public:
    ProgressStrip(JobRunner* runner, QWidget* parent = nullptr);
    // Seconds since some fixed point (tests give their own clock).
    void set_clock(std::function<double()> clock) { clock_ = std::move(clock); }
    const QProgressBar* bar() const { return bar_; }

    void on_started(const QString& title);
    void on_progress(long done, long total, double eta);

private:
    void on_ended();

    QLabel* title_;
    QProgressBar* bar_;
    QLabel* eta_;
    QPushButton* cancel_;
    std::function<double()> clock_;
    double started_at_ = 0, step_started_at_ = 0;
    long step_ = -1;
};

}  // namespace rs::ui
