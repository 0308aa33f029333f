// Main window wiring: every long action is a JobRunner job returning a bundle; the window swaps
// its state only when a job succeeds, so a failed open leaves the current session untouched.
#include "main_window.h"

#include <Eigen/Core>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <limits>
#include <nlohmann/json_fwd.hpp>

#include "error.h"
#include "noise_run.h"
#include "number_list.h"
#include "trace_writer.h"
#include "versions.h"
#include "app_state.h"
#include "attention_view.h"
#include "compare_view.h"
#include "curves_view.h"
#include "exportable.h"
#include "figure_export.h"
#include "heads_view.h"
#include "input_panel.h"
#include "job_runner.h"
#include "long_range_view.h"
#include "model_panel.h"
#include "noise_view.h"
#include "perplexity_view.h"
#include "progress_strip.h"
#include "recent_files.h"
#include "run_cost.h"
#include "trace_views.h"
#include "view_help.h"

namespace rs::ui {

namespace {
constexpr int kDockWidth = 340;  // pixels, on first start
constexpr double kConfirmRunSeconds = 60;    // longer predicted runs ask before they start
constexpr int kMaxRememberedTokens = 16384;  // a larger max tokens is not carried to a new session
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), jobs_(new JobRunner(this)), prompts_(dialog_prompts(this)) {
    setAcceptDrops(true);
    build_views();
    build_menus();
    hover_ = new QLabel(this);
    statusBar()->addWidget(hover_, 1);
    statusBar()->addPermanentWidget(new ProgressStrip(jobs_, this));
    connect(jobs_, &JobRunner::finished, this, &MainWindow::on_job_finished);
    connect(jobs_, &JobRunner::failed, this, &MainWindow::on_job_failed);
    connect(jobs_, &JobRunner::cancelled, this, [this](const QString& title) {
        statusBar()->showMessage(tr("%1: cancelled").arg(title), 5000);
    });
    QSettings s;
    resize(1280, 820);
    restoreGeometry(s.value("window/geometry").toByteArray());
    if (!restoreState(s.value("window/state").toByteArray())) {
        // First start: narrow docks, so the views (the three attention maps above all) get the
        // width; the model table and the token view wrap or scroll.
        auto* model = findChild<QDockWidget*>("model_dock");
        auto* input = findChild<QDockWidget*>("input_dock");
        resizeDocks({model, input}, {kDockWidth, kDockWidth}, Qt::Horizontal);
    }
    update_title();
    show_source();
}

MainWindow::~MainWindow() = default;

void MainWindow::build_views() {
    tabs_ = new QTabWidget(this);
    attention_ = new AttentionView(this);
    heads_ = new HeadsView(this);
    curves_ = new CurvesView(this);
    long_range_ = new LongRangeView(this);
    perplexity_ = new PerplexityView(this);
    noise_ = new NoiseView(this);
    compare_ = new CompareView(this);
    tabs_->addTab(attention_, tr("Attention"));
    tabs_->addTab(heads_, tr("Heads"));
    tabs_->addTab(curves_, tr("Decay curves"));
    tabs_->addTab(long_range_, tr("Long range"));
    tabs_->addTab(perplexity_, tr("Perplexity"));
    tabs_->addTab(noise_, tr("Noise"));
    tabs_->addTab(compare_, tr("Compare"));
    const ViewTopic topics[] = {ViewTopic::Attention,  ViewTopic::Heads, ViewTopic::Curves,
                                ViewTopic::LongRange,  ViewTopic::Perplexity,
                                ViewTopic::Noise,      ViewTopic::Compare};
    for (int i = 0; i < tabs_->count(); ++i) {
        tabs_->widget(i)->setWhatsThis(view_help(topics[i]));
        tabs_->setTabToolTip(i, view_help(topics[i]));
    }
    source_ = new QLabel(this);
    source_->setObjectName("source_label");
    source_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    source_->setContentsMargins(6, 2, 6, 2);
    auto* centre = new QWidget(this);
    auto* centre_layout = new QVBoxLayout(centre);
    centre_layout->setContentsMargins(0, 0, 0, 0);
    centre_layout->setSpacing(0);
    centre_layout->addWidget(source_);
    centre_layout->addWidget(tabs_, 1);
    setCentralWidget(centre);
    connect(heads_, &HeadsView::head_activated, this, [this](int layer, int head) {
        attention_->show_head(layer, head);
        tabs_->setCurrentWidget(attention_);
    });
    connect(attention_, &AttentionView::hovered, this,
            [this](const QString& t) { hover_->setText(t); });

    model_panel_ = new ModelPanel(this);
    input_ = new InputPanel(this);
    // A huge cap from an earlier session would silently make the next run hours long.
    input_->set_max_tokens(std::min(
        QSettings().value("input/max_tokens", kDefaultTraceTokens).toInt(), kMaxRememberedTokens));
    auto* model_dock = new QDockWidget(tr("Model"), this);
    model_dock->setObjectName("model_dock");
    model_dock->setWidget(model_panel_);
    auto* input_dock = new QDockWidget(tr("Input"), this);
    input_dock->setObjectName("input_dock");
    input_dock->setWidget(input_);
    addDockWidget(Qt::LeftDockWidgetArea, model_dock);
    addDockWidget(Qt::LeftDockWidgetArea, input_dock);
    connect(input_, &InputPanel::run_requested, this, &MainWindow::run_trace);
    connect(input_, &InputPanel::load_file_requested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load text"),
                                                          QSettings().value("dirs/text").toString(),
                                                          tr("Text (*.txt *.md);;All files (*)"));
        if (path.isEmpty()) return;
        QSettings().setValue("dirs/text", QFileInfo(path).absolutePath());
        QString error;
        if (!input_->load_file(path, &error))
            QMessageBox::critical(this, tr("Cannot load text"), error);
    });
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(
        tr("Open &checkpoint…"), this,
        [this] {
            const QString dir =
                QFileDialog::getExistingDirectory(this, tr("Open checkpoint folder"),
                                                  QSettings().value("dirs/checkpoint").toString());
            if (!dir.isEmpty()) open_checkpoint(dir);
        },
        QKeySequence::Open);
    file->addAction(
        tr("Open &trace…"), this,
        [this] {
            const QString path = QFileDialog::getOpenFileName(
                this, tr("Open trace"), QSettings().value("dirs/trace").toString(),
                tr("RoPEScope traces (*.h5 *.hdf5);;All files (*)"));
            if (!path.isEmpty()) open_trace(path);
        },
        QKeySequence(tr("Ctrl+Shift+O")));
    file->addAction(tr("Open st&udy…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open study"), QSettings().value("dirs/study").toString(),
            tr("RoPEScope studies (*.h5 *.hdf5);;All files (*)"));
        if (path.isEmpty()) return;
        QSettings().setValue("dirs/study", QFileInfo(path).absolutePath());
        open_study(path);
    });
    file->addAction(
        tr("&Save trace as…"), this, [this] { save_trace_as(); }, QKeySequence::Save);
    recent_ = new RecentFiles(file->addMenu(tr("&Recent")), this);
    connect(recent_, &RecentFiles::open_checkpoint, this, &MainWindow::open_checkpoint);
    connect(recent_, &RecentFiles::open_trace, this, &MainWindow::open_trace);
    file->addSeparator();
    file->addAction(tr("&Export figure…"), this, &MainWindow::export_figure,
                    QKeySequence(tr("Ctrl+E")));
    file->addAction(tr("Export &data (CSV)…"), this, &MainWindow::export_data,
                    QKeySequence(tr("Ctrl+Shift+E")));
    file->addSeparator();
    file->addAction(tr("&Quit"), this, &QWidget::close, QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run_action_ = run->addAction(tr("&Trace the input text"), this, &MainWindow::run_trace,
                                 QKeySequence(tr("Ctrl+R")));
    run_action_->setEnabled(false);  // until a checkpoint with a tokenizer is open
    run->addAction(tr("&Noise experiment…"), this, &MainWindow::ask_noise, QKeySequence(tr("Ctrl+N")));
    run->addAction(tr("&Cancel"), jobs_, &JobRunner::cancel, QKeySequence(Qt::Key_Escape));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < tabs_->count(); ++i)
        view->addAction(
            tabs_->tabText(i), this, [this, i] { tabs_->setCurrentIndex(i); },
            QKeySequence(QString("Ctrl+%1").arg(i + 1)));
    // Closed docks come back from here.
    view->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    // Heatmap zoom, about the centre of the maps (the mouse wheel zooms about the cursor).
    view->addSeparator();
    auto on_maps = [this](auto act) {
        return [this, act] {
            tabs_->setCurrentWidget(attention_);
            act(*attention_);
        };
    };
    view->addAction(tr("Zoom &in"), this, on_maps([](AttentionView& a) { a.zoom_by(2.0); }),
                    QKeySequence::ZoomIn);
    view->addAction(tr("Zoom &out"), this, on_maps([](AttentionView& a) { a.zoom_by(0.5); }),
                    QKeySequence::ZoomOut);
    view->addAction(tr("&Reset zoom"), this,
                    on_maps([](AttentionView& a) { a.reset_zoom(); }), QKeySequence(tr("Ctrl+0")));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&What is this view?"), this, &MainWindow::explain_view,
                    QKeySequence(QKeySequence::WhatsThis));
    help->addAction(tr("&About RoPEScope"), this, &MainWindow::about, QKeySequence::HelpContents);
}

