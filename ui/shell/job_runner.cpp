// JobRunner: a std::thread per job, results posted back with QMetaObject::invokeMethod.
#include "job_runner.h"

#include <QMetaObject>
#include <chrono>
#include <thread>

#include "error.h"

namespace rs::ui {

struct JobRunner::Job {
    unsigned generation = 0;
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};  // set (and notified) as the job's last act
    std::thread thread;
};

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner() {
    cancel();
    wait();
}

void JobRunner::wait() {
    if (current_ && current_->thread.joinable()) current_->thread.join();
    for (auto& j : retired_)
        if (j->thread.joinable()) j->thread.join();
    retired_.clear();
}

void JobRunner::cancel() {
    if (current_) current_->cancel = true;
}

void JobRunner::start(const QString& title, Work work) {
    // A superseded job is cancelled and finishes on its own; its result is dropped by generation.
    std::erase_if(retired_, [](const std::shared_ptr<Job>& j) {
        if (!j->done) return false;
        if (j->thread.joinable()) j->thread.join();
        return true;
    });
    if (current_) {
        current_->cancel = true;
        retired_.push_back(current_);
    }
    auto job = std::make_shared<Job>();
    job->generation = ++generation_;
    current_ = job;
    busy_ = true;
    emit started(title);
    // The runner joins every job thread before it is destroyed, so `this` is valid on the thread.
    job->thread = std::thread(&JobRunner::run, this, job, retired_, title, std::move(work));
}

void JobRunner::run(JobRunner* self, const std::shared_ptr<Job>& job,
                    const std::vector<std::shared_ptr<Job>>& superseded, const QString& title,
                    const Work& work) {
    struct MarkDone {
        Job& j;
        ~MarkDone() {
            j.done = true;
            j.done.notify_all();
        }
    } mark{*job};
    auto deliver = [self, job](auto fn) {
        QMetaObject::invokeMethod(
            self, [self, job, fn] {
                if (job->generation != self->generation_) return;  // stale
                self->busy_ = false;
                fn(self);
            },
            Qt::QueuedConnection);
    };
    // Cancelled jobs stop at their next progress poll (a fraction of a second, see Model).
    for (const auto& before : superseded) before->done.wait(false);
    if (job->cancel) {  // superseded in turn while it waited
        deliver([title](JobRunner* r) { emit r->cancelled(title); });
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    ProgressFn progress = [self, job, t0](long done, long total) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double eta = done > 0 ? secs * double(total - done) / double(done) : -1.0;
        QMetaObject::invokeMethod(
            self, [self, job, done, total, eta] {
                if (job->generation == self->generation_) emit self->progress(done, total, eta);
            },
            Qt::QueuedConnection);
        return !job->cancel.load();
    };
    try {
        auto result = std::make_shared<const JobResult>(work(progress));
        deliver([title, result](JobRunner* r) { emit r->finished(title, *result); });
    } catch (const Cancelled&) {
        deliver([title](JobRunner* r) { emit r->cancelled(title); });
    } catch (...) {
        const JobError error = describe_failure(std::current_exception());
        deliver([title, error](JobRunner* r) { emit r->failed(title, error); });
    }
}

}  // namespace rs::ui
