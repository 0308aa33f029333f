// The chart views built from real core results (a fixture model run through the statistics probe,
// curve_family, nll_by_position, run_noise_experiment): plotted series equal the inputs, clicks
// emit the right head, and every view exports to PNG, SVG, PDF and CSV.
// Set ROPESCOPE_SCREENSHOT_DIR to also save a screenshot and a PNG export of every view there.
#include <algorithm>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QMenu>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>
#include <cmath>
#include <memory>

#include "checkpoint.h"
#include "head_stats.h"
#include "model.h"
#include "noise_experiment.h"
#include "perplexity.h"
#include "seed_interval.h"
#include "theory_curves.h"
#include "chart_builder.h"
#include "chart_legend.h"
#include "chart_panel.h"
#include "gui_fixtures.h"
#include "chart_title.h"
#include "curves_view.h"
#include "decay_chart.h"
#include "figure_export.h"
#include "head_columns.h"
#include "heads_grid.h"
#include "heads_view.h"
#include "long_range_view.h"
#include "moving_average.h"
#include "noise_view.h"
#include "perplexity_view.h"

namespace {

// A fixture model and the statistics of one run over `tokens` tokens.
struct Run {
    std::unique_ptr<rs::Model> model;
    rs::RunStats stats;
    rs::HeadLayout layout;
};

Run run_fixture(const std::string& name, int tokens) {
    Run r;
    r.model = std::make_unique<rs::Model>(rs::test::open_fixture(name));
    rs::HeadStatsProbe probe(true);
    rs::ForwardOptions opt;
    opt.probes = {&probe};
    r.model->forward(rs::test::fixture_ids(tokens), opt);
    r.stats = probe.take();
    r.layout = r.model->layout();
    return r;
}

// Shows `view` at w x h with the run's statistics, drawn; false when the window never appeared.
template <class View>
bool show_run(View& view, const Run& run, int w, int h) {
    view.resize(w, h);
    view.set_run(&run.stats, &run.layout);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) return false;
    view.flush();
    return true;
}

// Saves a grab of the widget and a PNG export when ROPESCOPE_SCREENSHOT_DIR is set.
void save_screenshots(QWidget& w, const rs::ui::Exportable& e, const QString& name) {
    const QString dir = qEnvironmentVariable("ROPESCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    w.grab().save(dir + "/" + name + "_widget.png");
    rs::ui::export_figure(e, dir + "/" + name + "_export.png", {110.0});
}

QByteArray read_all(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The text of an SVG file, its text runs joined by single spaces (wrapped lines read as one).
QString svg_text(const QString& path) {
    QXmlStreamReader xml(read_all(path));
    QString text;
    while (!xml.atEnd())
        if (xml.readNext() == QXmlStreamReader::Characters) text += xml.text() + ' ';
    return text.simplified();
}

// Exports `e` to every format and checks each file: PNG pixel size scales with dpi, SVG parses
// and holds text elements, PDF looks like a PDF, CSV is figure_csv() under the parameter lines.
void check_exports(const rs::ui::Exportable& e) {
    QTemporaryDir dir;
    const QSizeF size = rs::ui::exported_figure_size(e);  // the figure and its caption
    QVERIFY(size.width() > 100 && size.height() > 100);
    rs::ui::export_figure(e, dir.filePath("a.png"), {72.0});
    rs::ui::export_figure(e, dir.filePath("b.png"), {144.0});
    const QImage a(dir.filePath("a.png")), b(dir.filePath("b.png"));
    QCOMPARE(a.width(), int(std::ceil(size.width() - 1e-9)));
    QCOMPARE(b.width(), int(std::ceil(2 * size.width() - 1e-9)));
    QCOMPARE(b.height(), int(std::ceil(2 * size.height() - 1e-9)));
    // Not a blank page: a good share of pixels differ from the white background.
    int ink = 0;
    for (int y = 0; y < a.height(); y += 2)
        for (int x = 0; x < a.width(); x += 2) ink += a.pixel(x, y) != qRgb(255, 255, 255);
    QVERIFY2(ink > a.width() * a.height() / 4 / 50, "the PNG export is nearly blank");

    rs::ui::export_figure(e, dir.filePath("c.svg"));
    const QByteArray svg = read_all(dir.filePath("c.svg"));
    QVERIFY(QSvgRenderer(svg).isValid());
    QXmlStreamReader xml(svg);
    int texts = 0, paths = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        texts += xml.name() == QLatin1String("text");
        paths += xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline");
    }
    QVERIFY(!xml.hasError());
    QVERIFY2(texts >= 5, "SVG export has (almost) no text elements");
    QVERIFY2(paths >= 3, "SVG export has no vector paths");
    QVERIFY2(!svg.contains("<image"),
             "SVG export embeds a raster image instead of vector graphics");

    rs::ui::export_figure(e, dir.filePath("d.pdf"));
    const QByteArray pdf = read_all(dir.filePath("d.pdf"));
    QVERIFY(pdf.startsWith("%PDF"));
    QVERIFY(pdf.size() > 5000);
    QVERIFY2(!pdf.contains("/Subtype /Image"),
             "PDF export embeds a raster image instead of vector graphics");

    rs::ui::export_figure(e, dir.filePath("e.csv"));
    const QString csv = QString::fromUtf8(read_all(dir.filePath("e.csv")));
    QVERIFY(csv.endsWith(e.figure_csv()));
    for (const QString& p : e.figure_parameters())
        QVERIFY2(csv.contains("# " + p + "\n"), qPrintable(p));
}

// The spec series called `name`, or nullptr.
const rs::ui::ChartSeriesSpec* series_named(const rs::ui::ChartSpec& spec, const QString& name) {
    for (const auto& s : spec.series)
        if (s.name == name) return &s;
    return nullptr;
}

bool close(double a, double b, double tol = 1e-12) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

// Rows of a CSV text (no quoted commas in these tests' numeric rows).
QList<QStringList> csv_rows(const QString& csv) {
    QList<QStringList> rows;
    for (const QString& line : csv.split('\n', Qt::SkipEmptyParts)) rows << line.split(',');
    return rows;
}

}  // namespace