Exportable* MainWindow::current_figure() const {
    return dynamic_cast<Exportable*>(tabs_->currentWidget());
}

bool MainWindow::open_study(const QString& path) {
    try {
        QApplication::setOverrideCursor(Qt::WaitCursor);
        auto study = std::make_shared<const StudyComparison>(load_study_comparison(path));
        QApplication::restoreOverrideCursor();
        compare_->set_study(std::move(study));
        tabs_->setCurrentWidget(compare_);
        return true;
    } catch (const std::exception& e) {
        QApplication::restoreOverrideCursor();
        // Not modal-blocking (as the trace warnings): tests and scripts find it by name.
        auto* box = new QMessageBox(QMessageBox::Critical, tr("Open study"),
                                    QString::fromStdString(e.what()), QMessageBox::Ok, this);
        box->setObjectName("study_error_dialog");
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return false;
    }
}

void MainWindow::open_checkpoint(const QString& dir) {
    if (trace_unsaved()) {
        // Same model (config.json byte for byte): the trace stays open and nothing is lost.
        QFile config(dir + "/config.json");
        const bool same = config.open(QIODevice::ReadOnly) &&
                          config.readAll().toStdString() == trace_.reader->meta().config_json;
        if (!same && !confirm_discard(tr("Opening another model closes it."))) return;
    }
    QSettings().setValue("dirs/checkpoint", QFileInfo(dir).absolutePath());
    const std::string path = dir.toStdString();
    jobs_->start(tr("Opening %1").arg(dir), [path](const ProgressFn& progress) {
        return JobResult(load_checkpoint_bundle(path, progress));
    });
}

