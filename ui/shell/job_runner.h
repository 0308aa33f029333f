// Runs one long core job (load, trace, sweep) at a time on a worker thread, with progress, ETA and
// cancel. The core sees a plain ProgressFn; results come back to the GUI thread as queued signals,
// and results of a job that was superseded (a newer generation) are dropped.
#pragma once

#include <QObject>
#include <QString>
#include <any>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "probe.h"

namespace rs::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Work = std::function<std::any(const ProgressFn&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;  // cancels and waits for a running job

    // Starts `work` on a worker thread; a job already running is cancelled and its result dropped.
    void start(const QString& title, Work work);
    void cancel();
    bool busy() const { return busy_; }
    // Blocks until the current job has finished (tests and shutdown only).
    void wait();

signals:
    void started(const QString& title);
    void progress(long done, long total, double eta_seconds);
    void finished(const QString& title, std::any result);
    void failed(const QString& title, const QString& message);
    void cancelled(const QString& title);

private:
    struct Job;
    std::shared_ptr<Job> current_;
    std::vector<std::shared_ptr<Job>> retired_;  // superseded jobs still finishing; joined later
    std::atomic<unsigned> generation_{0};
    bool busy_ = false;
};

}  // namespace rs::ui