class TestChartViews : public QObject {
    Q_OBJECT
  private slots:
    // Issue 17, item 6: one click gives the paper's Figure 1; a YaRN chart neither ticks nor
    // mentions a closed form it does not draw; every setting is in the exported file.
    void curves_paper_preset_yarn_box_and_parameters() {
        rs::ui::CurvesView view;
        auto* paper = view.findChild<QPushButton*>("paper_fig1");
        QVERIFY(paper);
        paper->click();
        view.flush();
        const rs::DecaySettings s = *view.settings();
        QCOMPARE(s.bases, std::vector<double>{10000.0});
        QCOMPARE(s.head_dim, 128);
        QVERIFY(!s.log_distance);
        QCOMPARE(s.max_distance, 256.0);
        QCOMPARE(s.scaling, rs::DecayScaling::None);
        QVERIFY(view.spec().footnote.contains("Ci/Si closed form"));

        rs::DecaySettings yarn = s;
        yarn.scaling = rs::DecayScaling::Yarn;
        yarn.factor = 32;
        view.set_settings(yarn);
        view.flush();
        QCheckBox* closed = nullptr;
        for (QCheckBox* c : view.findChildren<QCheckBox*>())
            if (c->text().contains("closed form")) closed = c;
        QVERIFY(closed);
        QVERIFY(!closed->isChecked());
        QVERIFY(!closed->isEnabled());
        const QString foot = view.spec().footnote;
        QVERIFY2(!foot.contains("darker dotted"), qPrintable(foot));
        QVERIFY2(foot.contains("No closed form"), qPrintable(foot));
        view.set_settings(s);  // back to no scaling: the box is as the user left it
        view.flush();
        QVERIFY(closed->isChecked() && closed->isEnabled());

        view.set_settings(yarn);
        view.flush();
        QTemporaryDir dir;
        rs::ui::export_figure(view, dir.filePath("c.csv"));
        const QString csv = QString::fromUtf8(read_all(dir.filePath("c.csv")));
        for (const char* line : {"# bases: 10k\n", "# head dim: 128\n", "# scaling: YaRN ×32\n",
                                 "# distance: linear, 0 ≤ Δ ≤ 256\n", "# curves: exact sums\n"})
            QVERIFY2(csv.contains(QString::fromUtf8(line)), line);
    }

    // Gemma 3: full layers use the scaled global RoPE, sliding layers an unscaled local one. The
    // local base is drawn without the scaling, checked against the sum written out here.
    void curves_view_draws_the_local_base_unscaled() {
        rs::ui::CurvesView view;
        rs::RopeParams model;
        model.theta = 1e6;
        model.head_dim = 16;
        model.linear_factor = 2;
        view.set_model_rope(model, {}, {}, 10000.0);
        view.flush();
        rs::DecaySettings s = *view.settings();
        QCOMPARE(s.local_base, 10000.0);
        QCOMPARE(s.scaling, rs::DecayScaling::Linear);
        auto* box = view.findChild<QCheckBox*>("local_rope");
        QVERIFY(box && !box->isHidden() && box->isChecked());
        const auto spec = view.spec();
        const auto* local = series_named(spec, "b=10k local real Σcos");
        const auto* local_sin = series_named(spec, "b=10k local imag Σsin");
        const auto* global = series_named(spec, "b=1M real Σcos");
        QVERIFY(local && local_sin && global);
        const int half = 8;
        for (std::size_t i = 0; i < local->points.size(); i += 97) {
            const double d = local->points[i].x();
            double c = 0, sn = 0, cg = 0;
            for (int k = 0; k < half; ++k) {
                const double theta = std::pow(1e4, -2.0 * k / 16);  // unscaled
                c += std::cos(theta * d);
                sn += std::sin(theta * d);
                cg += std::cos(std::pow(1e6, -2.0 * k / 16) / 2 * d);  // linear PI x2
            }
            QVERIFY2(close(local->points[i].y(), c / half, 1e-12), qPrintable(QString::number(d)));
            QVERIFY(close(local_sin->points[i].y(), sn / half, 1e-12));
            QVERIFY(close(global->points[i].y(), cg / half, 1e-12));
        }
        QVERIFY2(spec.footnote.contains("b=10k local: the sliding-window layers"),
                 qPrintable(spec.footnote));
        QVERIFY(view.figure_parameters().contains(
            "local base (sliding-window layers, unscaled): 10k"));
        box->setChecked(false);  // the user turns it off: gone from chart and settings
        view.flush();
        QCOMPARE(view.settings()->local_base, 0.0);
        QVERIFY(!series_named(view.spec(), "b=10k local real Σcos"));
        QVERIFY(!view.spec().footnote.contains("local"));
        view.set_model_rope(model);  // a model without local RoPE: no box
        view.flush();
        QVERIFY(box->isHidden());
        QCOMPARE(view.settings()->local_base, 0.0);
    }

    // Heads of a model with another head dim or scaling than the theory drawn: a warning.
    void curves_overlay_on_another_theory_warns() {
        rs::ui::CurvesView view;
        rs::RopeParams model;
        model.theta = 10000;
        model.head_dim = 48;
        view.set_model_rope(model);
        view.set_overlay_heads({{0, 1}});
        view.flush();
        QVERIFY2(view.overlay_warning().isEmpty(), qPrintable(view.overlay_warning()));
        rs::DecaySettings s = *view.settings();
        s.head_dim = 128;
        view.set_settings(s);
        view.flush();
        QVERIFY2(view.overlay_warning().contains("head dim 48"),
                 qPrintable(view.overlay_warning()));
        s.head_dim = 48;
        s.scaling = rs::DecayScaling::Linear;
        s.factor = 4;
        view.set_settings(s);
        view.flush();
        QVERIFY2(view.overlay_warning().contains("no scaling"), qPrintable(view.overlay_warning()));
    }

