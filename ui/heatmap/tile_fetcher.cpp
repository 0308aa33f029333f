// The tile worker thread: a mutex-guarded queue, one job at a time, results posted back queued.
#include "tile_fetcher.h"

#include <QElapsedTimer>
#include <QMetaObject>
#include <QThread>
#include <exception>
#include <stdexcept>

namespace rs::ui {

TileFetcher::TileFetcher(QObject* parent) : QObject(parent) {
    thread_ = QThread::create([this] { run(); });
    thread_->setObjectName("tile-fetcher");
    thread_->start();
}

TileFetcher::~TileFetcher() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
        queue_.clear();
    }
    cv_.notify_all();
    thread_->wait();
    delete thread_;
    // Results posted while we waited die with this object: Qt discards events of deleted objects.
}

void TileFetcher::set_source(std::shared_ptr<const TileSource> source) {
    source_ = std::move(source);
    std::lock_guard<std::mutex> lock(mu_);
    queue_.clear();
}

void TileFetcher::submit(TileJob job) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto it = queue_.begin(); it != queue_.end();) {
            it = it->job.kind == job.kind ? queue_.erase(it) : std::next(it);
        }
        // Overviews first: they are what a panel shows at all, tiles only refine it.
        Pending p{std::move(job), source_};
        if (p.job.kind == TileJob::Kind::Overviews)
            queue_.push_front(std::move(p));
        else
            queue_.push_back(std::move(p));
    }
    cv_.notify_one();
}

int TileFetcher::outstanding() const {
    std::lock_guard<std::mutex> lock(mu_);
    return int(queue_.size()) + running_;
}

std::shared_ptr<TileResult> TileFetcher::compute(const Pending& p) {
    auto r = std::make_shared<TileResult>();
    r->job = p.job;
    QElapsedTimer timer;
    timer.start();
    try {
        if (!p.source) throw std::runtime_error("no attention maps loaded");
        for (int head : p.job.heads) {
            if (p.job.kind == TileJob::Kind::Tiles)
                r->tiles.push_back(std::make_shared<const MapTile>(
                    p.source->tile(p.job.layer, head, p.job.region)));
            else
                r->overviews.push_back(std::make_shared<const MapOverview>(
                    p.source->overview(p.job.layer, head, p.job.max_side)));
        }
    } catch (const std::exception& e) {
        r->tiles.clear();
        r->overviews.clear();
        r->error = QString::fromStdString(e.what());
    }
    r->seconds = timer.nsecsElapsed() * 1e-9;
    return r;
}

void TileFetcher::run() {
    for (;;) {
        Pending p;
        {
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
            if (stop_) return;
            p = std::move(queue_.front());
            queue_.pop_front();
            ++running_;
        }
        std::shared_ptr<const TileResult> result = compute(p);
        QMetaObject::invokeMethod(
            this,
            [this, result] {
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    --running_;
                }
                emit finished(result);
            },
            Qt::QueuedConnection);
    }
}

}  // namespace rs::ui
