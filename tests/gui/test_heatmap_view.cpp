// One heatmap panel and its parts: viewport arithmetic, wheel zoom down to single tokens, raster
// colours equal to the values given, axes, colour scales, the tile cache and fetcher, the
// in-memory tile source against the model's full maps, and export to PNG/SVG/PDF.
#include <QApplication>
#include <QBuffer>
#include <QPdfWriter>
#include <QSignalSpy>
#include <QSvgGenerator>
#include <QWheelEvent>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>

#include "checkpoint.h"
#include "error.h"
#include "model.h"
#include "tests/full_map_probe.h"
#include "tests/gui/synthetic_tile_source.h"
#include "color_scale.h"
#include "head_pair_tiles.h"
#include "heatmap_axis.h"
#include "heatmap_view.h"
#include "map_raster.h"
#include "map_viewport.h"
#include "colorbar.h"
#include "gui_fixtures.h"
#include "input_events.h"
#include "memory_tile_source.h"
#include "tile_cache.h"
#include "tile_fetcher.h"

using namespace rs::ui;
using namespace rs::test;

namespace {

// A 2-layer vanilla RoPE fixture run on `T` tokens, with the test probe's full maps.
struct FixtureRun {
    std::shared_ptr<MemoryTileSource> source;
    rs::test::FullMapProbe probe;
    rs::HeadLayout layout;
};

std::unique_ptr<FixtureRun> run_fixture(const std::string& name, int T) {
    auto run = std::make_unique<FixtureRun>();
    RecordedMaps maps = record_fixture(name, T);
    run->source = maps.source;
    run->layout = maps.layout;
    rs::Model model(open_fixture(name));
    rs::ForwardOptions opt;
    opt.probes = {&run->probe};
    model.forward(fixture_ids(T), opt);
    return run;
}

}  // namespace

class TestHeatmapView : public QObject {
    Q_OBJECT
  private slots:
    void viewport_zoom_keeps_anchor_and_clamps() {
        MapViewport v;
        QSignalSpy spy(&v, &MapViewport::changed);
        v.set_tokens(1000);
        QCOMPARE(v.span(), 1000.0);
        v.zoom_at(QPointF(250, 750), 4.0);
        QCOMPARE(v.span(), 250.0);
        // The anchor keeps its relative position: 1/4 across, 3/4 down.
        QVERIFY(std::abs((250 - v.x0()) / v.span() - 0.25) < 1e-12);
        QVERIFY(std::abs((750 - v.y0()) / v.span() - 0.75) < 1e-12);
        v.pan_by(-1e6, 1e6);  // clamped to the map
        QCOMPARE(v.x0(), 0.0);
        QCOMPARE(v.y0(), 750.0);
        v.zoom_at(QPointF(10, 10), 1e9);
        QCOMPARE(v.span(), MapViewport::kMinSpan);
        v.zoom_at(QPointF(10, 10), 1e-9);
        QVERIFY(v.is_full());
        v.set_region({100, 164, 40, 72, 1});  // 64 x 32: widened to a 64 square
        QCOMPARE(v.span(), 64.0);
        const MapRegion r = v.region();
        QCOMPARE(r.row0, 100);
        QCOMPARE(r.row1, 164);
        QCOMPARE(r.col0, 40);
        QCOMPARE(r.col1, 104);
        QVERIFY(spy.count() >= 5);
    }

