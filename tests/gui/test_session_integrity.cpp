// Issue 17, items 2 and 3: a researcher must be able to trust and keep every result. Opening
// another model closes the trace made with the old one; every view and every exported file names
// its model, variant, trace and tokens; a run that would be lost (second run, quit, another
// model or trace) is asked about first; a noise sweep run in the GUI is saved into the trace.
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "checkpoint.h"
#include "trace_reader.h"
#include "isolated_state.h"
#include "attention_view.h"
#include "exportable.h"
#include "compare_view.h"
#include "figure_export.h"
#include "input_panel.h"
#include "job_runner.h"
#include "main_window.h"
#include "gui_fixtures.h"
#include "model_panel.h"
#include "noise_view.h"

using namespace rs::ui;
using namespace rs::test;

namespace {

const QString kEc = QString(ROPESCOPE_SOURCE_DIR) + "/sample_data/rope_pp_ec";
const QString kRope = QString(ROPESCOPE_SOURCE_DIR) + "/sample_data/rope";
constexpr const char* kText = "In the beginning God created the heaven and the earth.";

QString read_text(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

// Scripted answers to the window's questions, recording what was asked.
struct Answers {
    QMessageBox::StandardButton button = QMessageBox::Cancel;
    QString save_to;  // the file name the save dialog returns (empty: cancelled)
    QStringList asked;

    Prompts prompts() {
        Prompts p;
        p.ask = [this](const QString&, const QString& text, QMessageBox::StandardButtons) {
            asked << text;
            return button;
        };
        p.save_path = [this](const QString&, const QString&, const QString&) { return save_to; };
        return p;
    }
};

QString source_line(const MainWindow& w) {
    auto* label = w.findChild<QLabel*>("source_label");
    return label ? label->text() : QString("(no source label)");
}

}  // namespace

class TestSessionIntegrity : public QObject {
    Q_OBJECT
    std::unique_ptr<IsolatedState> state_;
    QTemporaryDir tmp_;
    QString trace_;  // a RoPE++_EC trace of kText, made by the CLI
    int tokens_ = 0;


  private slots:
    void initTestCase() {
        state_ = std::make_unique<IsolatedState>();
        trace_ = tmp_.path() + "/ec_run.h5";
        QString err;
        QVERIFY2(make_trace(kEc, {"--text", kText, "--quiet"}, trace_, &err), qPrintable(err));
        tokens_ = rs::TraceReader::open(trace_.toStdString()).meta().tokens;
        QVERIFY(tokens_ > 2);
    }
    void init() { state_->reset(); }

    // Item 2: after an EC trace, opening the vanilla RoPE checkpoint must not leave EC's maps,
    // statistics and perplexity on show as if they were RoPE's.
    void opening_another_model_closes_its_trace() {
        MainWindow w;
        QVERIFY(open_trace_and_wait(w, trace_));
        QVERIFY(source_line(w).contains("rope_pp_ec (RoPE++_EC)"));
        QVERIFY(open_checkpoint_and_wait(w, kRope));
        QVERIFY(!w.trace().reader);
        QVERIFY(!w.attention_view()->source());
        QVERIFY2(!source_line(w).contains("rope_pp_ec"), qPrintable(source_line(w)));
        QVERIFY2(source_line(w).contains("No trace open"), qPrintable(source_line(w)));
        // No view still holds the EC run's data (their CSVs are headers only) or names it.
        for (int i = 0; i < w.tabs()->count(); ++i) {
            w.tabs()->setCurrentIndex(i);
            Exportable* fig = w.current_figure();
            QVERIFY(fig);
            QVERIFY2(fig->figure_source().empty(), qPrintable(w.tabs()->tabText(i)));
            if (i == 2) continue;  // decay curves: theory needs no run
            const QString csv = fig->figure_csv();
            QVERIFY2(csv.count('\n') <= 1, qPrintable(w.tabs()->tabText(i) + ": " + csv.left(200)));
        }
        QVERIFY(!w.windowTitle().contains("ec_run.h5"));
    }

