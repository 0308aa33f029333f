// Runs one long core job (load, trace, sweep) at a time on a worker thread, with progress, ETA and
// cancel. The core sees a plain ProgressFn; results come back to the GUI thread as queued signals,
// and results of a job that was superseded (a newer generation) are dropped. Jobs never overlap:
// a new job waits on its thread until every job it superseded has stopped, so two runs never hold
// their memory at once (the run budget assumes one) and never share a Model mid-run.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "job_error.h"
#include "job_result.h"
#include "probe.h"

namespace rs::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Work = std::function<JobResult(const ProgressFn&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;  // cancels and waits for a running job

    // Starts `work` on a worker thread once the jobs it supersedes have stopped; a job already
    // running is cancelled and its result dropped.
    void start(const QString& title, Work work);
    void cancel();
    bool busy() const { return busy_; }
    // Blocks until the current job has finished (tests and shutdown only).
    void wait();

signals:
    void started(const QString& title);
    void progress(long done, long total, double eta_seconds);
    void finished(const QString& title, const rs::ui::JobResult& result);
    void failed(const QString& title, const rs::ui::JobError& error);
    void cancelled(const QString& title);

private:
    struct Job;
    static void run(JobRunner* self, const std::shared_ptr<Job>& job,
                    const std::vector<std::shared_ptr<Job>>& superseded, const QString& title,
                    const Work& work);
    std::shared_ptr<Job> current_;
    std::vector<std::shared_ptr<Job>> retired_;  // superseded jobs still finishing; joined later
    std::atomic<unsigned> generation_{0};
    bool busy_ = false;
};

}  // namespace rs::ui
