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
    std::atomic<bool> done{false};
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
    JobRunner* self = this;  // valid for the thread's whole life: the destructor joins every job
    const auto t0 = std::chrono::steady_clock::now();
    job->thread = std::thread([self, job, title, work = std::move(work), t0] {
        // The runner joins every job thread before it is destroyed, so self is valid here.
        auto deliver = [self, job](auto fn) {
            QMetaObject::invokeMethod(
                self, [self, job, fn] {
                    if (job->generation != self->generation_) return;  // stale
                    self->busy_ = false;
                    fn(self);
                },
                Qt::QueuedConnection);
        };
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
        struct MarkDone {
            Job& j;
            ~MarkDone() { j.done = true; }
        } mark{*job};
        try {
            std::any result = work(progress);
            deliver([title, result](JobRunner* r) { emit r->finished(title, result); });
        } catch (const Cancelled&) {
            deliver([title](JobRunner* r) { emit r->cancelled(title); });
        } catch (const std::bad_alloc&) {
            deliver([title](JobRunner* r) { emit r->failed(title, "out of memory"); });
        } catch (const std::exception& e) {
            const QString msg = QString::fromStdString(e.what());
            deliver([title, msg](JobRunner* r) { emit r->failed(title, msg); });
        }
    });
}

}  // namespace rs::ui