void MainWindow::open_trace(const QString& path) {
    if (!confirm_discard(tr("Opening another trace replaces it."))) return;
    QSettings().setValue("dirs/trace", QFileInfo(path).absolutePath());
    const std::string p = path.toStdString();
    jobs_->start(tr("Opening %1").arg(path),
                 [p](const ProgressFn&) { return JobResult(open_trace_bundle(p)); });
}

void MainWindow::run_trace() {
    if (!checkpoint_.model) {
        QMessageBox::information(this, tr("Run trace"),
                                 tr("Open a checkpoint first (File ▸ Open checkpoint…)."));
        return;
    }
    // A run predicted to take more than a minute starts only when the user says so.
    if (const int tokens = input_->run_tokens(); tokens >= 2) {
        RunCost cost;
        try {
            cost = trace_cost(checkpoint_, tokens);
        } catch (const std::exception&) {  // a malformed memory limit: the job reports it
        }
        if (cost.fits() && cost.seconds > kConfirmRunSeconds &&
            prompts_.ask(tr("Long run"),
                         tr("Tracing %1 tokens is predicted to take %2 on this machine. Start it? "
                            "(Esc cancels a run.)")
                             .arg(tokens)
                             .arg(duration_text(cost.seconds)),
                         QMessageBox::Yes | QMessageBox::No) != QMessageBox::Yes)
            return;
    }
    if (!confirm_discard(tr("A new run replaces it."))) return;
    QSettings().setValue("input/max_tokens", input_->max_tokens());
    const auto bundle = checkpoint_;
    const std::string text = input_->text().toStdString();
    const int max_tokens = input_->max_tokens();
    const std::string dest = new_autosave_path();
    jobs_->start(tr("Tracing"), [=](const ProgressFn& progress) {
        return JobResult(run_trace_bundle(bundle, text, max_tokens, dest, progress));
    });
}