    void wheel_zoom_reaches_single_tokens() {
        MapViewport vp;
        vp.set_tokens(32768);
        HeatmapView view(&vp);
        view.resize(520, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QRectF m = view.map_rect();
        const QPointF cursor = m.center() + QPointF(37, -21);
        const QPointF anchor = view.map_point(cursor);
        int notches = 0;
        while (m.width() / vp.span() < kTokenLabelMinPx && notches < 100) {
            send_wheel(&view, cursor, 120);
            ++notches;
            // The map point under the cursor does not move while zooming.
            const QPointF now = view.map_point(cursor);
            QVERIFY2(std::abs(now.x() - anchor.x()) < 1e-6 * 32768 &&
                         std::abs(now.y() - anchor.y()) < 1e-6 * 32768,
                     qPrintable(QString("anchor moved at notch %1").arg(notches)));
        }
        QVERIFY2(m.width() / vp.span() >= kTokenLabelMinPx, "never reached token-sized cells");
        QVERIFY(vp.span() < 60);
        qInfo("32k -> single tokens in %d wheel notches (span %.1f positions, %.1f px per token)",
              notches, vp.span(), m.width() / vp.span());
        // Zooming out is clamped at the whole map; double-click resets from anywhere.
        QTest::mouseDClick(&view, Qt::LeftButton, Qt::NoModifier, cursor.toPoint());
        QVERIFY(vp.is_full());
    }

    void drag_pans_and_hover_reports_cell() {
        MapViewport vp;
        vp.set_tokens(100);
        vp.set_region({20, 60, 20, 60, 1});
        HeatmapView view(&vp);
        view.resize(500, 520);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy hover(&view, &HeatmapView::cell_hovered);
        const QPointF cell = view.widget_point(33.5, 45.5);  // centre of key 33, query 45
        send_move(&view, cell);
        QCOMPARE(hover.count(), 1);
        QCOMPARE(hover.last().at(0).toInt(), 45);
        QCOMPARE(hover.last().at(1).toInt(), 33);
        // Drag by 10 cells to the right and down: the view moves 10 positions up/left.
        const double px = view.map_rect().width() / vp.span();
        QTest::mousePress(&view, Qt::LeftButton, Qt::NoModifier, cell.toPoint());
        send_move(&view, cell + QPointF(10 * px, 10 * px), Qt::LeftButton);
        QTest::mouseRelease(&view, Qt::LeftButton, Qt::NoModifier,
                            (cell + QPointF(10 * px, 10 * px)).toPoint());
        QVERIFY(std::abs(vp.x0() - 10) < 0.05);
        QVERIFY(std::abs(vp.y0() - 10) < 0.05);
    }

    void raster_shows_tile_values_and_mask() {
        // A 4 x 4 exact tile at stride 2 over [8, 16)^2, on an overview of 8 cells of 4 tokens.
        const int T = 32;
        std::vector<float> tile(16), ov(64);
        for (int i = 0; i < 16; ++i) tile[i] = 0.05f * (i + 1);
        for (int i = 0; i < 64; ++i) ov[i] = 0.01f;
        MapGrid exact = MapGrid::from_tile({8, 16, 8, 16, 2}, 4, 4, tile);
        MapGrid over = MapGrid::from_overview(T, 8, ov);
        QCOMPARE(exact.value(10, 9), tile[1 * 4 + 0]);  // rows 10-11 -> entry 1, cols 8-9 -> 0
        QCOMPARE(over.value(31, 0), 0.01f);
        QVERIFY(std::isnan(exact.value(7, 8)));
        const ColorScale scale = ColorScale::probability(Colormap::Magma, false, 1.0, 1e-6);
        exact.colorize(scale);
        over.colorize(scale);
        QImage img(T * 4, T * 4, QImage::Format_RGB32);  // 4 px per token
        rasterize_map(img, 0, 0, T, &exact, &over, 0xff123456, 0xff000000);
        for (int t = 0; t < T; ++t)
            for (int s = 0; s < T; ++s) {
                const QRgb got = img.pixel(s * 4 + 2, t * 4 + 2);
                QRgb want;
                if (s > t)
                    want = 0xff123456;
                else if (exact.covers(t, s))
                    want = scale.color(exact.value(t, s));
                else
                    want = scale.color(0.01);
                QVERIFY2(got == want, qPrintable(QString("cell %1,%2").arg(t).arg(s)));
            }
        // The largest visible value ignores masked entries and what is outside the square.
        QCOMPARE(exact.max_in(8, 8, 4, false), tile[1 * 4 + 1]);
    }

    // A sliding-window layer (W = 5): keys s <= t - 5 are drawn masked like s > t; the band
    // t - 5 < s <= t keeps its values.
    void raster_masks_outside_the_sliding_window() {
        const int T = 16, W = 5;
        std::vector<float> ov(16 * 16, 0.2f);
        MapGrid over = MapGrid::from_overview(T, 16, ov);
        const ColorScale scale = ColorScale::probability(Colormap::Magma, false, 1.0, 1e-6);
        over.colorize(scale);
        QImage img(T * 2, T * 2, QImage::Format_RGB32);
        rasterize_map(img, 0, 0, T, nullptr, &over, 0xff123456, 0xff000000, W);
        int masked_in_window = 0, shown_outside = 0;
        for (int t = 0; t < T; ++t)
            for (int s = 0; s < T; ++s) {
                const bool masked = img.pixel(s * 2 + 1, t * 2 + 1) == 0xff123456;
                const bool visible = s <= t && s > t - W;
                masked_in_window += visible && masked;
                shown_outside += !visible && !masked;
            }
        QCOMPARE(masked_in_window, 0);
        QCOMPARE(shown_outside, 0);
        QVERIFY(img.pixel(1, 15 * 2 + 1) == 0xff123456);  // (t 15, s 0): outside the window
    }

    void axis_uses_token_labels_when_cells_are_wide() {
        const TokenLabelFn label = [](int p) { return QString("tok%1").arg(p); };
        const auto wide = axis_ticks(10, 20, 400, 100, label, 40);  // 20 px per token
        QVERIFY(wide.tokens);
        QCOMPARE(int(wide.ticks.size()), 20);
        QCOMPARE(wide.ticks.front().text, QString("tok10"));
        QCOMPARE(wide.ticks.front().at, 10.5);
        const auto narrow = axis_ticks(0, 32768, 500, 32768, label, 40);
        QVERIFY(!narrow.tokens);
        QVERIFY(narrow.ticks.size() >= 5 && narrow.ticks.size() <= 13);
        QCOMPARE(narrow.ticks.front().text, QString("0"));
        for (std::size_t i = 1; i < narrow.ticks.size(); ++i)
            QVERIFY((narrow.ticks[i].at - narrow.ticks[i - 1].at) * 500 / 32768 >= 40);
        QCOMPARE(display_token("a\nb\tc"),
                 QString("a") + QChar(0x21B5) + "b" + QChar(0x21E5) + "c");
        QCOMPARE(display_token("abcdefghijklmnopqrstuvwxyz", 5).size(), 5);
    }

    // Issue 17, item 8: zoomed in to a few tokens, labels grow with the cell (they were capped at
    // the 9 px figure font, ~7 px on screen at the first token zoom) as far as their room allows,
    // and a panel's painted labels really use that size.
    // A narrow difference bar (-0.08..0.08 in steps of 0.02) ran its labels together; labels that
    // would touch the last one drawn are left out, ticks stay.
    void colorbar_labels_never_run_together() {
        std::vector<std::pair<double, double>> crowded;
        for (int i = 0; i < 9; ++i) crowded.emplace_back(i * 15.0, i * 15.0 + 30);
        QCOMPARE(labels_that_fit(crowded, 3),
                 (std::vector<bool>{true, false, false, true, false, false, true, false, false}));
        std::vector<std::pair<double, double>> roomy;
        for (int i = 0; i < 5; ++i) roomy.emplace_back(i * 100.0, i * 100.0 + 30);
        QCOMPARE(labels_that_fit(roomy, 3), std::vector<bool>(5, true));
        // Bottom-to-top spans of a vertical bar come in the same order: same rule.
        QCOMPARE(labels_that_fit({{0, 12}, {6, 18}, {12, 24}}, 0),
                 (std::vector<bool>{true, false, true}));
    }

    void token_labels_grow_with_the_cell() {
        QFont base;
        base.setPixelSize(9);
        const TokenLabelFn word = [](int p) { return QString("ab%1").arg(p % 10); };
        const auto first = axis_ticks(0, 40, 400, 100, word, 40);  // 10 px per token
        QVERIFY(first.tokens);
        QCOMPARE(token_label_pixel_size(first, base, 60), 8);  // 0.8 of the cell
        const auto deep = axis_ticks(0, 8, 400, 100, word, 40);  // 50 px per token
        QCOMPARE(token_label_pixel_size(deep, base, 60), kTokenLabelMaxPx);
        const auto mid = axis_ticks(0, 25, 400, 100, word, 40);  // 16 px per token
        QCOMPARE(token_label_pixel_size(mid, base, 60), 12);
        // A long label limits the growth to what fits its room, never below the base size.
        const TokenLabelFn long_word = [](int) { return QString("·Bethlehemjudah"); };
        const auto crowded = axis_ticks(0, 8, 400, 100, long_word, 40);
        QCOMPARE(token_label_pixel_size(crowded, base, 20), 9);  // elided at the old size
        const int px = token_label_pixel_size(crowded, base, 120);
        QVERIFY2(px > 9 && px < kTokenLabelMaxPx, qPrintable(QString::number(px)));
        QFont f = base;
        f.setPixelSize(px);
        QVERIFY(QFontMetricsF(f).horizontalAdvance(display_token("·Bethlehemjudah")) <= 120);
        f.setPixelSize(px + 1);
        QVERIFY(QFontMetricsF(f).horizontalAdvance(display_token("·Bethlehemjudah")) > 120);
        QCOMPARE(token_label_pixel_size(crowded, base, 1000), kTokenLabelMaxPx);
    }

    void color_scales() {
        const auto log = ColorScale::probability(Colormap::Viridis, true, 1.0, 1e-6);
        QCOMPARE(log.position(1e-9), 0.0);
        QCOMPARE(log.position(1.0), 1.0);
        QVERIFY(std::abs(log.position(1e-3) - 0.5) < 1e-12);
        QCOMPARE(int(log.ticks().size()), 7);
        QCOMPARE(log.label(1e-3), QString("1e-3"));
        const auto diff = ColorScale::difference(0.25);
        QCOMPARE(diff.position(0.0), 0.5);
        QCOMPARE(diff.position(-1.0), 0.0);
        const auto t = diff.ticks();
        QVERIFY(std::find(t.begin(), t.end(), 0.0) != t.end());
        QCOMPARE(t.front(), -0.2);
        // colorize agrees with color() on every value kind.
        const std::vector<float> v = {0.0f, 1e-7f, 0.3f, 1.0f, 5.0f, NAN};
        std::vector<QRgb> c(v.size());
        for (const ColorScale& s :
             {log, diff, ColorScale::probability(Colormap::Magma, false, 0.5, 0)}) {
            s.colorize(v.data(), v.size(), c.data());
            for (std::size_t i = 0; i + 1 < v.size(); ++i) QCOMPARE(c[i], s.color(v[i]));
            QCOMPARE(c.back(), QRgb(0));
        }
    }

    void tile_cache_evicts_least_recently_used() {
        auto tile = [](int n) {
            auto t = std::make_shared<MapTile>();
            t->prob.assign(n, 0.0f);
            t->logit.assign(n, 0.0f);
            return std::shared_ptr<const MapTile>(t);
        };
        const std::size_t entry = 2 * 1000 * sizeof(float) + sizeof(MapTile);
        TileCache cache(3 * entry);
        TileKey a{0, 0, false, {0, 10, 0, 10, 1}, 0}, b = a, c = a, d = a;
        b.head = 1;
        c.head = 2;
        d.head = 3;
        cache.put(a, tile(1000));
        cache.put(b, tile(1000));
        cache.put(c, tile(1000));
        QVERIFY(cache.tile(a));    // a is now the most recently used
        cache.put(d, tile(1000));  // evicts b
        QVERIFY(!cache.tile(b));
        QVERIFY(cache.tile(a) && cache.tile(c) && cache.tile(d));
        QCOMPARE(int(cache.size()), 3);
        QVERIFY(cache.bytes() <= cache.max_bytes());
        TileKey o{0, 0, true, {}, 512};
        auto ov = std::make_shared<MapOverview>();
        ov->mean_prob.assign(10, 1.0f);
        cache.put(o, std::shared_ptr<const MapOverview>(ov));
        QVERIFY(cache.overview(o));
        QVERIFY(!cache.tile(o));
    }

    void exact_region_stride_and_alignment() {
        // Whole 32k map on 500 px: the 512-cell overview (64 positions a cell) is finer than a
        // pixel (65.5 positions): no tile.
        QVERIFY(!HeadPairTiles::exact_region(32768, 512, 0, 0, 32768, 500));
        // Slightly zoomed in: exact tile at a stride of about one entry per pixel.
        const auto r = HeadPairTiles::exact_region(32768, 512, 1000, 9000, 16000, 500);
        QVERIFY(r.has_value());
        QCOMPARE(r->stride, 32);
        QCOMPARE(r->row0 % 32, 0);
        QCOMPARE(r->col0 % 32, 0);
        QVERIFY(r->row0 <= 9000 && r->row1 >= 25000);
        QVERIFY(r->col1 <= r->row1);
        // Deep zoom: stride 1, region covers the view plus a margin.
        const auto z = HeadPairTiles::exact_region(32768, 512, 20000, 20100, 40, 500);
        QVERIFY(z && z->stride == 1);
        QVERIFY(z->col0 <= 20000 && z->col1 >= 20040 && z->row0 <= 20100 && z->row1 >= 20140);
        // Entirely above the diagonal: nothing to fetch.
        QVERIFY(!HeadPairTiles::exact_region(32768, 512, 30000, 100, 100, 500));
        // Small maps always get an exact tile (the hover read-out needs logits).
        const auto small = HeadPairTiles::exact_region(24, 24, 0, 0, 24, 500);
        QVERIFY(small && small->stride == 1 && small->row1 == 24 && small->col1 == 24);
    }

    // Issue 17, item 4: the whole map is drawn one way. A 3486-token map has 512 overview cells
    // of 6.8 positions; on 600 px the exact tile would sample every 5th position and drop 4/5 of
    // the rows, so the full view stays the pooled overview at any window size. Zoomed in, and for
    // maps that fit the screen at one position a pixel, it is exact.
    void full_view_is_always_pooled() {
        for (int pixels : {400, 500, 600, 800, 1200, 2000})
            QVERIFY2(!HeadPairTiles::exact_region(3486, 512, 0, 0, 3486, pixels),
                     qPrintable(QString::number(pixels)));
        QVERIFY(HeadPairTiles::exact_region(3486, 512, 0, 0, 3486, 4000));  // one a pixel
        const auto zoomed = HeadPairTiles::exact_region(3486, 512, 1000, 1200, 400, 600);
        QVERIFY(zoomed && zoomed->stride == 1);
    }

    // The difference map's range ignores a lone outlier: 99.5% of entries set it, not the max.
    void difference_range_is_robust_to_one_outlier() {
        const int n = 64;
        std::vector<float> values(std::size_t(n) * n, 0.0f);
        for (int t = 0; t < n; ++t)
            for (int s = 0; s <= t; ++s) values[std::size_t(t) * n + s] = (s % 2 ? 0.01f : -0.01f);
        values[0] = 1.0f;  // p(0,0) = 1 in one map, 0 in the other
        const MapGrid g = MapGrid::from_tile({0, n, 0, n, 1}, n, n, values);
        QCOMPARE(g.max_in(0, 0, n, true), 1.0f);
        QCOMPARE(g.max_in(0, 0, n, true, 0.995), 0.01f);
    }

    void fetcher_delivers_queued_and_latest_wins() {
        auto src = std::make_shared<rs::test::SyntheticTileSource>(4096);
        src->hold();
        TileFetcher fetcher;
        fetcher.set_source(src);
        std::vector<std::uint64_t> got;
        connect(&fetcher, &TileFetcher::finished, this,
                [&](std::shared_ptr<const TileResult> r) { got.push_back(r->job.sequence); });
        for (std::uint64_t seq = 1; seq <= 5; ++seq) {
            TileJob job;
            job.sequence = seq;
            job.heads = {0, 2};
            job.region = {0, 64, 0, 64, 1};
            fetcher.submit(job);
            if (seq == 1) QTRY_COMPARE_WITH_TIMEOUT(src->blocked.load(), 1, 10000);  // job 1 is running
        }
        src->release();
        QTRY_COMPARE_WITH_TIMEOUT(fetcher.outstanding(), 0, 10000);
        // The first job was already running; 2..4 were replaced while waiting; 5 is the latest.
        QCOMPARE(int(got.size()), 2);
        QCOMPARE(got.front(), std::uint64_t(1));
        QCOMPARE(got.back(), std::uint64_t(5));
        // Errors come back as messages, not exceptions across threads.
        std::shared_ptr<const TileResult> last;
        connect(&fetcher, &TileFetcher::finished, this,
                [&](std::shared_ptr<const TileResult> r) { last = r; });
        TileJob bad;
        bad.heads = {0};
        bad.region = {0, 64, 0, 64, 1};
        fetcher.set_source(nullptr);
        fetcher.submit(bad);
        QTRY_VERIFY_WITH_TIMEOUT(last != nullptr, 5000);
        QVERIFY(!last->error.isEmpty());
    }

    void memory_source_matches_full_maps() {
        const int T = 40;
        auto run = run_fixture("rope_f32", T);
        const auto& src = *run->source;
        QCOMPARE(src.tokens(), T);
        QCOMPARE(src.heads(), run->layout.analysis_heads());  // virtual heads included
        QCOMPARE(src.token_label(3), std::string("3"));
        double worst = 0;
        for (int layer = 0; layer < src.layers(); ++layer)
            for (int head = 0; head < src.heads(); ++head) {
                const auto& m = run->probe.map(layer, head);
                const MapTile tile = src.tile(layer, head, {0, T, 0, T, 1});
                for (int t = 0; t < T; ++t)
                    for (int s = 0; s < T; ++s) {
                        const std::size_t k = std::size_t(t) * T + s;
                        if (s > t) {
                            QCOMPARE(tile.prob[k], 0.0f);
                            QVERIFY(std::isinf(tile.logit[k]) && tile.logit[k] < 0);
                            continue;
                        }
                        QCOMPARE(tile.logit[k], m.logits[k]);
                        worst = std::max(worst, double(std::abs(tile.prob[k] - m.probs[k])));
                    }
                // Stride subsamples; the overview is the block mean.
                const MapTile sub = src.tile(layer, head, {5, 40, 2, 33, 4});
                QCOMPARE(sub.rows, 9);
                QCOMPARE(sub.cols, 8);
                QCOMPARE(sub.prob[6 * 8 + 3], tile.prob[std::size_t(29) * T + 14]);
                QCOMPARE(sub.logit[6 * 8 + 3], tile.logit[std::size_t(29) * T + 14]);
                const MapOverview ov = src.overview(layer, head, 16);
                QCOMPARE(ov.side, 16);
                for (int i = 0; i < 16; ++i)
                    for (int j = 0; j < 16; ++j) {
                        const int t0 = i * T / 16, t1 = (i + 1) * T / 16;
                        const int s0 = j * T / 16, s1 = (j + 1) * T / 16;
                        double sum = 0;
                        for (int t = t0; t < t1; ++t)
                            for (int s = s0; s < s1; ++s) sum += tile.prob[std::size_t(t) * T + s];
                        const double mean = sum / ((t1 - t0) * (s1 - s0));
                        QVERIFY(std::abs(ov.mean_prob[std::size_t(i) * 16 + j] - mean) < 1e-6);
                    }
            }
        QVERIFY2(worst < 1e-6, qPrintable(QString("prob differs by %1").arg(worst)));
        QVERIFY_EXCEPTION_THROWN(src.tile(0, 0, {0, T + 1, 0, 4, 1}), rs::UsageError);
        QVERIFY_EXCEPTION_THROWN(src.tile(0, 0, {4, 4, 0, 4, 1}), rs::UsageError);
        QVERIFY_EXCEPTION_THROWN(src.tile(0, 99, {0, 4, 0, 4, 1}), rs::UsageError);
    }

    void memory_source_refuses_too_much_memory() {
        rs::Model model(open_fixture("rope_f32"));
        std::vector<std::int32_t> ids(64, 5);
        MemoryTileSource::RecordOptions opt;
        opt.max_bytes = 1000;
        QVERIFY_EXCEPTION_THROWN(MemoryTileSource::record(model, ids, {}, opt), rs::UsageError);
        opt.max_bytes = std::size_t(1) << 30;
        opt.layers = {1};
        auto src = MemoryTileSource::record(model, ids, {}, opt);
        QVERIFY(!src->has_map(0, 0) && src->has_map(1, 0));
        QCOMPARE(src->bytes(), MemoryTileSource::bytes_per_head(64) * std::size_t(src->heads()));
        QVERIFY_EXCEPTION_THROWN(src->tile(0, 0, {0, 4, 0, 4, 1}), rs::UsageError);
    }

    void panel_exports_png_svg_pdf() {
        MapViewport vp;
        vp.set_tokens(16);
        HeatmapView view(&vp);
        view.set_title("test panel");
        std::vector<float> v(256);
        for (int i = 0; i < 256; ++i) v[i] = (i % 17) / 16.0f;
        view.set_exact(MapGrid::from_tile({0, 16, 0, 16, 1}, 16, 16, v));
        view.set_token_labels([](int p) { return QString("t%1").arg(p); });

        QImage img(view.figure_size().toSize() * 2, QImage::Format_ARGB32);
        img.fill(Qt::transparent);
        {
            QPainter p(&img);
            view.render_figure(p, QRectF(QPointF(0, 0), view.figure_size() * 2));
        }
        QBuffer png;
        png.open(QIODevice::WriteOnly);
        QVERIFY(img.save(&png, "PNG"));
        QImage back;
        QVERIFY(back.loadFromData(png.data(), "PNG"));
        QCOMPARE(back.size(), img.size());

        QBuffer svg;
        {
            QSvgGenerator gen;
            gen.setOutputDevice(&svg);
            gen.setSize(view.figure_size().toSize());
            gen.setViewBox(QRectF(QPointF(0, 0), view.figure_size()));
            QPainter p(&gen);
            view.render_figure(p, QRectF(QPointF(0, 0), view.figure_size()));
        }
        QXmlStreamReader xml(svg.data());
        int texts = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement &&
                xml.name() == QLatin1String("text"))
                ++texts;
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY2(texts > 10, "axis labels and title should stay text in SVG");
        QVERIFY(svg.data().contains("test panel"));

        QBuffer pdf;
        pdf.open(QIODevice::WriteOnly);
        {
            QPdfWriter w(&pdf);
            w.setPageSize(QPageSize(view.figure_size(), QPageSize::Point));
            w.setPageMargins(QMarginsF(0, 0, 0, 0));
            QPainter p(&w);
            view.render_figure(p, QRectF(QPointF(0, 0), QSizeF(w.width(), w.height())));
        }
        QVERIFY(pdf.data().startsWith("%PDF"));
        QVERIFY(pdf.data().size() > 1000);

        const QString csv = view.figure_csv();
        QVERIFY(csv.startsWith("query,key,value\n"));
        QCOMPARE(csv.count('\n'), 1 + 16 * 17 / 2);  // the lower triangle
    }
};

QTEST_MAIN(TestHeatmapView)
#include "test_heatmap_view.moc"
