// Deciding which exact tile a viewport needs, and keeping overviews/tiles of the shown head pair
// current without ever waiting for the worker on the GUI thread.
#include "head_pair_tiles.h"

#include <algorithm>
#include <cmath>

#include "tile_fetcher.h"

namespace rs::ui {

namespace {

bool contains(const MapRegion& a, const MapRegion& b) {
    return a.stride == b.stride && a.row0 <= b.row0 && a.row1 >= b.row1 && a.col0 <= b.col0 &&
           a.col1 >= b.col1;
}

// Entries a tile of this region has.
double entries(const MapRegion& m) {
    return double(m.row1 - m.row0) * (m.col1 - m.col0) / (double(m.stride) * m.stride);
}

bool intersects(const MapRegion& a, const MapRegion& b) {
    return a.row0 < b.row1 && b.row0 < a.row1 && a.col0 < b.col1 && b.col0 < a.col1;
}

// [v0 - margin, v0 + span + margin) as whole positions aligned to `stride`, inside [0, tokens).
std::pair<int, int> aligned(double v0, double span, double margin, int stride, int tokens) {
    int a = int(std::floor((v0 - margin) / stride)) * stride;
    a = std::clamp(a, 0, std::max(0, tokens - 1));
    const int end = std::clamp(int(std::ceil(v0 + span + margin - 1e-9)), a + 1, tokens);
    const int b = std::min(tokens, a + (end - a + stride - 1) / stride * stride);
    return {a, b};
}

// The exact region for a viewport with the given margin, or nullopt (see exact_region).
std::optional<MapRegion> region_for(int tokens, int overview_side, double x0, double y0,
                                    double span, int pixels, double margin) {
    if (tokens <= 0 || pixels <= 0 || !(span > 0)) return std::nullopt;
    const double per_pixel = span / pixels;
    const double cell = double(tokens) / std::max(1, overview_side);
    if (span > HeadPairTiles::kExactSpan && cell <= per_pixel) return std::nullopt;
    MapRegion r;
    r.stride = std::max(1, int(std::floor(per_pixel)));
    // The whole map is drawn one way: pooled, unless every position gets a pixel. Exact samples
    // (at a stride, or fewer pixels than positions) would drop rows and columns, and whether
    // they or the overview showed would hang on the window's width.
    if (span >= tokens && per_pixel > 1.0) return std::nullopt;
    std::tie(r.row0, r.row1) = aligned(y0, span, margin, r.stride, tokens);
    std::tie(r.col0, r.col1) = aligned(x0, span, margin, r.stride, tokens);
    // Keys at or past the last query row are masked for every row of the tile.
    r.col1 = std::min(r.col1, r.row1);
    if (r.col0 >= r.col1) return std::nullopt;
    return r;
}

}  // namespace

HeadPairTiles::HeadPairTiles(QObject* parent) : QObject(parent), fetcher_(new TileFetcher(this)) {
    connect(fetcher_, &TileFetcher::finished, this, &HeadPairTiles::on_result);
}

HeadPairTiles::~HeadPairTiles() = default;

std::optional<MapRegion> HeadPairTiles::exact_region(int tokens, int overview_side, double x0,
                                                     double y0, double span, int pixels) {
    return region_for(tokens, overview_side, x0, y0, span, pixels, span / 8);
}

void HeadPairTiles::set_source(std::shared_ptr<const TileSource> source) {
    source_ = std::move(source);
    fetcher_->set_source(source_);
    cache_.clear();
    layer_ = real_ = imag_ = -1;
    ++generation_;
    overview_[0] = overview_[1] = nullptr;
    tile_[0] = tile_[1] = nullptr;
    wanted_ = requested_ = needed_ = std::nullopt;
    overview_pending_ = false;
    error_.clear();
    emit overviews_changed();
    emit tiles_changed();
}

void HeadPairTiles::set_heads(int layer, int real, int imag) {
    if (layer == layer_ && real == real_ && imag == imag_) return;
    layer_ = layer;
    real_ = real;
    imag_ = imag;
    ++generation_;
    overview_[0] = overview_[1] = nullptr;
    tile_[0] = tile_[1] = nullptr;
    shown_sequence_ = sequence_;
    wanted_ = requested_ = needed_ = std::nullopt;
    error_.clear();
    request_overviews();
    emit tiles_changed();
}

void HeadPairTiles::request_overviews() {
    overview_pending_ = false;
    if (!source_ || real_ < 0) {
        emit overviews_changed();
        return;
    }
    TileJob job;
    job.kind = TileJob::Kind::Overviews;
    job.generation = generation_;
    job.layer = layer_;
    job.max_side = kOverviewSide;
    bool all_cached = true;
    for (int w = 0; w < head_count(); ++w) {
        job.heads.push_back(head(w));
        TileKey key{layer_, head(w), true, {}, kOverviewSide};
        overview_[w] = cache_.overview(key);
        all_cached = all_cached && overview_[w];
    }
    if (!all_cached) {
        overview_[0] = overview_[1] = nullptr;
        overview_pending_ = true;
        fetcher_->submit(std::move(job));
    }
    emit overviews_changed();
}

bool HeadPairTiles::shows(const MapRegion& r) const {
    return tile_[0] && contains(tile_[0]->region, r);
}

bool HeadPairTiles::tile_pending() const {
    return needed_ && !shows(*needed_);
}

void HeadPairTiles::show_tiles(std::shared_ptr<const MapTile> real,
                               std::shared_ptr<const MapTile> imag, std::uint64_t sequence) {
    tile_[0] = std::move(real);
    tile_[1] = std::move(imag);
    shown_sequence_ = sequence;
    emit tiles_changed();
}

void HeadPairTiles::request(double x0, double y0, double span, int pixels) {
    if (!source_ || real_ < 0) return;
    const int T = source_->tokens();
    const int side = overview_[0] ? overview_[0]->side : std::min(T, kOverviewSide);
    wanted_ = exact_region(T, side, x0, y0, span, pixels);
    needed_ = region_for(T, side, x0, y0, span, pixels, 0.0);
    if (!wanted_ || !needed_) {
        // The overview is as fine as the screen: exact samples would only look different.
        needed_ = std::nullopt;
        if (tile_[0]) show_tiles(nullptr, nullptr, sequence_);
        return;
    }
    if (shows(*needed_)) return;
    // A request on its way that covers the view will do, unless it is much larger than what is
    // visible now (zooming in while it computes): then ask for the smaller one, which arrives
    // sooner and costs less to colour.
    if (requested_ && contains(*requested_, *needed_) && sequence_ > shown_sequence_ &&
        entries(*requested_) <= 4 * entries(*wanted_))
        return;

    requested_ = wanted_;
    std::shared_ptr<const MapTile> cached[2];
    bool all_cached = true;
    for (int w = 0; w < head_count(); ++w) {
        cached[w] = cache_.tile({layer_, head(w), false, *wanted_, 0});
        all_cached = all_cached && cached[w];
    }
    if (all_cached) {
        show_tiles(cached[0], cached[1], ++sequence_);
        return;
    }
    TileJob job;
    job.kind = TileJob::Kind::Tiles;
    job.generation = generation_;
    job.sequence = ++sequence_;
    job.layer = layer_;
    job.region = *wanted_;
    for (int w = 0; w < head_count(); ++w) job.heads.push_back(head(w));
    fetcher_->submit(std::move(job));
}

void HeadPairTiles::on_result(std::shared_ptr<const TileResult> r) {
    if (r->job.generation != generation_) return;  // another source or head pair: stale
    if (!r->error.isEmpty()) {
        if (r->job.kind == TileJob::Kind::Overviews) overview_pending_ = false;
        error_ = r->error;
        emit failed(error_);
        return;
    }
    const auto& heads = r->job.heads;
    if (r->job.kind == TileJob::Kind::Overviews) {
        for (std::size_t w = 0; w < heads.size() && w < 2; ++w) {
            cache_.put(TileKey{r->job.layer, heads[w], true, {}, r->job.max_side}, r->overviews[w]);
            overview_[w] = r->overviews[w];
        }
        overview_pending_ = false;
        emit overviews_changed();
        return;
    }
    for (std::size_t w = 0; w < heads.size() && w < 2; ++w)
        cache_.put(TileKey{r->job.layer, heads[w], false, r->job.region, 0}, r->tiles[w]);
    last_tile_seconds_ = r->seconds;
    // Older than what is on screen: keep it cached only. The newest request always shows; an
    // older one shows meanwhile if it is at the resolution wanted now and in view (pans).
    if (r->job.sequence <= shown_sequence_) return;
    const bool newest = r->job.sequence == sequence_;
    // A stale tile is worth showing while panning at the same zoom, not when it is much larger
    // than what is visible now (colouring it would cost a frame for nothing).
    const bool useful = wanted_ && wanted_->stride == r->job.region.stride &&
                        intersects(*wanted_, r->job.region) &&
                        entries(r->job.region) <= 2 * entries(*wanted_);
    if (!newest && !useful) return;
    show_tiles(r->tiles[0], r->tiles.size() > 1 ? r->tiles[1] : nullptr, r->job.sequence);
}

}  // namespace rs::ui