    // The checkpoint the trace was made with keeps it open (the noise experiment needs both),
    // and the source line names what the views show.
    void opening_the_traced_model_keeps_the_trace() {
        MainWindow w;
        QVERIFY(open_trace_and_wait(w, trace_));
        QVERIFY(open_checkpoint_and_wait(w, kEc));
        QVERIFY(w.trace().reader);
        const QString line = source_line(w);
        QVERIFY2(line.contains("rope_pp_ec (RoPE++_EC)") && line.contains("trace ec_run.h5") &&
                     line.contains(QString("%1 tokens").arg(tokens_)),
                 qPrintable(line));
    }

    // Every tab's CSV starts with its checkpoint, variant, trace and tokens; every figure prints
    // them under the plot.
    void every_export_names_its_source() {
        MainWindow w;
        w.show();
        QVERIFY(open_trace_and_wait(w, trace_));
        for (int i = 0; i < w.tabs()->count(); ++i) {
            w.tabs()->setCurrentIndex(i);
            QTest::qWait(100);
            Exportable* fig = w.current_figure();
            // The Compare tab shows a study file, not the trace: its source is the study's
            // (test_compare_view checks it).
            if (w.tabs()->currentWidget() == static_cast<QWidget*>(w.compare_view())) continue;
            const QString name = w.tabs()->tabText(i);
            const QString csv_path = tmp_.path() + QString("/src%1.csv").arg(i);
            export_figure(*fig, csv_path);
            const QStringList head = read_text(csv_path).split('\n').mid(0, 4);
            QCOMPARE(head.value(0), "# checkpoint: " + QFileInfo(kEc).absoluteFilePath());
            QCOMPARE(head.value(1), QString("# variant: RoPE++_EC"));
            QCOMPARE(head.value(2), "# trace: " + trace_);
            QCOMPARE(head.value(3), QString("# tokens: %1").arg(tokens_));
            // Issue 21: which key each RoPE setting came from, in the CSV and under the figure.
            const QString csv = read_text(csv_path);
            QVERIFY2(csv.contains("\n# rope: rope_theta = 10000.0 (rope_theta)\n"), qPrintable(csv.left(600)));
            QVERIFY2(csv.contains("\n# rope: imag_mode = \"imag2\" (rope_config.imag_mode)\n"),
                     qPrintable(csv.left(600)));
            const QString svg_path = tmp_.path() + QString("/src%1.svg").arg(i);
            export_figure(*fig, svg_path);
            const QString svg = read_text(svg_path);
            QVERIFY2(svg.contains("rope_pp_ec (RoPE++_EC)") && svg.contains("ec_run.h5"),
                     qPrintable(name));
            QVERIFY2(svg.contains("RoPE from config.json: rope_theta = 10000.0 (rope_theta)"), qPrintable(name));
            // The PNG grows by the caption band; the figure itself is unchanged.
            const QImage png = render_figure_image(*fig, 72);
            QVERIFY2(png.height() > fig->figure_size().height() + 5, qPrintable(name));
        }
    }

    // Item 8: the variant name is never broken across lines ("RoPE+" / "+_EC"): it starts a line
    // of its own, unbreakable (nobr alone did not stop the wrap after a long path).
    void variant_name_does_not_wrap() {
        const rs::Checkpoint ck = rs::Checkpoint::open(kEc.toStdString());
        ModelPanel panel;
        panel.set_checkpoint(&ck);
        QVERIFY2(panel.summary().contains("<br><nobr>RoPE++_EC</nobr>"),
                 qPrintable(panel.summary()));
        panel.set_trace_meta(rs::TraceReader::open(trace_.toStdString()).meta());
        QVERIFY2(panel.summary().contains("<br><nobr>RoPE++_EC</nobr>"),
                 qPrintable(panel.summary()));
    }

