// The Compare view (issue 16, item 5) on a small study made here by the real study code (two
// fixture checkpoints x {none, pi_factor=4} x 5 texts): the series it draws, the interval bands
// and per-text values against the aggregates stored in the study file (read with HDF5 directly),
// exports, and a file that is not a study or is damaged.
#include <QFile>
#include <QMessageBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "compare_view.h"
#include "error.h"
#include "figure_export.h"
#include "gui_fixtures.h"
#include "hdf5_io.h"
#include "isolated_state.h"
#include "main_window.h"
#include "study_comparison.h"
#include "study_run.h"

using namespace rs;
using namespace rs::ui;

namespace {

// A dataset of the study file as float64, read with HDF5 itself (not through core/study).
std::vector<double> stored(const QString& file, const std::string& dataset) {
    h5::Handle f = h5::open_file_read(file.toStdString());
    h5::Handle d = h5::open_dataset(f.get(), dataset);
    return h5::read_array<double>(d.get());
}

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

}  // namespace

class TestCompareView : public QObject {
    Q_OBJECT
  private:
    std::unique_ptr<IsolatedState> state_;  // the main window's settings stay out of the user's
    QTemporaryDir tmp_;
    QString study_;
    std::shared_ptr<const StudyComparison> loaded_;

  private slots:
    void initTestCase();
    void mass_draws_every_checkpoint_setting_and_part();
    void bands_are_the_stored_aggregates();
    void twins_are_the_stored_head_means();
    void nll_is_the_stored_per_text_values();
    void nll_by_position_is_the_stored_bucket_aggregates();
    void setting_filter_keeps_one_setting();
    void exports_write_files_and_the_csv_holds_the_study_values();
    void a_file_that_is_not_a_study_is_refused_naming_it();
    void main_window_opens_a_study_in_the_compare_tab();
};

void TestCompareView::initTestCase() {
    state_ = std::make_unique<IsolatedState>();
    QVERIFY(tmp_.isValid());
    const QString corpus = tmp_.filePath("corpus.json");
    rs::test::write_ids_corpus(corpus, 5, 40);
    StudyRequest r;
    r.checkpoints = {rs::test::fixture_dir("rope_f32"), rs::test::fixture_dir("rope_pp_ec_f32")};
    r.settings = {"none", "pi_factor=4"};
    r.corpus = corpus.toStdString();
    r.bootstrap = 200;
    r.seed = 3;
    study_ = tmp_.filePath("study.h5");
    run_study(plan_study(r), study_.toStdString(), {});
    loaded_ = std::make_shared<const StudyComparison>(load_study_comparison(study_));
}

void TestCompareView::mass_draws_every_checkpoint_setting_and_part() {
    CompareView view;
    view.set_study(loaded_);
    view.flush();
    QCOMPARE(view.figure(), CompareFigure::Mass);
    QCOMPARE(view.family(), QString("M"));
    const ChartSpec spec = view.spec();
    // 2 checkpoints x 2 settings x 2 parts means, each with a low and a high bound.
    QCOMPARE(int(spec.series.size()), 2 * 2 * 2 * 3);
    int legend = 0;
    for (const auto& s : spec.series) {
        legend += s.in_legend;
        QCOMPARE(int(s.points.size()), int(loaded_->header().thresholds.size()));
    }
    QCOMPARE(legend, 8);
    view.set_parts(CompareParts::Imag);
    QCOMPARE(int(view.spec().series.size()), 2 * 2 * 3);
    QVERIFY(view.set_family("M_ex4"));
    QVERIFY(!view.set_family("nonsense"));
    QCOMPARE(view.family(), QString("M_ex4"));
}

