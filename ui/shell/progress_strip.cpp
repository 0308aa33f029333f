// Progress strip: visible only while a job runs.
#include "progress_strip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

#include "job_runner.h"

namespace rs::ui {

ProgressStrip::ProgressStrip(JobRunner* runner, QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(this);
    bar_ = new QProgressBar(this);
    bar_->setMaximumWidth(220);
    eta_ = new QLabel(this);
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
    show();
}

void ProgressStrip::on_progress(long done, long total, double eta) {
    bar_->setRange(0, int(total));
    bar_->setValue(int(done));
    eta_->setText(eta >= 0 ? tr("ETA %1 s").arg(eta, 0, 'f', 0) : QString());
}

void ProgressStrip::on_ended() { hide(); }

}  // namespace rs::ui
