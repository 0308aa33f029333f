// Computes tiles and overviews on one worker thread (TileSource allows one caller at a time) and
// hands them to the GUI thread as a queued signal. Requests queue with "latest wins": a newer job
// of the same kind replaces one still waiting, so a burst of pan/zoom frames costs one tile.
#pragma once

#include <QObject>
#include <QString>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "tile_source.h"

class QThread;

namespace rs::ui {

struct TileJob {
    enum class Kind { Tiles, Overviews };
    Kind kind = Kind::Tiles;
    std::uint64_t generation = 0;  // requester's generation (source, layer, heads) when asked
    std::uint64_t sequence = 0;    // requester's request number, increasing
    int layer = 0;
    std::vector<int> heads;  // one tile / overview per head, in this order
    MapRegion region;        // Kind::Tiles
    int max_side = 0;        // Kind::Overviews
};

struct TileResult {
    TileJob job;
    std::vector<std::shared_ptr<const MapTile>> tiles;          // [heads] for Kind::Tiles
    std::vector<std::shared_ptr<const MapOverview>> overviews;  // [heads] for Kind::Overviews
    QString error;  // what the source threw; empty on success
    double seconds = 0;
};

class TileFetcher : public QObject {
    Q_OBJECT
  public:
    explicit TileFetcher(QObject* parent = nullptr);
    // Drops waiting jobs and waits for the running one (a source call cannot be interrupted).
    ~TileFetcher() override;

    // Later jobs read this source; jobs still waiting are dropped.
    void set_source(std::shared_ptr<const TileSource> source);
    const std::shared_ptr<const TileSource>& source() const { return source_; }
    // Queues `job`, replacing a waiting job of the same kind.
    void submit(TileJob job);
    // Jobs waiting or running.
    int outstanding() const;

  signals:
    // Delivered on the GUI thread, in completion order.
    void finished(std::shared_ptr<const rs::ui::TileResult> result);

  private:
    struct Pending {
        TileJob job;
        std::shared_ptr<const TileSource> source;
    };
    void run();
    static std::shared_ptr<TileResult> compute(const Pending& p);

    std::shared_ptr<const TileSource> source_;
    QThread* thread_ = nullptr;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Pending> queue_;
    int running_ = 0;
    bool stop_ = false;
};

}  // namespace rs::ui