void TestCompareView::bands_are_the_stored_aggregates() {
    const auto mean = stored(study_, "summary/mean");
    const auto low = stored(study_, "summary/ci_low");
    const auto high = stored(study_, "summary/ci_high");
    const auto& h = loaded_->header();
    const std::size_t S = h.settings.size(), K1 = h.statistics.size() + 1;
    for (const QString family : {"M", "M_ex4"}) {
        const ChartSpec spec = compare_mass_chart(*loaded_, family, CompareParts::Both);
        const auto columns = mass_family_columns(h, family);
        QCOMPARE(columns.size(), h.thresholds.size());
        const std::size_t means = spec.series.size() / 3;  // bounds first, then the means
        int checked = 0;
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t s = 0; s < S; ++s)
                for (std::size_t part = 0; part < 2; ++part) {
                    const std::size_t i = (c * S + s) * 2 + part;
                    const auto& lo = spec.series[2 * i];
                    const auto& hi = spec.series[2 * i + 1];
                    const auto& m = spec.series[2 * means + i];
                    QVERIFY(m.name.contains(part ? "imag" : "real"));
                    for (std::size_t t = 0; t < columns.size(); ++t) {
                        const std::size_t at = ((c * S + s) * 2 + part) * K1 + std::size_t(columns[t].second);
                        QCOMPARE(m.points[t].x(), double(columns[t].first));
                        QVERIFY2(same(m.points[t].y(), mean[at]), qPrintable(m.name));
                        QVERIFY(same(lo.points[t].y(), low[at]));
                        QVERIFY(same(hi.points[t].y(), high[at]));
                        checked += std::isfinite(low[at]) && low[at] < high[at];
                    }
                }
        QVERIFY2(checked > 20, "the bands must have width somewhere");
    }
}

void TestCompareView::twins_are_the_stored_head_means() {
    const auto& h = loaded_->header();
    const ChartSpec spec = compare_twin_chart(*loaded_, "mean_distance");
    QCOMPARE(int(spec.series.size()), 2 * 2 + 1);  // checkpoint x setting, then y = x
    QCOMPARE(spec.series.back().name, QString("y = x"));
    const int k = loaded_->statistic_index("mean_distance");
    const std::size_t K = h.statistics.size();
    for (int c = 0; c < 2; ++c) {
        const auto& ck = h.checkpoints[std::size_t(c)];
        const auto mean = stored(study_, "checkpoints/c0" + std::to_string(c) + "/heads/mean");
        const std::size_t L = std::size_t(ck.layers), H = std::size_t(ck.heads);
        for (std::size_t s = 0; s < 2; ++s) {
            const auto& series = spec.series[std::size_t(c) * 2 + s];
            std::size_t p = 0;
            for (std::size_t l = 0; l < L; ++l)
                for (std::size_t head = 0; head < H; ++head) {
                    if (!ck.imag[head] || ck.twin[head] < 0) continue;
                    const auto at = [&](std::size_t hh) { return mean[((s * L + l) * H + hh) * K + std::size_t(k)]; };
                    QVERIFY(p < series.points.size());
                    QCOMPARE(series.points[p].x(), at(std::size_t(ck.twin[head])));
                    QCOMPARE(series.points[p].y(), at(head));
                    ++p;
                }
            QCOMPARE(p, series.points.size());
            QVERIFY(p > 0);
        }
    }
}

void TestCompareView::nll_is_the_stored_per_text_values() {
    const ChartSpec spec = compare_nll_chart(*loaded_);
    QCOMPARE(int(spec.series.size()), 2 * 2 * 2);  // per-text lines, then their means
    QVERIFY(spec.footnote.contains("position figure"));
    for (int c = 0; c < 2; ++c) {
        const auto values = stored(study_, "checkpoints/c0" + std::to_string(c) + "/nll/values");
        const auto mean = stored(study_, "checkpoints/c0" + std::to_string(c) + "/nll/mean");
        for (int s = 0; s < 2; ++s) {
            const auto& series = spec.series[std::size_t(c * 2 + s)];
            QCOMPARE(int(series.points.size()), 5);
            for (int x = 0; x < 5; ++x) QCOMPARE(series.points[std::size_t(x)].y(), values[std::size_t(s * 5 + x)]);
            QCOMPARE(spec.series[std::size_t(4 + c * 2 + s)].points[0].y(), mean[std::size_t(s)]);
        }
    }
}