    // Item 5: the GUI's runs store float32 Q/K, so exact values are exact (a float16 trace's rows
    // summed to 1 ± 9e-4 and p(0,0) was 1.00046); a float16 trace says how far off it may be.
    void exact_values_are_exact_or_say_their_error() {
        MainWindow w;
        QVERIFY(open_checkpoint_and_wait(w, kEc));
        w.input_panel()->set_text(kText);
        QVERIFY(run_trace_and_wait(w));
        const auto& meta = w.trace().reader->meta();
        QCOMPARE(meta.qk_precision, rs::QKPrecision::F32);
        const int T = meta.tokens;
        for (int head : {0, 1}) {
            rs::TileRequest req;
            req.layer = 1;
            req.head = head;
            req.row_end = req.col_end = T;
            const rs::Tile tile = w.trace().reader->tile(req);
            for (int t = 0; t < T; ++t) {
                double sum = 0;
                for (int s = 0; s < T; ++s) sum += tile.at(t, s);
                QVERIFY2(std::fabs(sum - 1.0) < 1e-5, qPrintable(QString::number(sum - 1.0)));
            }
        }
        w.tabs()->setCurrentIndex(0);
        const QString csv = figure_csv_with_source(*w.current_figure());
        QVERIFY2(csv.contains("# exact values: Q/K stored as float32"), qPrintable(csv.left(600)));

        MainWindow f16;  // the CLI's trace stores float16
        QVERIFY(open_trace_and_wait(f16, trace_));
        f16.tabs()->setCurrentIndex(0);
        QVERIFY(figure_csv_with_source(*f16.current_figure())
                    .contains("# exact values: Q/K stored as float16: probabilities within ~1e-3"));
    }

    // Item 3: a second Run trace over an unsaved one asks; Cancel keeps it, Discard runs.
    void second_run_asks_before_discarding() {
        MainWindow w;
        Answers answers;
        w.set_prompts(answers.prompts());
        QVERIFY(open_checkpoint_and_wait(w, kEc));
        w.input_panel()->set_text(kText);
        QVERIFY(run_trace_and_wait(w));
        QVERIFY(answers.asked.isEmpty());  // nothing to lose the first time
        QVERIFY(w.trace_unsaved());
        const std::string first = w.trace().path;

        answers.button = QMessageBox::Cancel;
        w.input_panel()->set_text("And the earth was without form, and void.");
        w.run_trace();
        QCOMPARE(answers.asked.size(), 1);
        QVERIFY2(answers.asked.first().contains("not saved"), qPrintable(answers.asked.first()));
        QVERIFY(!w.jobs()->busy());
        QCOMPARE(w.trace().path, first);

        answers.button = QMessageBox::Discard;
        QVERIFY(run_trace_and_wait(w));
        QCOMPARE(answers.asked.size(), 2);
        QVERIFY(w.trace().path != first);
    }

    // Quit with an unsaved trace asks: Cancel keeps the window open; Save saves and quits.
    void quit_asks_and_can_save() {
        MainWindow w;
        w.show();
        Answers answers;
        w.set_prompts(answers.prompts());
        QVERIFY(open_checkpoint_and_wait(w, kEc));
        w.input_panel()->set_text(kText);
        QVERIFY(run_trace_and_wait(w));

        answers.button = QMessageBox::Cancel;
        QVERIFY(!w.close());
        QVERIFY(w.isVisible());
        QCOMPARE(answers.asked.size(), 1);

        answers.button = QMessageBox::Save;
        answers.save_to = tmp_.path() + "/kept";  // no extension: .h5 is added
        QVERIFY(w.close());
        QVERIFY(QFile::exists(tmp_.path() + "/kept.h5"));
        QVERIFY(!QFile::exists(tmp_.path() + "/kept"));
        QCOMPARE(rs::TraceReader::open((tmp_.path() + "/kept.h5").toStdString()).meta().tokens,
                 w.trace().reader->meta().tokens);
    }

    // A noise sweep run in the GUI is in the file after Save; the title names the saved file.
    void noise_sweep_is_saved_into_the_trace() {
        MainWindow w;
        Answers answers;
        w.set_prompts(answers.prompts());
        QVERIFY(open_trace_and_wait(w, trace_));
        QVERIFY(open_checkpoint_and_wait(w, kEc));
        QVERIFY(!w.trace_unsaved());
        QSignalSpy swept(&w, &MainWindow::noise_loaded);
        w.run_noise({0.5, 2.0});
        QVERIFY(swept.wait(120000));
        QVERIFY(w.trace_unsaved());  // the sweep is only in memory
        const rs::NoiseSweep sweep = w.trace().noise.back();

        answers.save_to = tmp_.path() + "/with_noise";
        QVERIFY(w.save_trace_as());
        const QString saved = tmp_.path() + "/with_noise.h5";
        QVERIFY2(w.windowTitle().contains("with_noise.h5"), qPrintable(w.windowTitle()));
        QVERIFY(!w.windowTitle().contains("unsaved"));
        QVERIFY(!w.trace_unsaved());
        QVERIFY2(source_line(w).contains("with_noise.h5"), qPrintable(source_line(w)));
        auto reopened = rs::TraceReader::open(saved.toStdString());
        const auto& stored = reopened.noise();
        QCOMPARE(int(stored.size()), 1);
        QCOMPARE(stored[0].points.size(), sweep.points.size());
        for (std::size_t i = 0; i < sweep.points.size(); ++i) {
            QCOMPARE(stored[0].points[i].sigma, sweep.points[i].sigma);
            QCOMPARE(stored[0].points[i].delta_nll, sweep.points[i].delta_nll);
        }
        // The original file is untouched, and quitting now asks nothing.
        QVERIFY(rs::TraceReader::open(trace_.toStdString()).noise().empty());
        QVERIFY(w.close());
        QVERIFY(answers.asked.isEmpty());
    }