void MainWindow::on_job_finished(const QString&, const JobResult& result) {
    struct Apply {
        MainWindow* w;
        void operator()(const CheckpointBundle& ck) const { w->set_checkpoint(ck); }
        void operator()(const TraceBundle& trace) const { w->set_trace(trace); }
        void operator()(const NoiseSweeps& sweeps) const { w->set_noise(sweeps); }
    };
    std::visit(Apply{this}, result);
}

void MainWindow::on_job_failed(const QString& title, const JobError& error) {
    // The title names the kind of failure ("Cannot read file", "Out of memory"...) and the job.
    const QString message = error.message;
    const QString heading = error.heading() + QStringLiteral(" — ") + title;
    // Window-modal but not blocking: no nested event loop, and tests can read and close it.
    auto* box = new QMessageBox(QMessageBox::Critical, heading, message, QMessageBox::Ok, this);
    box->setObjectName("error_dialog");
    box->setInformativeText(tr("Nothing was changed; what was open before is still open."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    emit job_failed(message);
}

void MainWindow::set_checkpoint(CheckpointBundle bundle) {
    checkpoint_ = std::move(bundle);
    model_panel_->set_checkpoint(checkpoint_.checkpoint.get());
    input_->set_model(true, checkpoint_.tokenizer);
    run_action_->setEnabled(bool(checkpoint_.tokenizer));
    input_->set_cost_text([ck = checkpoint_](int tokens) {
        try {
            const RunCost cost = trace_cost(ck, tokens);
            return InputPanel::CostLine{describe_cost(cost), cost_notes(cost)};
        } catch (const std::exception& e) {  // a malformed ROPESCOPE_MEMORY_LIMIT
            return InputPanel::CostLine{QString::fromStdString(e.what()), {}};
        }
    });
    recent_->add(QString::fromStdString(checkpoint_.checkpoint->dir()), false);
    // The open trace stays only if it was made with this model; otherwise its maps, curves and
    // perplexity would pass for the new model's.
    if (trace_.reader &&
        trace_.reader->meta().config_json != checkpoint_.checkpoint->config().source_text)
        close_trace();
    update_title();
    show_source();
    emit checkpoint_loaded();
}

void MainWindow::set_trace(TraceBundle bundle) {
    trace_ = std::move(bundle);
    unsaved_sweeps_ = 0;
    trace_is_autosave_ = is_autosave_path(QString::fromStdString(trace_.path));
    if (const auto& warnings = trace_.reader->warnings(); !warnings.empty()) {
        // Usable but suspicious data: said where it is seen, without blocking (as errors are).
        QStringList lines;
        for (const auto& w : warnings) lines << QString::fromStdString(w);
        statusBar()->showMessage(lines.front());
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Open trace"), lines.join("\n"),
                                    QMessageBox::Ok, this);
        box->setObjectName("warning_dialog");
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    }
    show_trace(*attention_, trace_);
    show_trace(*heads_, trace_);
    if (!checkpoint_.checkpoint) model_panel_->set_trace_meta(trace_.reader->meta());
    show_trace(*curves_, trace_);
    show_trace(*long_range_, trace_);
    show_trace(*perplexity_, trace_);
    show_trace(*noise_, trace_);
    if (!trace_is_autosave_) recent_->add(QString::fromStdString(trace_.path), true);
    update_title();
    show_source();
    emit trace_loaded();
}

void MainWindow::close_trace() {
    trace_ = TraceBundle{};
    trace_is_autosave_ = false;
    unsaved_sweeps_ = 0;
    attention_->clear();
    heads_->set_run(nullptr, nullptr);
    curves_->set_run(nullptr, nullptr);
    long_range_->set_run(nullptr, nullptr);
    perplexity_->set_nll(nullptr);
    perplexity_->set_training_context(0);
    noise_->set_sweep(nullptr);
    if (checkpoint_.checkpoint)
        model_panel_->set_checkpoint(checkpoint_.checkpoint.get());
    else
        model_panel_->set_checkpoint(nullptr);
    update_title();
    show_source();
}

void MainWindow::show_source() {
    const FigureSource source = trace_.reader ? trace_figure_source(trace_) : FigureSource{};
    for (Exportable* view : std::initializer_list<Exportable*>{attention_, heads_, curves_,
                                                               long_range_, perplexity_, noise_})
        view->set_figure_source(source);
    QString text;
    if (trace_.reader) {
        text = tr("Showing %1").arg(source.caption());
        if (trace_is_autosave_) text += tr(" (not saved)");
        // A kept trace was made with the same config.json, maybe from another folder: say both.
        if (checkpoint_.checkpoint &&
            QFileInfo(QString::fromStdString(checkpoint_.checkpoint->dir())).absoluteFilePath() !=
                QFileInfo(source.checkpoint).absoluteFilePath())
            text += tr(" · open checkpoint: %1")
                        .arg(QString::fromStdString(checkpoint_.checkpoint->dir()));
    } else if (checkpoint_.checkpoint) {
        text =
            tr("No trace open: run one with Ctrl+R on %1")
                .arg(QFileInfo(QString::fromStdString(checkpoint_.checkpoint->dir())).fileName());
    } else {
        text = tr("No trace open");
    }
    source_->setText(text);
}

bool MainWindow::trace_unsaved() const {
    return trace_.reader && (trace_is_autosave_ || unsaved_sweeps_ > 0);
}

bool MainWindow::confirm_discard(const QString& consequence) {
    if (!trace_unsaved()) return true;
    const QString what = trace_is_autosave_
                             ? tr("The trace on show (%1) is not saved.")
                             : tr("The noise experiment run on %1 is not saved in the trace file.");
    const auto answer = prompts_.ask(
        tr("Unsaved trace"), what.arg(trace_figure_source(trace_).caption()) + " " + consequence,
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save) return save_trace_as();
    return answer == QMessageBox::Discard;
}

void MainWindow::ask_noise() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Noise experiment"));
    auto* sigmas_edit = new QLineEdit(QSettings().value("noise/sigmas", "0.25,0.5,1,2").toString());
    sigmas_edit->setObjectName("noise_sigmas");
    auto* seed = new QSpinBox;
    seed->setObjectName("noise_seed");
    seed->setRange(0, std::numeric_limits<int>::max());
    seed->setValue(QSettings().value("noise/seed", 0).toInt());
    auto* repeats = new QSpinBox;
    repeats->setObjectName("noise_repeats");
    repeats->setRange(1, 100);
    repeats->setValue(QSettings().value("noise/repeats", 1).toInt());
    repeats->setToolTip(tr("Sweeps with seeds seed, seed + 1, …: each is kept in the trace"));
    auto* form = new QFormLayout(&dialog);
    sigmas_edit->setToolTip(tr("\"paper\": the paper's grid 0.2, 0.4, …, 1.4, 1.5"));
    form->addRow(tr("Noise standard deviations σ (comma-separated, or paper):"), sigmas_edit);
    form->addRow(tr("Random seed:"), seed);
    form->addRow(tr("Repeats (one sweep per seed):"), repeats);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted) return;
    const QString text = sigmas_edit->text();
    std::vector<double> sigmas;
    try {
        sigmas = text.trimmed() == "paper" ? paper_sigmas()
                                           : parse_number_list(text.toStdString(), "σ", kNonNegativeNumbers);
    } catch (const UsageError& e) {
        QMessageBox::warning(this, tr("Noise experiment"), QString::fromStdString(e.what()));
        return;
    }
    QSettings().setValue("noise/sigmas", text);
    QSettings().setValue("noise/seed", seed->value());
    QSettings().setValue("noise/repeats", repeats->value());
    run_noise(sigmas, std::uint64_t(seed->value()), repeats->value());
}