    void heads_grid_shows_every_head_and_clicks_emit_it() {
        const Run run = run_fixture("rope_pp_ec_f32", 120);
        rs::ui::HeadsView view;
        QVERIFY(show_run(view, run, 1000, 460));
        QCOMPARE(view.threshold_index(), int(run.stats.thresholds.size()) / 2);
        const int ti = view.threshold_index();
        for (int l = 0; l < run.stats.layers; ++l)
            for (int h = 0; h < run.stats.heads; ++h)
                QCOMPARE(view.grid()->value(l, h),
                         run.stats.at(l, h).long_range_mass[std::size_t(ti)]);

        QSignalSpy spy(&view, &rs::ui::HeadsView::head_activated);
        for (const auto& [l, h] : {std::pair{0, 0}, std::pair{1, 3}, std::pair{1, 6}}) {
            const QPoint at = view.grid()->cell_center(l, h);
            QVERIFY(at.x() >= 0);
            QTest::mouseClick(view.grid(), Qt::LeftButton, {}, at);
            QCOMPARE(spy.count(), 1);
            QCOMPARE(spy.takeFirst(), (QList<QVariant>{l, h}));
        }
        // Interleaved columns: the same head is still found where it is drawn.
        view.set_arrangement(rs::ui::HeadArrangement::Interleaved);
        view.flush();
        QTest::mouseClick(view.grid(), Qt::LeftButton, {}, view.grid()->cell_center(1, 5));
        QCOMPARE(spy.takeFirst(), (QList<QVariant>{1, 5}));
        view.set_arrangement(rs::ui::HeadArrangement::Grouped);
        view.flush();
        save_screenshots(view, view, "heads_rope_pp_ec");
    }