    // Item 8: the noise experiment takes a seed and repeats (one sweep per seed, all kept).
    void noise_seed_and_repeats() {
        MainWindow w;
        QVERIFY(open_trace_and_wait(w, trace_));
        QVERIFY(open_checkpoint_and_wait(w, kEc));
        QSignalSpy swept(&w, &MainWindow::noise_loaded);
        w.run_noise({1.0}, 7, 2);
        QVERIFY(swept.wait(120000));
        QCOMPARE(int(w.trace().noise.size()), 2);
        QCOMPARE(w.trace().noise[0].seed, std::uint64_t(7));
        QCOMPARE(w.trace().noise[1].seed, std::uint64_t(8));
        QVERIFY(w.trace().noise[0].points[0].delta_nll != w.trace().noise[1].points[0].delta_nll);
    }

    // Issue 16.4: a GUI noise run over several seeds keeps its ΔNLL buckets through Save, and the
    // reopened trace's noise view shows the mean over the seeds with the 95% interval.
    void noise_seeds_and_buckets_survive_save_and_reopen() {
        Answers answers;
        const QString saved = tmp_.path() + "/seeds.h5";
        std::vector<rs::NoiseSweep> run;
        {
            MainWindow w;
            w.set_prompts(answers.prompts());
            QVERIFY(open_trace_and_wait(w, trace_));
            QVERIFY(open_checkpoint_and_wait(w, kEc));
            QSignalSpy swept(&w, &MainWindow::noise_loaded);
            w.run_noise(rs::paper_sigmas(), 4, 3);
            QVERIFY(swept.wait(120000));
            run = w.trace().noise;
            QCOMPARE(int(run.size()), 3);
            QVERIFY(!run[0].position_edges.empty());
            auto* view = w.findChild<NoiseView*>();
            QVERIFY(view);
            QCOMPARE(view->seeds(), 3);
            answers.save_to = saved;
            QVERIFY(w.save_trace_as());
            QVERIFY(w.close());
        }
        MainWindow reopened;
        QVERIFY(open_trace_and_wait(reopened, saved));
        QCOMPARE(int(reopened.trace().noise.size()), 3);
        for (std::size_t i = 0; i < run.size(); ++i) {
            const auto& got = reopened.trace().noise[i];
            QCOMPARE(got.seed, run[i].seed);
            QCOMPARE(got.position_tokens, run[i].position_tokens);
            QCOMPARE(got.distance_edges, run[i].distance_edges);
            for (std::size_t p = 0; p < run[i].points.size(); ++p)
                QCOMPARE(got.points[p].delta_nll_by_position.size(), run[i].points[p].delta_nll_by_position.size());
        }
        auto* view = reopened.findChild<NoiseView*>();
        QVERIFY(view);
        view->flush();
        QCOMPARE(view->seeds(), 3);
        bool interval = false;
        for (const auto& s : view->loss_spec().series) interval = interval || s.name.contains("95% interval over 3 seeds");
        QVERIFY(interval);
        view->set_breakdown(NoiseView::Breakdown::Position);
        const auto spec = view->loss_spec();
        QVERIFY(spec.title.contains("query position"));
        QVERIFY(!spec.series.empty() && !spec.series[0].points.empty());
    }
};

QTEST_MAIN(TestSessionIntegrity)
#include "test_session_integrity.moc"