void MainWindow::run_noise(const std::vector<double>& sigmas, std::uint64_t seed, int repeats) {
    if (!checkpoint_.model || !trace_.reader) {
        QMessageBox::information(this, tr("Noise experiment"),
                                 tr("Open the checkpoint and run (or open) a trace first: the experiment reruns the traced text."));
        return;
    }
    const auto model = checkpoint_.model;
    const auto ids = trace_.reader->meta().input.ids;
    NoiseOptions opt;
    opt.sigmas = sigmas;
    opt.targets = {NoiseTarget::Real, NoiseTarget::Imag};
    repeats = std::max(1, repeats);
    std::vector<std::uint64_t> seeds;
    for (int r = 0; r < repeats; ++r) seeds.push_back(seed + std::uint64_t(r));
    jobs_->start(tr("Noise experiment"), [=](const ProgressFn& progress) mutable {
        // One baseline for every seed; progress counts every run.
        opt.progress = progress;
        return JobResult(run_noise_sweeps(*model, ids, opt, seeds));
    });
}

void MainWindow::set_noise(std::vector<NoiseSweep> sweeps) {
    if (sweeps.empty()) return;
    unsaved_sweeps_ += int(sweeps.size());
    for (auto& sweep : sweeps) trace_.noise.push_back(std::move(sweep));
    update_title();
    noise_->set_sweeps(trace_.noise, trace_.reader ? &trace_.reader->meta().layout : nullptr);
    tabs_->setCurrentWidget(noise_);
    emit noise_loaded();
}

