// Progress strip: visible only while a job runs.
#include "progress_strip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <algorithm>
#include <chrono>

#include "job_runner.h"

namespace rs::ui {

int progress_permille(long done, long total, double seconds_in_step, double mean_step_seconds) {
    if (total <= 0) return 0;
    done = std::clamp(done, 0L, total);
    double step = 0;  // share of the running step done, estimated; 0 before any step finished
    if (done < total && mean_step_seconds > 0)
        step = std::min(0.9, std::max(0.0, seconds_in_step) / mean_step_seconds);
    return int(1000.0 * (double(done) + step) / double(total));
}

ProgressStrip::ProgressStrip(JobRunner* runner, QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(this);
    bar_ = new QProgressBar(this);
    bar_->setMaximumWidth(220);
    eta_ = new QLabel(this);
    bar_->setRange(0, 1000);
    bar_->setFormat("%p%");
    clock_ = [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Stop the running job (Esc); the current state is kept"));
    auto* l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(title_);
    l->addWidget(bar_);
    l->addWidget(eta_);
    l->addWidget(cancel_);
    hide();
    connect(runner, &JobRunner::started, this, &ProgressStrip::on_started);
    connect(runner, &JobRunner::progress, this, &ProgressStrip::on_progress);
    connect(runner, &JobRunner::finished, this, &ProgressStrip::on_ended);
    connect(runner, &JobRunner::failed, this, &ProgressStrip::on_ended);
    connect(runner, &JobRunner::cancelled, this, &ProgressStrip::on_ended);
    connect(cancel_, &QPushButton::clicked, runner, &JobRunner::cancel);
}

void ProgressStrip::on_started(const QString& title) {
    title_->setText(title);
    bar_->setRange(0, 0);  // busy until the first report
    eta_->clear();
    started_at_ = step_started_at_ = clock_();
    step_ = -1;
    show();
}

void ProgressStrip::on_progress(long done, long total, double eta) {
    const double now = clock_();
    if (done != step_) step_ = done, step_started_at_ = now;
    const double mean = done > 0 ? (step_started_at_ - started_at_) / double(done) : 0.0;
    bar_->setRange(0, 1000);
    bar_->setValue(std::max(bar_->value(),
                            progress_permille(done, total, now - step_started_at_, mean)));
    eta_->setText(eta >= 0 ? tr("ETA %1 s").arg(eta, 0, 'f', 0) : QString());
}

void ProgressStrip::on_ended() { hide(); }

}  // namespace rs::ui