    void heads_scatter_pairs_twins_and_clicks_emit_the_imaginary_head() {
        const Run run = run_fixture("rope_pp_ec_f32", 120);
        rs::ui::HeadsView view;
        QVERIFY(show_run(view, run, 1000, 460));
        // M(16), the first threshold of the old four-point grid: on the half-octave default grid
        // the short distances (M(1) ~ 0.95 for every head) would stack the points on each other.
        const auto& th = run.stats.thresholds;
        const int d16 = int(std::find(th.begin(), th.end(), 16) - th.begin());
        QVERIFY(d16 < int(th.size()));
        view.set_threshold_index(d16);
        view.flush();
        const auto spec = view.scatter_spec();
        const auto pairs = rs::ui::twin_pairs(&run.layout);
        QCOMPARE(int(pairs.size()), 4);  // EC: 4 query heads, each with a real and imaginary head
        QCOMPARE(int(spec.series.size()), run.stats.layers + 1);  // one per layer + the diagonal
        for (int l = 0; l < run.stats.layers; ++l) {
            const auto& s = spec.series[std::size_t(l)];
            QCOMPARE(s.tag, l);
            for (std::size_t i = 0; i < pairs.size(); ++i) {
                QCOMPARE(s.points[i].x(), run.stats.at(l, pairs[i].real).long_range_mass[std::size_t(d16)]);
                QCOMPARE(s.points[i].y(), run.stats.at(l, pairs[i].imag).long_range_mass[std::size_t(d16)]);
                QVERIFY(!run.layout.heads[std::size_t(pairs[i].real)].imag);
                QVERIFY(run.layout.heads[std::size_t(pairs[i].imag)].imag);
            }
        }
        QSignalSpy spy(&view, &rs::ui::HeadsView::head_activated);
        const QPoint at = view.scatter()->point_position(1, 2);
        QVERIFY(at.x() >= 0);
        // Click the widget actually drawn there (the chart's viewport inside the panel).
        QWidget* under = view.scatter()->childAt(at);
        QVERIFY(under);
        const QPoint local = under->mapFrom(view.scatter(), at);
        QTest::mouseMove(under, local);
        QTest::mouseClick(under, Qt::LeftButton, {}, local);
        // QtCharts reports the click through the chart's scene; wait for it.
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst(), (QList<QVariant>{1, pairs[2].imag}));
    }

    void heads_view_marks_virtual_heads_of_vanilla_rope() {
        const Run run = run_fixture("rope_f32", 120);
        rs::ui::HeadsView view;
        QVERIFY(show_run(view, run, 1000, 460));
        const auto cols =
            rs::ui::head_columns(&run.layout, run.stats.heads, rs::ui::HeadArrangement::Grouped);
        QCOMPARE(int(cols.size()), 8);
        for (int c = 0; c < 4; ++c)
            QVERIFY(!cols[std::size_t(c)].imag && !cols[std::size_t(c)].is_virtual);
        for (int c = 4; c < 8; ++c)
            QVERIFY(cols[std::size_t(c)].imag && cols[std::size_t(c)].is_virtual);
        QVERIFY(cols[4].starts_group);
        QVERIFY(cols[4].group_caption.contains("virtual"));
        save_screenshots(view, view, "heads_rope_vanilla");
    }

    void heads_grid_scales_to_a_large_model() {
        // A RoPE++_EC-like layout with 16 query heads (32 interleaved heads) and 24 layers.
        rs::HeadLayout layout;
        layout.variant = rs::Variant::RopePPEC;
        layout.head_dim = 128;
        layout.query_heads = 16;
        layout.kv_heads = 4;
        layout.model_heads = 32;
        for (int h = 0; h < 32; ++h) {
            rs::HeadInfo info;
            info.index = h;
            info.query_head = h / 2;
            info.kv_head = h / 8;
            info.imag = h % 2 == 1;
            info.twin = h % 2 ? h - 1 : h + 1;
            layout.heads.push_back(info);
        }
        rs::RunStats stats;
        stats.tokens = 4096;
        stats.layers = 24;
        stats.heads = 32;
        stats.thresholds = {16, 64, 256, 1024};
        stats.head.resize(24 * 32);
        stats.observed.assign(24 * 32, true);
        for (int l = 0; l < 24; ++l)
            for (int h = 0; h < 32; ++h) {
                const double base = (h % 2 ? 0.35 : 0.15) + 0.01 * l - 0.004 * (h / 2);
                stats.at(l, h).long_range_mass = {base * 2, base * 1.5, base, base * 0.5};
            }
        rs::ui::HeadsView view;
        view.resize(1400, 760);
        view.set_run(&stats, &layout);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.flush();
        const QSizeF natural = view.grid()->natural_size();
        QVERIFY(natural.width() < 1300 && natural.height() < 700);  // a figure, not a poster
        QSignalSpy spy(&view, &rs::ui::HeadsView::head_activated);
        QTest::mouseClick(view.grid(), Qt::LeftButton, {}, view.grid()->cell_center(23, 31));
        QCOMPARE(spy.takeFirst(), (QList<QVariant>{23, 31}));
        QTest::mouseClick(view.grid(), Qt::LeftButton, {}, view.grid()->cell_center(7, 16));
        QCOMPARE(spy.takeFirst(), (QList<QVariant>{7, 16}));
        QCOMPARE(view.scatter_spec().series.size(), std::size_t(25));  // 24 layers + diagonal
        save_screenshots(view, view, "heads_large");
    }

    void heads_view_exports() {
        const Run run = run_fixture("rope_pp_ec_f32", 120);
        rs::ui::HeadsView view;
        view.set_run(&run.stats, &run.layout);
        view.flush();
        check_exports(view);
        const auto rows = csv_rows(view.figure_csv());
        QCOMPARE(rows.size(), 1 + run.stats.layers * run.stats.heads);
        QCOMPARE(rows[0].mid(0, 6),
                 (QStringList{"layer", "head", "label", "kind", "twin", "observed"}));
        const int col = 6 + 1;  // M at the second threshold
        QCOMPARE(rows[0][col], QString("M(D=%1)").arg(run.stats.thresholds[1]));
        // Row of layer 1, head 5.
        const QStringList& r = rows[1 + 1 * run.stats.heads + 5];
        QCOMPARE(r[0], QString("1"));
        QCOMPARE(r[1], QString("5"));
        QCOMPARE(r[3], QString("imag"));
        QVERIFY(std::abs(r[col].toDouble() - run.stats.at(1, 5).long_range_mass[1]) < 1e-11);
    }

    void moving_average_skips_missing_values() {
        const double nan = std::nan("");
        const std::vector<double> in{1, 2, 3, nan, 5, 6};
        const auto out = rs::ui::moving_average(in, 3);
        QCOMPARE(out[0], 1.5);        // (1 + 2) / 2 at the edge
        QCOMPARE(out[1], 2.0);        // (1 + 2 + 3) / 3
        QCOMPARE(out[2], 2.5);        // (2 + 3) / 2, the NaN skipped
        QVERIFY(std::isnan(out[3]));  // missing stays missing
        QCOMPARE(out[4], 5.5);
        QCOMPARE(rs::ui::moving_average(in, 1)[4], 5.0);
    }

    // The bases field reads the list grammar of core/io/number_list.h (tests/test_number_list.cpp).
    void base_lists_parse_with_suffixes_and_reject_nonsense() {
        rs::ui::CurvesView view;
        auto* edit = view.findChild<QLineEdit*>();
        QVERIFY(edit);
        edit->setText("10k, 5e5 ,1M,2500");
        view.flush();
        QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
        QCOMPARE(view.settings()->bases, (std::vector<double>{1e4, 5e5, 1e6, 2500}));
        for (const char* bad : {"10000, abc", "0.5", "  ", "10000 500000", "2,3,4,5,6,7,8,9,10"}) {
            edit->setText(bad);
            view.flush();
            QVERIFY2(!view.settings(), bad);
            QVERIFY2(view.error().startsWith("Bases "), qPrintable(view.error()));
        }
        QVERIFY(view.error().contains("at most 8"));
        QCOMPARE(rs::ui::format_base(1e4), QString("10k"));
        QCOMPARE(rs::ui::format_base(5e5), QString("500k"));
        QCOMPARE(rs::ui::format_base(1e6), QString("1M"));
    }

    void curves_view_plots_the_theory_of_every_base() {
        rs::ui::CurvesView view;
        view.resize(1100, 620);
        rs::DecaySettings s;
        s.bases = {10000.0, 500000.0};
        s.head_dim = 64;
        s.max_distance = 8192;
        view.set_settings(s);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.flush();
        QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
        const auto spec = view.spec();
        QCOMPARE(int(spec.series.size()), 8);  // 2 bases x (Σcos, Σsin, Ci, Si)
        const auto distances = rs::decay_distances(8192, true);
        rs::RopeParams proto;
        proto.head_dim = 64;
        const auto family = rs::curve_family(proto, s.bases, distances);
        for (std::size_t b = 0; b < 2; ++b) {
            const QString name = "b=" + rs::ui::format_base(s.bases[b]);
            const auto* re = series_named(spec, name + " real Σcos");
            const auto* im = series_named(spec, name + " imag Σsin");
            const auto* ci = series_named(spec, name + " real Ci form");
            QVERIFY(re && im && ci);
            QCOMPARE(re->points.size(), distances.size());
            for (std::size_t i = 0; i < distances.size(); i += 97) {
                QCOMPARE(re->points[i].x(), distances[i]);
                QVERIFY(close(re->points[i].y(), family[b].real_sum[i] / 32.0));
                QVERIFY(close(im->points[i].y(), family[b].imag_sum[i] / 32.0));
                QVERIFY(close(ci->points[i].y(), family[b].real_closed[i] / 32.0));
            }
            QVERIFY(close(re->points[0].y(), family[b].real_sum[0] / 32.0));
        }
        // Closed form off, linear axis: half the series, distances from 0.
        s.closed_form = false;
        s.log_distance = false;
        view.set_settings(s);
        view.flush();
        QCOMPARE(int(view.spec().series.size()), 4);
        QCOMPARE(view.spec().series[0].points.front().x(), 0.0);
        QCOMPARE(view.spec().series[0].points.front().y(), 1.0);  // Σcos(0)/(d/2) = 1
        save_screenshots(view, view, "curves_theory");

        // A bad base list is reported and nothing is plotted.
        auto* edit = view.findChild<QLineEdit*>();
        QVERIFY(edit);
        edit->setText("10000, banana");
        view.flush();
        QVERIFY(view.error().contains("banana"));
        QVERIFY(!view.spec().has_points());
    }

    void curves_view_overlays_heads_from_a_run() {
        const Run run = run_fixture("rope_pp_ec_f32", 200);
        const rs::RopeParams rope = run.model->checkpoint().config().rope_params();
        rs::ui::CurvesView view;
        view.resize(1100, 620);
        view.set_model_rope(rope);
        rs::DecaySettings s = *view.settings();
        QCOMPARE(s.bases.front(), rope.theta);
        QCOMPARE(s.head_dim, run.layout.head_dim);
        s.max_distance = 256;
        view.set_settings(s);
        view.set_run(&run.stats, &run.layout);
        view.set_overlay_heads({{1, 2}, {1, 3}});  // q1 real and its imaginary twin
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.flush();
        QVERIFY2(view.error().isEmpty(), qPrintable(view.error()));
        const auto spec = view.spec();
        const auto inv_freq = rs::make_rope_spectrum(rope).inv_freq;
        for (int head : {2, 3}) {
            const QString label =
                QString("L1 ") +
                QString("h%1 (%2)").arg(head).arg(QString::fromStdString(run.layout.label(head)));
            const auto* measured = series_named(spec, label + " measured");
            const auto* expected = series_named(spec, label + " from cᵢ");
            QVERIFY2(measured && expected, qPrintable(label));
            const rs::HeadStats& hs = run.stats.at(1, head);
            double total = 0;
            for (std::size_t k = 0; k < hs.freq_re.size(); ++k)
                total += std::hypot(hs.freq_re[k], hs.freq_im[k]);
            const double scale = run.stats.logit_scale * total;
            std::size_t m = 0;
            for (std::size_t b = 0; b < hs.bin_logit.size(); ++b) {
                if (hs.bin_pairs[b] <= 0) continue;
                QVERIFY(close(measured->points[m].x(),
                              rs::bin_centre(run.stats.bin_edges, b, run.stats.tokens)));
                QVERIFY(close(measured->points[m].y(), (hs.bin_logit[b] - hs.passthrough) / scale,
                              1e-9));
                ++m;
            }
            QCOMPARE(m, measured->points.size());
            for (const QPointF& p : expected->points)
                QVERIFY(close(
                    p.y(),
                    (run.stats.expected_logit(1, head, inv_freq, p.x()) - hs.passthrough) / scale,
                    1e-9));
        }
        // Bin [1, 2) holds distance 1 only; [2, 4) holds 2 and 3, weighted by their pair counts.
        QCOMPARE(rs::bin_centre({0, 1, 2, 4}, 1, 10), 1.0);
        QVERIFY(close(rs::bin_centre({0, 1, 2, 4}, 2, 10), (2.0 * 8 + 3.0 * 7) / 15));
        save_screenshots(view, view, "curves_overlay");
        check_exports(view);
        const auto rows = csv_rows(view.figure_csv());
        QCOMPARE(rows[0], (QStringList{"series", "distance Δ (tokens)",
                                       "normalised logit (1 = all pairs aligned)"}));
    }

    void long_range_view_means_real_and_imaginary_heads() {
        const Run run = run_fixture("rope_pp_ec_f32", 300);
        rs::ui::LongRangeView view;
        view.resize(800, 520);
        view.set_run(&run.stats, &run.layout);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (int layer : {-1, 1}) {
            view.set_layer(layer);
            view.flush();
            const auto spec = view.spec();
            const auto* real_mean = series_named(spec, "real heads (mean)");
            const auto* imag_mean = series_named(spec, "imaginary heads (mean)");
            QVERIFY(real_mean && imag_mean);
            QCOMPARE(spec.x.scale, rs::ui::AxisScale::Log);
            for (std::size_t t = 0; t < run.stats.thresholds.size(); ++t) {
                double re = 0, im = 0;
                int nre = 0, nim = 0;
                for (int l = 0; l < run.stats.layers; ++l) {
                    if (layer >= 0 && l != layer) continue;
                    for (int h = 0; h < run.stats.heads; ++h) {
                        const double m = run.stats.at(l, h).long_range_mass[t];
                        if (run.layout.heads[std::size_t(h)].imag)
                            im += m, ++nim;
                        else
                            re += m, ++nre;
                    }
                }
                QCOMPARE(real_mean->points[t].x(), double(run.stats.thresholds[t]));
                QVERIFY(close(real_mean->points[t].y(), re / nre));
                QVERIFY(close(imag_mean->points[t].y(), im / nim));
            }
        }
        view.set_show_heads(true);
        view.set_layer(0);
        view.flush();
        QCOMPARE(int(view.spec().series.size()), 2 + run.stats.heads);
        QCOMPARE(view.spec().series[5].points[0].y(), run.stats.at(0, 5).long_range_mass[0]);
        QCOMPARE(view.spec().series.back().name, QString("imaginary heads (mean)"));
        save_screenshots(view, view, "long_range");
        check_exports(view);
        QCOMPARE(csv_rows(view.figure_csv()).size(),
                 1 + int(run.stats.thresholds.size()) * (2 + run.stats.heads));
    }

    // docs/sample-study/rope_pp_ec-long-range.png said "... (mean over layers) — 3486 to...".
    void exported_titles_are_never_elided() {
        const QFont font = rs::ui::chart_font(14, true);
        const QString title = "Attention mass beyond distance D (mean over layers) — 3486 tokens";
        QCOMPARE(rs::ui::fitted_chart_title(title, font, 2000), title);
        const QString wrapped = rs::ui::fitted_chart_title(title, font, 200);
        const QStringList lines =
            QString(wrapped).remove(QRegularExpression("</?div[^>]*>")).split("<br>");
        QVERIFY2(lines.size() >= 3, qPrintable(wrapped));
        for (const QString& line : lines)
            QVERIFY2(QFontMetricsF(font).horizontalAdvance(line) <= 200, qPrintable(line));
        QCOMPARE(lines.join(' '), QString(title).remove(" —"));

        // The whole title reaches the exported SVG's text.
        const Run run = run_fixture("rope_pp_ec_f32", 3486);
        rs::ui::LongRangeView view;
        view.set_run(&run.stats, &run.layout);
        view.flush();
        QVERIFY(view.spec().title.endsWith("(mean over layers) — 3486 tokens"));
        QTemporaryDir dir;
        rs::ui::export_figure(view, dir.filePath("t.svg"));
        QXmlStreamReader xml(read_all(dir.filePath("t.svg")));
        QString text;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::Characters) text += xml.text() + ' ';
        QVERIFY2(text.contains("3486") && text.contains("tokens"), qPrintable(text));
        QVERIFY2(!text.contains("..."), qPrintable(text));
    }

    // Issue 17, item 6: a spike far beyond the rest does not set the automatic y range (the
    // caption counts what is left out), and the user sets x/y ranges from the context menu.
    void chart_ranges_are_robust_and_user_set() {
        rs::ui::ChartSpec spec;
        spec.title = "loss";
        spec.x.title = "position";
        spec.y.title = "loss";
        rs::ui::ChartSeriesSpec a, b;
        a.name = "raw";
        b.name = "smoothed";
        for (int i = 0; i < 200; ++i) {
            a.points.emplace_back(i, 2.0 + std::sin(i * 0.1));
            b.points.emplace_back(i, 2.0 + 0.5 * std::sin(i * 0.1));
        }
        a.points[3].setY(1e6);  // one spike (a loss of 1e6 flattened the whole curve)
        spec.series = {a, b};
        rs::ui::ChartPanel panel;
        panel.resize(600, 400);
        panel.set_spec(spec);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.flush();
        QVERIFY(rs::ui::chart_axis_range(spec, 1).max >= 1e6);  // the spec alone: the spike
        const rs::ui::ChartSpec shown = panel.adjusted(spec);
        QVERIFY2(rs::ui::chart_axis_range(shown, 1).max <= 4.0,
                 qPrintable(QString::number(rs::ui::chart_axis_range(shown, 1).max)));
        QVERIFY2(shown.footnote.contains(
                     "1 point beyond the y range is not shown (outliers left out of the "
                     "automatic range)."),
                 qPrintable(shown.footnote));
        // A smooth series has no outliers: its range is its extent.
        rs::ui::ChartSpec smooth = spec;
        smooth.series[0].points[3].setY(2.0);
        QVERIFY(!panel.adjusted(smooth).footnote.contains("not shown"));
        QVERIFY(rs::ui::chart_axis_range(panel.adjusted(smooth), 1).min <= 1.0);

        // A right-click on the plot opens the panel's menu.
        auto* plot = panel.findChild<QtCharts::QChartView*>()->viewport();
        QContextMenuEvent click(QContextMenuEvent::Mouse, plot->rect().center(),
                                plot->mapToGlobal(plot->rect().center()));
        QApplication::sendEvent(plot, &click);
        QTRY_VERIFY(panel.findChild<QMenu*>() && panel.findChild<QMenu*>()->isVisible());
        panel.findChild<QMenu*>()->close();
        QTRY_VERIFY(!panel.findChild<QMenu*>());
        save_screenshots(panel, panel, "chart_outlier_clipped");

        // The context menu turns it off: the whole range again.
        std::unique_ptr<QMenu> menu(panel.make_context_menu());
        QAction* outliers = nullptr;
        QAction* reset = nullptr;
        QAction* ranges = nullptr;
        for (QAction* act : menu->actions()) {
            if (act->text().startsWith("Leave outliers")) outliers = act;
            if (act->text().startsWith("Reset axes")) reset = act;
            if (act->text().startsWith("Axis ranges")) ranges = act;
        }
        QVERIFY(outliers && reset && ranges);
        QVERIFY(outliers->isChecked());
        outliers->trigger();
        QVERIFY(!panel.adjustments().ignore_outliers);
        QVERIFY(rs::ui::chart_axis_range(panel.adjusted(spec), 1).max >= 1e6);

        // Axis ranges typed into the dialog; nonsense is refused in place.
        ranges->trigger();
        auto* dialog = panel.findChild<QDialog*>();
        QVERIFY(dialog && dialog->isVisible());
        auto field = [&](const char* name) { return dialog->findChild<QLineEdit*>(name); };
        QVERIFY(field("x_min") && field("x_max") && field("y_min") && field("y_max"));
        auto* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        field("y_min")->setText("3");
        field("y_max")->setText("1");
        ok->click();
        QVERIFY(dialog->isVisible());  // min above max: refused, dialog stays
        field("y_min")->setText("abc");
        ok->click();
        QVERIFY(dialog->isVisible());
        QVERIFY(!panel.adjustments().y.max);
        field("x_min")->setText("10");
        field("x_max")->setText("100");
        field("y_min")->setText("0");
        field("y_max")->setText("2.5");
        ok->click();
        QTRY_VERIFY(!panel.findChild<QDialog*>());
        QCOMPARE(panel.adjustments().y.max, std::optional<double>(2.5));
        const rs::ui::ChartSpec set = panel.adjusted(spec);
        QCOMPARE(rs::ui::chart_axis_range(set, 0).min, 10.0);
        QCOMPARE(rs::ui::chart_axis_range(set, 0).max, 100.0);
        QCOMPARE(rs::ui::chart_axis_range(set, 1).max, 2.5);
        QVERIFY2(set.footnote.contains("beyond the y range are not shown (range set by hand)") &&
                     set.footnote.contains("beyond the x range set by hand are not shown"),
                 qPrintable(set.footnote));
        // What is drawn and exported follows: the axis of the live chart, the figure's footnote.
        panel.flush();
        QTemporaryDir dir;
        rs::ui::export_figure(panel, dir.filePath("r.svg"));
        QVERIFY(svg_text(dir.filePath("r.svg")).contains("range set by hand"));
        reset->trigger();
        QVERIFY(!panel.adjustments().y.max && !panel.adjustments().x.min);
        QVERIFY(panel.adjustments().ignore_outliers);
    }

    // Issue 17, item 6: a click on a legend entry hides its series (greyed in the legend, a click
    // brings it back); the export leaves it out and says so.
    void legend_clicks_hide_and_show_series() {
        const Run run = run_fixture("rope_pp_ec_f32", 300);
        rs::ui::LongRangeView view;
        QVERIFY(show_run(view, run, 800, 520));
        rs::ui::ChartLegendWidget* legend = view.chart()->legend();
        QVERIFY(legend && legend->isVisible());
        int imag = -1;
        for (int i = 0; i < int(legend->entries().size()); ++i)
            if (legend->entries()[std::size_t(i)].name == "imaginary heads (mean)") imag = i;
        QVERIFY(imag >= 0);
        QTest::mouseClick(legend, Qt::LeftButton, {}, legend->entry_rect(imag).center().toPoint());
        QCOMPARE(view.chart()->adjustments().hidden, QStringList{"imaginary heads (mean)"});
        view.flush();
        QVERIFY(legend->entries()[std::size_t(imag)].hidden);
        const QString csv = view.figure_csv();
        QVERIFY(csv.contains("real heads (mean)"));
        QVERIFY(!csv.contains("imaginary heads (mean)"));
        QTemporaryDir dir;
        rs::ui::export_figure(view, dir.filePath("h.svg"));
        const QString svg = svg_text(dir.filePath("h.svg"));
        QVERIFY2(svg.contains("Hidden series (not shown): imaginary heads (mean)."), qPrintable(svg));
        save_screenshots(view, view, "long_range_hidden_series");
        // The view's own spec still has it; a second click brings it back.
        QVERIFY(series_named(view.spec(), "imaginary heads (mean)"));
        QTest::mouseClick(legend, Qt::LeftButton, {}, legend->entry_rect(imag).center().toPoint());
        QVERIFY(view.chart()->adjustments().hidden.isEmpty());
        QVERIFY(view.figure_csv().contains("imaginary heads (mean)"));
    }

    // The chart on screen wraps a title wider than itself instead of eliding it ("… 256 tok…").
    void on_screen_titles_are_never_elided() {
        const Run run = run_fixture("rope_pp_ec_f32", 256);
        rs::ui::LongRangeView view;
        QVERIFY(show_run(view, run, 330, 420));
        auto* chart_view = view.findChild<QtCharts::QChartView*>();
        QVERIFY(chart_view);
        const QString title = chart_view->chart()->title();
        QVERIFY2(title.contains("<br>") && title.contains("256 tokens"), qPrintable(title));
        view.resize(1600, 420);
        QApplication::processEvents();
        QVERIFY(chart_view->chart()->title().endsWith("— 256 tokens"));
        // And the export, at the width the PNG is made.
        QTemporaryDir dir;
        rs::ui::export_figure(view, dir.filePath("t.svg"));
        const QString text = svg_text(dir.filePath("t.svg"));
        QVERIFY2(text.contains("256 tokens") && !text.contains("…") && !text.contains("..."),
                 qPrintable(text));
    }

    void long_range_view_names_virtual_heads() {
        const Run run = run_fixture("rope_f32", 300);
        rs::ui::LongRangeView view;
        view.set_run(&run.stats, &run.layout);
        view.flush();
        QVERIFY(series_named(view.spec(), "virtual imaginary heads (mean)"));
        QVERIFY(view.spec().footnote.contains("virtual", Qt::CaseInsensitive));
    }

    void perplexity_view_plots_raw_and_smoothed_loss() {
        rs::Model model(rs::test::open_fixture("rope_pp_eh_f32"));
        rs::PositionNllOptions opt;
        opt.context = 96;
        const rs::PositionNll nll = rs::nll_by_position(model, rs::test::fixture_ids(400), opt);
        rs::ui::PerplexityView view;
        view.resize(820, 520);
        view.set_nll(&nll);
        view.set_smoothing(9);
        view.set_training_context(64);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.flush();
        auto spec = view.spec();
        QCOMPARE(int(spec.series.size()), 2);
        QCOMPARE(spec.series[0].points.size(), nll.mean_nll.size());
        const auto smooth = rs::ui::moving_average(nll.mean_nll, 9);
        for (std::size_t t = 0; t < nll.mean_nll.size(); ++t) {
            QCOMPARE(spec.series[0].points[t].x(), double(t + 1));
            QCOMPARE(spec.series[0].points[t].y(), nll.mean_nll[t]);
            QVERIFY(close(spec.series[1].points[t].y(), smooth[t]));
        }
        QCOMPARE(int(spec.markers.size()), 1);
        QCOMPARE(spec.markers[0].x, 64.0);
        // The position axis ends at the window length, not at the next round tick (100).
        QCOMPARE(rs::ui::chart_axis_range(spec, 0).max, 96.0);
        save_screenshots(view, view, "perplexity_nll");
        check_exports(view);

        view.set_scale(rs::ui::LossScale::Perplexity);
        view.flush();
        spec = view.spec();
        QVERIFY(close(spec.series[0].points[10].y(), std::exp(nll.mean_nll[10])));
        QVERIFY(close(spec.series[1].points[10].y(), std::exp(smooth[10])));
        QVERIFY(spec.y.title.contains("perplexity"));
        // Issue 17, item 6: a log loss axis, so a spike does not flatten the rest; its
        // setting is in the export.
        QCOMPARE(spec.y.scale, rs::ui::AxisScale::Linear);
        view.set_log_loss(true);
        view.flush();
        QCOMPARE(view.spec().y.scale, rs::ui::AxisScale::Log);
        QVERIFY(view.figure_parameters().contains("loss axis: log"));
        QVERIFY(rs::ui::chart_axis_range(view.spec(), 1).min > 0);
        view.set_log_loss(false);
        view.flush();
        save_screenshots(view, view, "perplexity_ppl");
        const auto rows = csv_rows(view.figure_csv());
        QCOMPARE(rows.size(), 1 + 2 * int(nll.mean_nll.size()));
    }

    void noise_view_plots_delta_loss_and_mass_by_target() {
        rs::Model model(rs::test::open_fixture("rope_pp_ec_f32"));
        rs::NoiseOptions opt;
        opt.sigmas = {0.5, 1.0, 2.0};
        opt.targets = {rs::NoiseTarget::Real, rs::NoiseTarget::Imag, rs::NoiseTarget::Both};
        opt.seed = 3;
        const rs::NoiseSweep sweep = rs::run_noise_experiment(model, rs::test::fixture_ids(160), opt);
        rs::ui::NoiseView view;
        view.resize(1100, 500);
        view.set_sweep(&sweep, &model.layout());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.flush();
        const auto loss = view.loss_spec();
        QCOMPARE(int(loss.series.size()), 3);
        const int ti = view.threshold_index();
        QVERIFY(ti >= 0);
        const auto mass = view.mass_spec();
        QCOMPARE(int(mass.series.size()), 6);
        for (int k = 0; k < 3; ++k) {
            const auto& s = loss.series[std::size_t(k)];
            QCOMPARE(s.points.size(), std::size_t(4));
            QCOMPARE(s.points[0], QPointF(0, 0));
            const auto& re = mass.series[std::size_t(2 * k)];
            const auto& im = mass.series[std::size_t(2 * k + 1)];
            QCOMPARE(re.points[0].y(), sweep.baseline_mass_real[std::size_t(ti)]);
            QCOMPARE(im.points[0].y(), sweep.baseline_mass_imag[std::size_t(ti)]);
            for (const rs::NoisePoint& p : sweep.points) {
                if (int(p.target) != s.tag) continue;
                const auto at = std::find_if(s.points.begin(), s.points.end(),
                                             [&](const QPointF& q) { return q.x() == p.sigma; });
                QVERIFY(at != s.points.end());
                QCOMPARE(at->y(), p.delta_nll);
                const std::size_t i = std::size_t(at - s.points.begin());
                QCOMPARE(re.points[i].y(), p.long_range_mass_real[std::size_t(ti)]);
                QCOMPARE(im.points[i].y(), p.long_range_mass_imag[std::size_t(ti)]);
            }
        }
        save_screenshots(view, view, "noise");
        check_exports(view);
        const auto rows = csv_rows(view.figure_csv());
        QCOMPARE(rows.size(), 2 + int(sweep.points.size()));  // header, baseline, one per point
        QCOMPARE(rows[1][0], QString("baseline"));
    }

    // Over several seeds the CSV carries each point's seed count, mean, s.d. and 95% t interval,
    // recomputed here from the individual sweeps; the mass chart draws the same seed means.
    void noise_view_csv_has_the_seed_intervals_the_charts_draw() {
        rs::Model model(rs::test::open_fixture("rope_pp_ec_f32"));
        std::vector<rs::NoiseSweep> sweeps;
        for (std::uint64_t seed : {5u, 6u, 7u}) {
            rs::NoiseOptions opt;
            opt.sigmas = {1.0};
            opt.targets = {rs::NoiseTarget::Imag};
            opt.seed = seed;
            sweeps.push_back(rs::run_noise_experiment(model, rs::test::fixture_ids(96), opt));
        }
        rs::ui::NoiseView view;
        view.set_sweeps(sweeps, &model.layout());
        view.flush();
        QCOMPARE(view.seeds(), 3);
        std::vector<double> delta, mass;
        const int ti = view.threshold_index();
        for (const auto& w : sweeps) {
            delta.push_back(w.points[0].delta_nll);
            mass.push_back(w.points[0].long_range_mass_imag[std::size_t(ti)]);
        }
        const rs::SeedInterval d = rs::seed_interval_95(delta), m = rs::seed_interval_95(mass);
        QVERIFY(d.sd > 0);  // the seeds differ, so the interval is not degenerate
        const auto rows = csv_rows(view.figure_csv());
        QCOMPARE(rows.size(), 3);
        const QStringList& h = rows[0];
        const auto at = [&](const QString& col) { return rows[2][int(h.indexOf(col))].toDouble(); };
        QCOMPARE(rows[2][int(h.indexOf("seeds"))], QString("3"));
        QCOMPARE(at("delta_nll"), d.mean);
        QCOMPARE(at("delta_nll_sd"), d.sd);
        QCOMPARE(at("delta_nll_ci_low"), d.lo);
        QCOMPARE(at("delta_nll_ci_high"), d.hi);
        const int D = sweeps[0].thresholds[std::size_t(ti)];
        QCOMPARE(at(QString("M_imag(D=%1)").arg(D)), m.mean);
        QCOMPARE(at(QString("M_imag(D=%1)_ci_low").arg(D)), m.lo);
        const auto spec = view.mass_spec();
        QCOMPARE(spec.series[1].points.back().y(), m.mean);
    }

    void views_without_data_show_a_message_and_still_export() {
        rs::ui::HeadsView heads;
        rs::ui::LongRangeView range;
        rs::ui::PerplexityView ppl;
        rs::ui::NoiseView noise;
        QVERIFY(!range.spec().has_points() && !range.spec().empty_message.isEmpty());
        QVERIFY(!ppl.spec().has_points() && !ppl.spec().empty_message.isEmpty());
        QVERIFY(!noise.loss_spec().has_points());
        QTemporaryDir dir;
        for (const rs::ui::Exportable* e :
             std::initializer_list<const rs::ui::Exportable*>{&heads, &range, &ppl, &noise}) {
            rs::ui::export_figure(*e, dir.filePath(e->figure_name() + ".svg"));
            rs::ui::export_figure(*e, dir.filePath(e->figure_name() + ".csv"));
        }
        range.resize(560, 400);
        range.show();
        QVERIFY(QTest::qWaitForWindowExposed(&range));
        range.flush();
        save_screenshots(range, range, "long_range_empty");
    }
};

QTEST_MAIN(TestChartViews)
#include "test_chart_views.moc"