bool MainWindow::save_trace_as() {
    if (!trace_.reader) {
        QMessageBox::information(this, tr("Save trace"),
                                 tr("There is no trace to save yet: run one first (Ctrl+R)."));
        return false;
    }
    QString dir = QSettings().value("dirs/trace").toString();
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) dir = QDir::homePath();
    QString dest = prompts_.save_path(tr("Save trace as"), dir, tr("RoPEScope traces (*.h5)"));
    if (dest.isEmpty()) return false;
    const QString suffix = QFileInfo(dest).suffix().toLower();
    if (suffix != "h5" && suffix != "hdf5") dest += ".h5";
    try {
        save_trace_with_noise(trace_.path, dest.toStdString(), trace_.noise);
    } catch (const std::exception& e) {
        QMessageBox::critical(this, tr("Save trace"), QString::fromStdString(e.what()));
        return false;
    }
    // The views keep reading the file they opened (same data); from now on it is this one.
    trace_.path = QFileInfo(dest).absoluteFilePath().toStdString();
    trace_is_autosave_ = false;
    unsaved_sweeps_ = 0;
    QSettings().setValue("dirs/trace", QFileInfo(dest).absolutePath());
    recent_->add(dest, true);
    update_title();
    show_source();
    statusBar()->showMessage(tr("Saved %1").arg(dest), 5000);
    return true;
}

QString MainWindow::export_dir() const {
    const QString dir = QSettings().value("dirs/export").toString();
    if (!dir.isEmpty() && QFileInfo(dir).isDir()) return dir;
    // First export: next to the trace the figure comes from, unless that is the autosave folder.
    if (trace_.reader && !trace_is_autosave_)
        return QFileInfo(QString::fromStdString(trace_.path)).absolutePath();
    return QDir::homePath();
}

void MainWindow::export_figure() {
    Exportable* fig = current_figure();
    if (!fig) return;
    QString path = prompts_.save_path(
        tr("Export figure"), export_dir() + "/" + default_figure_file_name(*fig, FigureFormat::Png),
        figure_file_filters().join(";;"));
    if (path.isEmpty()) return;
    if (!figure_format_for(path)) path += ".png";
    FigureExportOptions opt;
    if (figure_format_for(path) == FigureFormat::Png) {
        bool ok = false;
        const int dpi =
            QInputDialog::getInt(this, tr("PNG resolution"), tr("Dots per inch:"),
                                 QSettings().value("export/dpi", 150).toInt(), 36, 1200, 1, &ok);
        if (!ok) return;
        QSettings().setValue("export/dpi", dpi);
        opt.dpi = dpi;
    }
    try {
        export_figure_as(*fig, path, figure_format_for(path).value_or(FigureFormat::Png), opt);
        QSettings().setValue("dirs/export", QFileInfo(path).absolutePath());
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    } catch (const std::exception& e) {
        QMessageBox::critical(this, tr("Export figure"), QString::fromStdString(e.what()));
    }
}