// Means and interval lines at each bucket's middle equal /checkpoints/cNN/nll_by_position's
// stored mean, ci_low and ci_high ([setting, bucket]).
void TestCompareView::nll_by_position_is_the_stored_bucket_aggregates() {
    const ChartSpec spec = compare_position_chart(*loaded_);
    h5::Handle f = h5::open_file_read(study_.toStdString());
    h5::Handle d = h5::open_dataset(f.get(), "nll_position_edges");
    const auto edges = h5::read_array<std::int32_t>(d.get());
    const std::size_t B = edges.size() - 1;
    QVERIFY(B >= 2);
    QCOMPARE(int(spec.series.size()), 2 * 2 * 3);  // low and high of each line, then the lines
    for (int c = 0; c < 2; ++c) {
        const std::string g = "checkpoints/c0" + std::to_string(c) + "/nll_by_position/";
        const auto mean = stored(study_, g + "mean"), low = stored(study_, g + "ci_low"), high = stored(study_, g + "ci_high");
        for (int s = 0; s < 2; ++s) {
            const int k = c * 2 + s;
            const auto& line = spec.series[std::size_t(8 + k)];
            QCOMPARE(line.points.size(), B);  // every text reaches every bucket here
            for (std::size_t b = 0; b < B; ++b) {
                QCOMPARE(line.points[b].x(), 0.5 * (edges[b] + edges[b + 1]));
                QCOMPARE(line.points[b].y(), mean[std::size_t(s) * B + b]);
                QCOMPARE(spec.series[std::size_t(2 * k)].points[b].y(), low[std::size_t(s) * B + b]);
                QCOMPARE(spec.series[std::size_t(2 * k + 1)].points[b].y(), high[std::size_t(s) * B + b]);
            }
        }
    }
}

void TestCompareView::setting_filter_keeps_one_setting() {
    CompareView view;
    view.set_study(loaded_);
    QVERIFY(view.set_setting("pi_factor=4"));
    QCOMPARE(view.setting(), 1);
    QVERIFY(!view.set_setting("yarn_factor=8"));
    for (const auto f : {CompareFigure::Mass, CompareFigure::Twins, CompareFigure::Nll, CompareFigure::Position}) {
        view.set_figure(f);
        for (const auto& s : view.spec().series)
            QVERIFY2(s.name == "y = x" || s.name.contains("pi_factor=4"), qPrintable(s.name));
    }
    QVERIFY(view.figure_parameters().join(" ").contains("setting shown: pi_factor=4"));
    QVERIFY(view.set_setting(""));
    QCOMPARE(view.setting(), -1);
}

void TestCompareView::exports_write_files_and_the_csv_holds_the_study_values() {
    CompareView view;
    view.set_study(loaded_);
    view.set_parts(CompareParts::Real);
    view.set_setting("none");
    view.flush();
    for (const QString ext : {"png", "svg", "pdf", "csv"}) {
        const QString path = tmp_.filePath("compare." + ext);
        export_figure(view, path);
        QVERIFY2(QFileInfo(path).size() > 100, qPrintable(path));
    }
    const QString csv = QString::fromUtf8(rs::test::read_file(tmp_.filePath("compare.csv")));
    QVERIFY(csv.contains("# study: " + loaded_->path));
    QVERIFY(csv.contains("# checkpoints: rope_f32 (RoPE), rope_pp_ec_f32 (RoPE++_EC)"));
    QVERIFY(csv.contains("# settings: none, pi_factor=4"));
    // Rows "series,D,value": the mean of rope_f32 . none . real at each D is /summary/mean.
    const auto mean = stored(study_, "summary/mean");
    const auto& h = loaded_->header();
    int rows = 0;
    for (const QString& line : csv.split('\n')) {
        const QStringList f = line.split(',');
        if (f.size() < 3 || f[0] != "rope_f32 · none · real") continue;
        const int d = f[1].toInt();
        const auto it = std::find(h.thresholds.begin(), h.thresholds.end(), d);
        QVERIFY(it != h.thresholds.end());
        const std::size_t at = std::size_t(it - h.thresholds.begin());  // M_D columns come first
        QCOMPARE(f[2].toDouble(), mean[at]);
        ++rows;
    }
    QCOMPARE(rows, int(h.thresholds.size()));
}

