// The attention row layout (issue 6): equal map squares that use most of the row, colour bars
// under the maps they colour when the row is tall enough, beside them when it is wide and short.
#include <QtTest>

#include "colorbar.h"
#include "heatmap_view.h"
#include "linked_panel_row.h"
#include "map_viewport.h"

using namespace rs::ui;

namespace {

// The attention view's row: real, imag, their colour bar, diff, its colour bar.
struct Row {
    MapViewport viewport;
    LinkedPanelRow row;
    HeatmapView* panels[3];
    ColorBar* bars[2];
    Row() {
        viewport.set_tokens(2048);
        for (auto*& p : panels) {
            p = new HeatmapView(&viewport);
            p->set_show_query_labels(p == panels[0]);
        }
        for (auto*& b : bars) b = new ColorBar;
        row.add_panel(panels[0]);
        row.add_panel(panels[1]);
        row.add_bar(bars[0]);
        row.add_panel(panels[2]);
        row.add_bar(bars[1]);
    }
    QRectF map(int i) const { return panels[i]->map_rect().translated(panels[i]->pos()); }
};

}  // namespace

class TestLinkedPanelRow : public QObject {
    Q_OBJECT
  private slots:
    void tall_row_puts_bars_under_the_maps() {
        Row r;
        r.row.resize(1200, 700);
        r.row.show();
        QVERIFY(QTest::qWaitForWindowExposed(&r.row));
        const double side = r.map(0).width();
        for (int i = 0; i < 3; ++i) QCOMPARE(r.map(i).size(), QSizeF(side, side));
        // The three maps take most of the width (the rest: one row of labels, small gaps).
        QVERIFY2(3 * side > 0.75 * r.row.width(), qPrintable(QString::number(side)));
        for (ColorBar* b : r.bars) {
            QVERIFY(b->horizontal());
            QVERIFY(b->geometry().top() >= r.map(0).bottom());
            QVERIFY(b->geometry().bottom() <= r.row.height());
        }
        // Each bar spans exactly the maps it colours: real + imag, then diff.
        QCOMPARE(r.bars[0]->geometry().left(), int(r.map(0).left()));
        QCOMPARE(r.bars[0]->geometry().left() + r.bars[0]->width(), int(r.map(1).right()));
        QCOMPARE(r.bars[1]->geometry().left(), int(r.map(2).left()));
    }

    void wide_short_row_keeps_bars_beside() {
        Row r;
        r.row.resize(1800, 360);
        r.row.show();
        QVERIFY(QTest::qWaitForWindowExposed(&r.row));
        for (ColorBar* b : r.bars) QVERIFY(!b->horizontal());
        QVERIFY(r.bars[0]->geometry().left() >= r.map(1).right());
        QVERIFY(r.map(2).left() >= r.bars[0]->geometry().right());
        // Height-limited: the maps fill the height left by title and axes.
        QVERIFY(r.map(0).height() > 0.5 * r.row.height());
    }

    void switching_back_and_forth_on_resize() {
        Row r;
        r.row.resize(1800, 360);
        r.row.show();
        QVERIFY(QTest::qWaitForWindowExposed(&r.row));
        QVERIFY(!r.bars[0]->horizontal());
        r.row.resize(1200, 800);
        QTRY_VERIFY(r.bars[0]->horizontal());
        r.row.resize(1800, 360);
        QTRY_VERIFY(!r.bars[0]->horizontal());
    }
};

QTEST_MAIN(TestLinkedPanelRow)
#include "test_linked_panel_row.moc"