void MainWindow::export_data() {
    Exportable* fig = current_figure();
    if (!fig) return;
    QString path = prompts_.save_path(
        tr("Export data"), export_dir() + "/" + default_figure_file_name(*fig, FigureFormat::Csv),
        tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += ".csv";
    try {
        export_figure_as(*fig, path, FigureFormat::Csv);
        QSettings().setValue("dirs/export", QFileInfo(path).absolutePath());
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    } catch (const std::exception& e) {
        QMessageBox::critical(this, tr("Export data"), QString::fromStdString(e.what()));
    }
}

void MainWindow::explain_view() {
    auto* box = new QMessageBox(QMessageBox::Information, tr("What is this view?"),
                                tabs_->currentWidget()->whatsThis(), QMessageBox::Ok, this);
    box->setObjectName("view_help_dialog");
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not blocking: no nested event loop
}

void MainWindow::about() {
    // What the binaries link, with the licence each is used under (Qt Charts is GPL-3.0 in the
    // open-source Qt 5 releases, unlike the LGPL-3.0 modules). Qt and the C libraries report
    // their run-time versions; Eigen and nlohmann/json are header-only, so compile-time ones.
    const QString json_version = QString("%1.%2.%3")
                                     .arg(NLOHMANN_JSON_VERSION_MAJOR)
                                     .arg(NLOHMANN_JSON_VERSION_MINOR)
                                     .arg(NLOHMANN_JSON_VERSION_PATCH);
    const QString eigen_version =
        QString("%1.%2.%3").arg(EIGEN_WORLD_VERSION).arg(EIGEN_MAJOR_VERSION).arg(EIGEN_MINOR_VERSION);
    auto* box = new QMessageBox(this);
    box->setObjectName("about_dialog");
    box->setWindowTitle(tr("About RoPEScope"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setText(tr("<h3>RoPEScope %1</h3><p>Real vs imaginary attention in RoPE and RoPE++ "
                    "checkpoints (Liu et al., arXiv 2512.07525).</p>")
                     .arg(ROPESCOPE_VERSION));
    box->setInformativeText(
        tr("<p>Built with:</p><ul>"
           "<li>Qt %1: Core, Gui, Widgets, Svg, PrintSupport (LGPL-3.0); Qt Charts (GPL-3.0)</li>"
           "<li>Eigen %2 (MPL-2.0)</li>"
           "<li>HDF5 %4 (BSD-3-Clause-style HDF5 licence)</li>"
           "<li>nlohmann/json %3 (MIT)</li>"
           "<li>PCRE2 %5 (BSD-3-Clause with PCRE2 exception)</li>"
           "<li>utf8proc %6 (MIT)</li>"
           "<li>OpenMP runtime, libgomp (GPL-3.0 with GCC runtime library exception)</li>"
           "</ul><p>Colormaps: viridis and magma (CC0, from matplotlib), coolwarm (K. Moreland, "
           "BSD-style).</p>")
            .arg(qVersion(), eigen_version, json_version,
                 QString::fromStdString(hdf5_runtime_version()),
                 QString::fromStdString(pcre2_runtime_version()),
                 QString::fromStdString(utf8proc_runtime_version())));
    box->setStandardButtons(QMessageBox::Ok);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // not blocking: no nested event loop
}

void MainWindow::update_title() {
    QString title = "RoPEScope";
    if (checkpoint_.checkpoint)
        title +=
            " — " + QFileInfo(QString::fromStdString(checkpoint_.checkpoint->dir())).fileName();
    if (trace_.reader)
        title += " — " + (trace_is_autosave_
                              ? tr("unsaved trace")
                              : QFileInfo(QString::fromStdString(trace_.path)).fileName());
    if (trace_.reader && unsaved_sweeps_ > 0) title += tr(" (+ unsaved noise sweep)");
    setWindowTitle(title);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirm_discard(tr("Quitting discards it."))) {
        event->ignore();
        return;
    }
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    jobs_->cancel();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        const QFileInfo info(url.toLocalFile());
        if (info.isDir())
            open_checkpoint(info.absoluteFilePath());
        else if (info.isFile())
            open_trace(info.absoluteFilePath());
        return;  // one at a time
    }
}

}  // namespace rs::ui