void TestCompareView::a_file_that_is_not_a_study_is_refused_naming_it() {
    const QString text = tmp_.filePath("notes.h5");
    QFile f(text);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not HDF5 at all");
    f.close();
    const QString damaged = tmp_.filePath("damaged.h5");
    const QByteArray whole = rs::test::read_file(study_);
    QFile d(damaged);
    QVERIFY(d.open(QIODevice::WriteOnly));
    d.write(whole.left(whole.size() / 2));
    d.close();
    for (const QString& path : {text, damaged}) {
        try {
            load_study_comparison(path);
            QFAIL("a non-study was read");
        } catch (const FileError& e) {
            QVERIFY2(QString(e.what()).startsWith(path), e.what());
        }
    }
    // A study without its summary table: the message names the object.
    const QString cut = tmp_.filePath("cut.h5");
    QVERIFY(QFile::copy(study_, cut));
    {
        h5::Handle file = h5::open_file_write(cut.toStdString());
        QVERIFY(H5Ldelete(file.get(), "checkpoints/c01/nll", H5P_DEFAULT) >= 0);
    }
    try {
        load_study_comparison(cut);
        QFAIL("a damaged study was read");
    } catch (const FileError& e) {
        QVERIFY2(QString(e.what()).startsWith(cut) && QString(e.what()).contains("nll"), e.what());
    }
    // Stored aggregates are read, not recomputed, so they are checked: a mean that is not the mean
    // of the stored values, or an interval upside down, is refused naming the table.
    struct Edit {
        const char* dataset;
        double value;
        const char* expected;
    };
    for (const Edit& e : {Edit{"summary/mean", 123.0, "summary/mean and n disagree with summary/values"},
                          Edit{"checkpoints/c00/heads/ci_low", 1e9, "checkpoints/c00/heads has an impossible"}}) {
        const QString edited = tmp_.filePath("edited.h5");
        QFile::remove(edited);
        QVERIFY(QFile::copy(study_, edited));
        {
            h5::Handle file = h5::open_file_write(edited.toStdString());
            const hid_t d = H5Dopen2(file.get(), e.dataset, H5P_DEFAULT);
            QVERIFY(d >= 0);
            const hid_t space = H5Dget_space(d);
            std::vector<double> v(std::size_t(H5Sget_simple_extent_npoints(space)));
            H5Sclose(space);
            QVERIFY(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
            v[0] = e.value;
            QVERIFY(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
            H5Dclose(d);
        }
        try {
            load_study_comparison(edited);
            QFAIL("a study with damaged aggregates was read");
        } catch (const FileError& err) {
            QVERIFY2(QString(err.what()).startsWith(edited) && QString(err.what()).contains(e.expected), err.what());
        }
    }
}

void TestCompareView::main_window_opens_a_study_in_the_compare_tab() {
    MainWindow w;
    QVERIFY(w.open_study(study_));
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.compare_view()));
    QCOMPARE(w.current_figure(), static_cast<Exportable*>(w.compare_view()));
    QCOMPARE(w.compare_view()->study()->header().checkpoints.size(), std::size_t(2));
    const QString bad = tmp_.filePath("notes.h5");
    QVERIFY(!w.open_study(bad));
    auto* box = w.findChild<QMessageBox*>("study_error_dialog");
    QVERIFY(box);
    QVERIFY2(box->text().contains(bad), qPrintable(box->text()));
    QVERIFY(w.compare_view()->study());  // the open study stays
}

QTEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
