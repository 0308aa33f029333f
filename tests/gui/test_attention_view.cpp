// The attention view end to end: real/imaginary/difference panels show exactly the source's tiles,
// hover read-out, linked zoom and pan, head pairing, zoom from a 32k overview to single tokens, a
// GUI thread that never waits for a slow tile, exact tiles while panning, and PNG/SVG/PDF/CSV
// export.
// Set ROPESCOPE_SCREENSHOT_DIR to also write screenshots there.
#include <QApplication>
#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPdfWriter>
#include <QSignalSpy>
#include <QSvgGenerator>
#include <QWheelEvent>
#include <QXmlStreamReader>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "tests/gui/synthetic_tile_source.h"
#include "attention_view.h"
#include "figure_export.h"
#include "heatmap_axis.h"
#include "heatmap_view.h"
#include "map_viewport.h"
#include "gui_fixtures.h"
#include "input_events.h"
#include "memory_tile_source.h"

using namespace rs::ui;
using Panel = AttentionView::Panel;
using namespace rs::test;

namespace {

const char* const kWords[] = {" the",  " cat",  " sat", " on",   " a", " mat", "\n",    " and",
                              " then", " it",   " ran", " away", ".",  " dog", " saw",  " big",
                              " red",  " ball", " in",  " park", ",",  " we",  " went", " home"};

// A fixture run's maps, with each token labelled by a word so hover read-outs have text.
RecordedMaps fixture(const std::string& name, int T) {
    std::vector<std::string> labels;
    for (std::int32_t id : fixture_ids(T))
        labels.push_back(kWords[id % (sizeof(kWords) / sizeof(*kWords))]);
    return record_fixture(name, T, labels);
}

void save_shot(QWidget* w, const QString& name) {
    const QString dir = qEnvironmentVariable("ROPESCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    w->grab().save(dir + "/" + name);
}

// The view's combo box holding an item with `text` in it, or nullptr.
QComboBox* combo_with(QWidget& w, const QString& text) {
    for (auto* box : w.findChildren<QComboBox*>())
        for (int i = 0; i < box->count(); ++i)
            if (box->itemText(i).contains(text)) return box;
    return nullptr;
}

bool same_tile(const MapTile& a, const MapTile& b) {
    return a.rows == b.rows && a.cols == b.cols && a.prob == b.prob && a.logit == b.logit;
}

}  // namespace

class TestAttentionView : public QObject {
    Q_OBJECT
  private slots:
    void panels_show_exactly_the_sources_tiles() {
        const RecordedMaps fx = fixture("rope_f32", 24);
        AttentionView view;
        view.resize(1300, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(fx.source, fx.layout);
        for (int layer = 0; layer < 2; ++layer) {
            for (int q = 0; q < fx.layout.query_heads; ++q) {
                view.show_head(layer, q);
                QCOMPARE(view.real_head(), q);
                QCOMPARE(view.imag_head(), fx.layout.heads[q].twin);
                QTRY_VERIFY(view.displayed_tile(Panel::Real) && !view.tile_pending());
                const auto real = view.displayed_tile(Panel::Real);
                const auto imag = view.displayed_tile(Panel::Imag);
                QVERIFY(imag);
                // The whole 24 x 24 map is on screen and the tile covers it.
                const MapRegion v = view.viewport();
                QCOMPARE(v.row1 - v.row0, 24);
                QCOMPARE(real->region.stride, 1);
                QVERIFY(real->region.row0 == 0 && real->region.row1 == 24 &&
                        real->region.col1 == 24);
                QVERIFY(same_tile(*real, fx.source->tile(layer, view.real_head(), real->region)));
                QVERIFY(same_tile(*imag, fx.source->tile(layer, view.imag_head(), imag->region)));
                // What each panel draws: its values and, at every cell centre, their colour.
                QApplication::processEvents();
                const MapTile want_r = fx.source->tile(layer, view.real_head(), {0, 24, 0, 24, 1});
                const MapTile want_i = fx.source->tile(layer, view.imag_head(), {0, 24, 0, 24, 1});
                for (int which = 0; which < 3; ++which) {
                    HeatmapView* p = view.panel(Panel(which));
                    const QImage shot = p->grab().toImage();
                    for (int t = 0; t < 24; ++t)
                        for (int s = 0; s <= t; ++s) {
                            const std::size_t k = std::size_t(t) * 24 + s;
                            const float want = which == 0   ? want_r.prob[k]
                                               : which == 1 ? want_i.prob[k]
                                                            : want_i.prob[k] - want_r.prob[k];
                            QCOMPARE(p->exact().value(t, s), want);
                            const QPoint c = p->widget_point(s + 0.5, t + 0.5).toPoint();
                            QCOMPARE(shot.pixel(c), p->color_scale().color(want));
                        }
                    // Above the diagonal: the neutral mask colour.
                    QCOMPARE(shot.pixel(p->widget_point(20.5, 3.5).toPoint()),
                             HeatmapView::kMaskedColor);
                }
            }
        }
        // Colour settings: magma, linear scale up to the largest visible probability (both
        // heads share it), the difference on its symmetric diverging scale.
        view.set_colormap(Colormap::Magma);
        view.set_log_scale(false);
        const ColorScale real_scale = view.panel(Panel::Real)->color_scale();
        QCOMPARE(real_scale.map, Colormap::Magma);
        QVERIFY(!real_scale.log);
        QCOMPARE(view.panel(Panel::Imag)->color_scale().hi, real_scale.hi);
        const auto& er = view.panel(Panel::Real)->exact().values;
        const auto& ei = view.panel(Panel::Imag)->exact().values;
        const float top = std::max(*std::max_element(er.begin(), er.end()),
                                   *std::max_element(ei.begin(), ei.end()));
        QVERIFY(real_scale.hi >= top && real_scale.hi <= top * 1.1);
        const ColorScale diff_scale = view.panel(Panel::Diff)->color_scale();
        QCOMPARE(diff_scale.map, Colormap::Diverging);
        QCOMPARE(diff_scale.lo, -diff_scale.hi);
        view.set_log_scale(true);
        QVERIFY(view.panel(Panel::Real)->color_scale().log);
        QCOMPARE(view.panel(Panel::Real)->color_scale().lo, 1e-6);
    }

    void hover_reads_out_the_cell_under_the_mouse() {
        const RecordedMaps fx = fixture("rope_f32", 24);
        AttentionView view;
        view.resize(1300, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(fx.source, fx.layout);
        view.show_head(1, 1);
        QTRY_VERIFY(view.displayed_tile(Panel::Imag) && !view.tile_pending());
        QSignalSpy spy(&view, &AttentionView::hovered);
        HeatmapView* p = view.panel(Panel::Imag);
        send_mouse(p, QEvent::MouseMove, p->widget_point(3.5, 10.5), Qt::NoButton, Qt::NoButton);
        QCOMPARE(spy.count(), 1);
        const QString text = spy.last().at(0).toString();
        QCOMPARE(view.status_label()->text(), text);
        const MapTile r = fx.source->tile(1, view.real_head(), {10, 11, 3, 4, 1});
        const MapTile i = fx.source->tile(1, view.imag_head(), {10, 11, 3, 4, 1});
        const QString label10 =
            display_token(QString::fromStdString(fx.source->token_label(10)), 24);
        const QString label3 = display_token(QString::fromStdString(fx.source->token_label(3)), 24);
        const QString expected =
            QString(
                "query t=10 “%1” · key s=3 “%2” · t−s=7 · real p=%3 logit=%4 · imag p=%5 logit=%6 "
                "· imag−real %7")
                .arg(label10, label3, QString::number(r.prob[0], 'g', 4),
                     QString::number(r.logit[0], 'f', 3), QString::number(i.prob[0], 'g', 4),
                     QString::number(i.logit[0], 'f', 3))
                .arg((i.prob[0] >= r.prob[0] ? "+" : "") +
                     QString::number(double(i.prob[0]) - r.prob[0], 'g', 4));
        QCOMPARE(text, expected);
        // The masked triangle says so; leaving the map clears the read-out.
        send_mouse(p, QEvent::MouseMove, p->widget_point(12.5, 2.5), Qt::NoButton, Qt::NoButton);
        QVERIFY(spy.last().at(0).toString().contains("masked (s > t)"));
        send_mouse(p, QEvent::MouseMove, QPointF(1, 1), Qt::NoButton, Qt::NoButton);
        QCOMPARE(spy.last().at(0).toString(), QString());
        save_shot(&view, "attention_fixture_T24.png");
    }

    void overview_hover_and_head_pairing() {
        // RoPE++_EC interleaves real 2h and imaginary 2h+1: any of the two opens the pair.
        const RecordedMaps fx = fixture("rope_pp_ec_f32", 24);
        AttentionView view;
        view.set_source(fx.source, fx.layout);
        QSignalSpy heads(&view, &AttentionView::head_changed);
        view.show_head(1, 3);
        QCOMPARE(view.real_head(), 2);
        QCOMPARE(view.imag_head(), 3);
        QCOMPARE(view.head(), 3);
        QCOMPARE(heads.count(), 1);
        QCOMPARE(heads.last().at(0).toInt(), 1);
        QCOMPARE(heads.last().at(1).toInt(), 3);
        QCOMPARE(view.findChildren<QComboBox*>().front()->count(), fx.layout.query_heads);
        // The export name follows the head list ("head 2: …"), not the twin that was asked for.
        QCOMPARE(view.figure_name(), QString("attention_L1_H2"));

        // Zoomed-out 32k: the read-out is the overview's pooled cell.
        auto src = std::make_shared<rs::test::SyntheticTileSource>();
        view.resize(1200, 520);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(src, src->layout());
        QTRY_VERIFY(view.displayed_overview(Panel::Real) && view.displayed_overview(Panel::Imag));
        QApplication::processEvents();
        QVERIFY(!view.displayed_tile(Panel::Real));  // overview only at full zoom-out
        const QString text = view.hover_text(20000, 100);
        QVERIFY2(text.startsWith("query t=19968–20031 · key s=64–127 (pooled 64 x 64)"),
                 qPrintable(text));
        QVERIFY(text.contains("real mean p=") && text.contains("imag mean p="));
    }

    void panels_stay_linked() {
        auto src = std::make_shared<rs::test::SyntheticTileSource>(4096);
        AttentionView view;
        view.resize(1300, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(src, src->layout());
        auto check_linked = [&] {
            const QRectF m0 = view.panel(Panel::Real)->map_rect();
            for (int w = 1; w < 3; ++w) {
                HeatmapView* p = view.panel(Panel(w));
                QCOMPARE(p->map_rect().size(), m0.size());
                const QPointF a =
                    view.panel(Panel::Real)->map_point(m0.topLeft() + QPointF(17, 29));
                const QPointF b = p->map_point(p->map_rect().topLeft() + QPointF(17, 29));
                QCOMPARE(a, b);
            }
        };
        HeatmapView* imag = view.panel(Panel::Imag);
        for (int i = 0; i < 6; ++i)
            send_wheel(imag, imag->map_rect().center() + QPointF(30, 40), 120);
        check_linked();
        HeatmapView* diff = view.panel(Panel::Diff);
        const MapRegion before = view.viewport();
        drag(diff, diff->map_rect().center(), diff->map_rect().center() + QPointF(-40, -25));
        QVERIFY(view.viewport().col0 > before.col0 && view.viewport().row0 > before.row0);
        check_linked();
        QTRY_VERIFY(view.displayed_tile(Panel::Real) && !view.tile_pending());
        QApplication::processEvents();
        // All three panels draw the same region, the difference is imag - real there.
        const auto& er = view.panel(Panel::Real)->exact();
        const auto& ei = view.panel(Panel::Imag)->exact();
        const auto& ed = view.panel(Panel::Diff)->exact();
        QVERIFY(!er.empty() && er.row0 == ed.row0 && er.col1 == ei.col1 && er.rows == ed.rows);
        for (std::size_t k = 0; k < er.values.size(); k += 97)
            QCOMPARE(ed.values[k], ei.values[k] - er.values[k]);
        view.reset_zoom();
        QVERIFY(view.panel(Panel::Diff)->viewport()->is_full());
        check_linked();
    }

    void zooms_from_a_32k_overview_to_single_tokens() {
        auto src = std::make_shared<rs::test::SyntheticTileSource>(32768);
        AttentionView view;
        view.resize(1300, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(src, src->layout());
        QTRY_VERIFY_WITH_TIMEOUT(view.displayed_overview(Panel::Real), 10000);
        QApplication::processEvents();
        save_shot(&view, "attention_32k_overview.png");
        HeatmapView* p = view.panel(Panel::Real);
        const QRectF m = p->map_rect();
        // Just below the diagonal (key 16000, query 16020): the zoomed-in square shows the
        // diagonal's neighbourhood rather than the masked triangle.
        const QPointF cursor = p->widget_point(16000.5, 16020.5);
        int notches = 0;
        bool saved_mid = false;
        while (m.width() / p->viewport()->span() < 10 && notches < 100) {
            send_wheel(p, cursor, 120);
            ++notches;
            QApplication::processEvents();
            if (!saved_mid && p->viewport()->span() < 4000) {
                QTRY_VERIFY_WITH_TIMEOUT(!view.tile_pending(), 10000);
                QApplication::processEvents();
                save_shot(&view, "attention_32k_mid_zoom.png");
                saved_mid = true;
            }
        }
        QVERIFY(m.width() / p->viewport()->span() >= 10);
        QTRY_VERIFY_WITH_TIMEOUT(!view.tile_pending(), 10000);
        QApplication::processEvents();
        const auto tile = view.displayed_tile(Panel::Real);
        QVERIFY(tile);
        QCOMPARE(tile->region.stride, 1);
        const MapRegion v = view.viewport();
        QVERIFY(tile->region.row0 <= v.row0 && tile->region.row1 >= v.row1);
        QVERIFY(tile->region.col0 <= v.col0 && tile->region.col1 >= std::min(v.col1, v.row1));
        QVERIFY(same_tile(*tile, src->tile(0, view.real_head(), tile->region)));
        QVERIFY(same_tile(*view.displayed_tile(Panel::Imag),
                          src->tile(0, view.imag_head(), tile->region)));
        qInfo("32k: %d wheel notches to %d x %d visible positions; %d tiles computed for 2 heads",
              notches, v.row1 - v.row0, v.col1 - v.col0, src->tile_calls.load());
        save_shot(&view, "attention_32k_single_tokens.png");
    }

    void slow_tiles_never_block_the_gui_thread() {
        auto src = std::make_shared<rs::test::SyntheticTileSource>(32768);
        AttentionView view;
        view.resize(1300, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(src, src->layout());
        QTRY_VERIFY_WITH_TIMEOUT(view.displayed_overview(Panel::Real), 10000);
        // Hold every tile request in the worker until released: while one is in flight the GUI
        // thread must keep handling events, zooming and painting.
        src->hold();
        view.set_viewport({12000, 12400, 11800, 12200, 1});
        QTRY_VERIFY_WITH_TIMEOUT(src->blocked.load() > 0, 10000);
        QVERIFY(view.tile_pending());
        bool timer_fired = false;
        QTimer::singleShot(0, this, [&] { timer_fired = true; });
        HeatmapView* p = view.panel(Panel::Real);
        const MapRegion before = view.viewport();
        send_wheel(p, p->map_rect().center(), 120);
        QTRY_VERIFY_WITH_TIMEOUT(timer_fired, 10000);
        QVERIFY(view.viewport().row1 - view.viewport().row0 < before.row1 - before.row0);  // zoom handled
        view.repaint();                                   // painting does not wait for the tile
        QVERIFY(src->blocked.load() > 0);                 // ... which is still held in the worker
        src->release();
        QTRY_VERIFY_WITH_TIMEOUT(!view.tile_pending(), 10000);
        const auto tile = view.displayed_tile(Panel::Real);
        QVERIFY(tile);
        QVERIFY(same_tile(*tile, src->tile(0, view.real_head(), tile->region)));
    }

    // Frames at a human pace while zooming and panning a 32k map: exact tiles arrive between
    // frames and are painted. How long the frames take is measured by bench/bench_heatmap.cpp.
    void pan_zoom_frames_show_exact_tiles_on_32k() {
        auto src = std::make_shared<rs::test::SyntheticTileSource>(32768);
        AttentionView view;
        view.resize(1400, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(src, src->layout());
        QTRY_VERIFY_WITH_TIMEOUT(view.displayed_overview(Panel::Real), 10000);
        HeatmapView* p = view.panel(Panel::Real);
        const QRectF m = p->map_rect();
        int exact_frames = 0;
        auto frame = [&](auto&& input) {
            input();
            QApplication::processEvents();
            view.repaint();
            if (view.displayed_tile(Panel::Real)) ++exact_frames;
            QTest::qWait(16);
        };
        // Zoom in around a point below the diagonal (key 1/4, query 3/4 of the map) and pan back
        // and forth there, so the view stays on unmasked values that need exact tiles.
        const QPointF anchor = m.topLeft() + QPointF(m.width() * 0.25, m.height() * 0.75);
        for (int i = 0; i < 30; ++i)
            frame([&] { send_wheel(p, anchor + QPointF(i % 7, -(i % 5)), 60); });
        for (int i = 0; i < 40; ++i)  // pan with the mouse
            frame([&] {
                const QPointF d = i % 2 ? QPointF(9, 6) : QPointF(-9, -6);
                drag(p, m.center(), m.center() + d);
            });
        for (int i = 0; i < 30; ++i)  // zoom back out
            frame([&] { send_wheel(p, m.center(), -60); });
        QVERIFY(exact_frames > 20);  // tiles did arrive and frames were painted with them
    }

    // Issue 17, item 4: the difference map's range is the user's to set (a typed ± value, empty
    // for automatic), and it can show the log ratio ln p_imag - ln p_real on its own scale; the
    // caption and the CSV header say which and how the range was chosen.
    void difference_range_and_log_ratio_are_user_set() {
        const RecordedMaps fx = fixture("rope_f32", 24);
        AttentionView view;
        view.resize(1500, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(fx.source, fx.layout);
        view.show_head(0, 0);
        QTRY_VERIFY(view.displayed_tile(Panel::Real) && !view.tile_pending());
        QApplication::processEvents();
        HeatmapView* diff = view.panel(Panel::Diff);
        const double automatic = diff->color_scale().hi;
        QVERIFY(view.figure_parameters().join('\n').contains("(automatic: 99.5% of visible"));
        QVERIFY(view.figure_parameters().contains("difference: imag − real probability"));

        // A typed range sets the scale and the caption; nonsense leaves it as it was.
        auto* range = view.findChild<QLineEdit*>();
        QVERIFY(range);
        range->setText("0.05");
        emit range->editingFinished();
        QCOMPARE(view.diff_range(), std::optional<double>(0.05));
        QCOMPARE(diff->color_scale().hi, 0.05);
        QCOMPARE(diff->color_scale().lo, -0.05);
        QVERIFY(view.figure_parameters().contains(
            "difference colour range: ±0.05 (set by hand; beyond saturates)"));
        range->setText("-3");
        emit range->editingFinished();
        QCOMPARE(diff->color_scale().hi, 0.05);
        QCOMPARE(range->text(), QString("0.05"));
        QVERIFY(view.status_label()->text().contains("not a positive number"));
        range->clear();
        emit range->editingFinished();
        QVERIFY(!view.diff_range());
        QCOMPARE(diff->color_scale().hi, automatic);

        // Log ratio, chosen from the toolbar: its own values, scale, title and bar caption.
        QComboBox* mode = combo_with(view, "log ratio");
        QVERIFY(mode);
        mode->setCurrentIndex(1);
        emit mode->activated(1);
        QCOMPARE(view.diff_mode(), AttentionView::DiffMode::LogRatio);
        QApplication::processEvents();
        const MapTile r = fx.source->tile(0, view.real_head(), {0, 24, 0, 24, 1});
        const MapTile i = fx.source->tile(0, view.imag_head(), {0, 24, 0, 24, 1});
        const auto ln = [](double p) { return std::log(std::max(p, 1e-12)); };
        double biggest = 0;
        const QImage shot = diff->grab().toImage();
        for (int t = 0; t < 24; ++t)
            for (int s = 0; s <= t; ++s) {
                const std::size_t k = std::size_t(t) * 24 + s;
                const float want = float(ln(i.prob[k]) - ln(r.prob[k]));
                QCOMPARE(diff->exact().value(t, s), want);
                QCOMPARE(shot.pixel(diff->widget_point(s + 0.5, t + 0.5).toPoint()),
                         diff->color_scale().color(want));
                biggest = std::max(biggest, double(std::abs(want)));
            }
        // Log ratios are O(0.1-1) here, far beyond the probability difference's range.
        QVERIFY(diff->color_scale().hi > automatic);
        QVERIFY(diff->color_scale().hi <= biggest * 1.1);
        QCOMPARE(diff->title(), QString("ln(imag / real)"));
        const QString params = view.figure_parameters().join('\n');
        QVERIFY2(params.contains("difference: log ratio ln p_imag − ln p_real (natural log"),
                 qPrintable(params));

        // The CSV: a log_ratio column, and the caption lines in the exported file's header.
        const QStringList lines = view.figure_csv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.front(),
                 QString("query,key,real_prob,imag_prob,diff,real_logit,imag_logit,log_ratio"));
        const std::size_t k = 17 * 24 + 5;
        QVERIFY(lines.contains(QString("17,5,%1,%2,%3,%4,%5,%6")
                                   .arg(QString::number(r.prob[k], 'g', 9),
                                        QString::number(i.prob[k], 'g', 9),
                                        QString::number(double(i.prob[k]) - r.prob[k], 'g', 9),
                                        QString::number(r.logit[k], 'g', 9),
                                        QString::number(i.logit[k], 'g', 9),
                                        QString::number(ln(i.prob[k]) - ln(r.prob[k]), 'g', 9))));
        save_shot(&view, "attention_log_ratio.png");
        const QString csv = rs::ui::figure_csv_with_source(view);
        QVERIFY(csv.contains("# difference: log ratio ln p_imag − ln p_real"));
        QVERIFY(csv.contains("# difference colour range: ±"));
        // Back to the probability difference: automatic range again, no log-ratio column.
        view.set_diff_range(2.0);
        view.set_diff_mode(AttentionView::DiffMode::Probability);
        QVERIFY(!view.diff_range());
        QCOMPARE(diff->color_scale().hi, automatic);
        QVERIFY(!view.figure_csv().startsWith("query,key,real_prob,imag_prob,diff,real_logit,"
                                              "imag_logit,log_ratio"));
    }

    void exports_png_svg_pdf_csv() {
        const RecordedMaps fx = fixture("rope_f32", 24);
        AttentionView view;
        view.resize(1300, 560);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.set_source(fx.source, fx.layout);
        view.show_head(0, 1);
        QTRY_VERIFY(view.displayed_tile(Panel::Real) && !view.tile_pending());
        QApplication::processEvents();
        const QSizeF size = view.figure_size();
        QVERIFY(size.width() > 600 && size.height() > 200);

        QImage img((size * 150 / 72).toSize(), QImage::Format_ARGB32);
        img.fill(Qt::transparent);
        {
            QPainter p(&img);
            p.scale(150.0 / 72, 150.0 / 72);
            view.render_figure(p, QRectF(QPointF(0, 0), size));
        }
        QBuffer png;
        png.open(QIODevice::WriteOnly);
        QVERIFY(img.save(&png, "PNG"));
        QImage back;
        QVERIFY(back.loadFromData(png.data(), "PNG"));
        QCOMPARE(back.size(), img.size());
        // Some pixels carry data colours (not white, black or grey).
        int coloured = 0;
        for (int y = 0; y < back.height(); y += 3)
            for (int x = 0; x < back.width(); x += 3) {
                const QColor c = back.pixelColor(x, y);
                if (std::abs(c.red() - c.green()) > 30 || std::abs(c.green() - c.blue()) > 30)
                    ++coloured;
            }
        QVERIFY(coloured > 1000);
        const QString dir = qEnvironmentVariable("ROPESCOPE_SCREENSHOT_DIR");
        if (!dir.isEmpty()) back.save(dir + "/attention_figure_150dpi.png");

        QBuffer svg;
        {
            QSvgGenerator gen;
            gen.setOutputDevice(&svg);
            gen.setSize(size.toSize());
            gen.setViewBox(QRectF(QPointF(0, 0), size));
            QPainter p(&gen);
            view.render_figure(p, QRectF(QPointF(0, 0), size));
        }
        QXmlStreamReader xml(svg.data());
        int texts = 0, images = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement) continue;
            if (xml.name() == QLatin1String("text")) ++texts;
            if (xml.name() == QLatin1String("image")) ++images;
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY2(texts > 40, qPrintable(QString("%1 text elements").arg(texts)));
        QVERIFY(images >= 3);  // the three maps are rasters
        QVERIFY(svg.data().contains("Layer 0"));

        QBuffer pdf;
        pdf.open(QIODevice::WriteOnly);
        {
            QPdfWriter w(&pdf);
            w.setPageSize(QPageSize(size, QPageSize::Point));
            w.setPageMargins(QMarginsF(0, 0, 0, 0));
            QPainter p(&w);
            view.render_figure(p, QRectF(0, 0, w.width(), w.height()));
        }
        QVERIFY(pdf.data().startsWith("%PDF"));
        QVERIFY(pdf.data().size() > 2000);

        const QStringList lines = view.figure_csv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.front(),
                 QString("query,key,real_prob,imag_prob,diff,real_logit,imag_logit"));
        QCOMPARE(lines.size(), 1 + 24 * 25 / 2);
        const MapTile r = fx.source->tile(0, view.real_head(), {17, 18, 5, 6, 1});
        const MapTile i = fx.source->tile(0, view.imag_head(), {17, 18, 5, 6, 1});
        const QString row =
            QString("17,5,%1,%2,%3,%4,%5")
                .arg(QString::number(r.prob[0], 'g', 9), QString::number(i.prob[0], 'g', 9),
                     QString::number(double(i.prob[0]) - r.prob[0], 'g', 9),
                     QString::number(r.logit[0], 'g', 9), QString::number(i.logit[0], 'g', 9));
        QVERIFY2(lines.contains(row), qPrintable(row));
        // Zoomed in, the CSV holds only the visible part.
        view.set_viewport({12, 20, 2, 10, 1});
        QApplication::processEvents();
        const QStringList zoomed = view.figure_csv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(zoomed.size(), 1 + 8 * 8);  // rows 12..19 x keys 2..9, all unmasked
    }
};

QTEST_MAIN(TestAttentionView)
#include "test_attention_view.moc"
