// What the attention view shows of one real head and its imaginary twin: their pooled overviews
// and the exact tiles the current viewport needs, fetched off the GUI thread, cached, and
// delivered by signals. Results for another source or head pair are dropped (generation counter).
#pragma once

#include <QObject>
#include <QString>
#include <cstdint>
#include <memory>
#include <optional>

#include "tile_cache.h"
#include "tile_source.h"

namespace rs::ui {

class TileFetcher;
struct TileResult;

class HeadPairTiles : public QObject {
    Q_OBJECT
  public:
    static constexpr int kOverviewSide = 512;  // largest overview asked for
    static constexpr int kExactSpan = 1024;    // exact tiles at most this zoomed out (positions)

    explicit HeadPairTiles(QObject* parent = nullptr);
    ~HeadPairTiles() override;

    void set_source(std::shared_ptr<const TileSource> source);
    const std::shared_ptr<const TileSource>& source() const { return source_; }
    // `imag` is -1 for a head without an imaginary twin.
    void set_heads(int layer, int real, int imag);
    int layer() const { return layer_; }
    int real_head() const { return real_; }
    int imag_head() const { return imag_; }

    // Asks for what the visible square [x0, x0+span)^2 drawn over `pixels` per side needs: an
    // exact tile when the overview is coarser than that (see exact_region), from the cache or the
    // worker. Cheap to call on every frame: a request already met or on its way is not repeated.
    void request(double x0, double y0, double span, int pixels);

    // The exact tile to ask for: the visible square widened by an eighth of its span on each side
    // (so small pans stay covered), aligned to a stride giving about one entry per pixel, and cut
    // at the diagonal (keys past the last query are all masked). Nullopt when the overview
    // (cells of T/overview_side positions) is already as fine as the screen, or nothing unmasked
    // is visible.
    static std::optional<MapRegion> exact_region(int tokens, int overview_side, double x0,
                                                 double y0, double span, int pixels);

    // 0: real head, 1: imaginary twin; null when not (yet) there.
    std::shared_ptr<const MapOverview> overview(int which) const { return overview_[which]; }
    std::shared_ptr<const MapTile> tile(int which) const { return tile_[which]; }
    // The exact region the current viewport wants, if any.
    const std::optional<MapRegion>& wanted() const { return wanted_; }
    // True while the wanted tile is not the one on display.
    bool tile_pending() const;
    bool overview_pending() const { return overview_pending_; }
    const QString& error() const { return error_; }
    double last_tile_seconds() const { return last_tile_seconds_; }
    const TileCache& cache() const { return cache_; }

  signals:
    void overviews_changed();
    void tiles_changed();
    void failed(const QString& message);

  private:
    void on_result(std::shared_ptr<const TileResult> result);
    void request_overviews();
    int head_count() const { return imag_ >= 0 ? 2 : 1; }
    int head(int which) const { return which == 0 ? real_ : imag_; }
    bool shows(const MapRegion& r) const;
    void show_tiles(std::shared_ptr<const MapTile> real, std::shared_ptr<const MapTile> imag,
                    std::uint64_t sequence);

    std::shared_ptr<const TileSource> source_;
    TileFetcher* fetcher_;
    TileCache cache_;
    int layer_ = -1, real_ = -1, imag_ = -1;
    std::uint64_t generation_ = 0;
    std::uint64_t sequence_ = 0;        // last tile request sent
    std::uint64_t shown_sequence_ = 0;  // request whose tiles are on display
    std::optional<MapRegion> wanted_;
    std::optional<MapRegion> requested_;  // last region sent to the worker
    std::optional<MapRegion> needed_;     // the visible part of wanted_ (no margin)
    std::shared_ptr<const MapOverview> overview_[2];
    std::shared_ptr<const MapTile> tile_[2];
    bool overview_pending_ = false;
    QString error_;
    double last_tile_seconds_ = 0;
};

}  // namespace rs::ui
