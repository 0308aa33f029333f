// Top-level window: menus, docks and view tabs, and the wiring between the session jobs and the
// views. It owns state (open checkpoint, open trace) but computes nothing itself.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <vector>

#include "job_error.h"
#include "job_result.h"
#include "prompts.h"
#include "session.h"

class QAction;
class QTabWidget;
class QLabel;

namespace rs::ui {

class AttentionView;
class CompareView;
class CurvesView;
class HeadsView;
class LongRangeView;
class NoiseView;
class PerplexityView;
class InputPanel;
class JobRunner;
class ModelPanel;
class RecentFiles;
class Exportable;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Start the corresponding job; results arrive asynchronously (see the signals). Each first
    // asks before it would discard an unsaved trace; a checkpoint of another model than the
    // open trace's closes that trace once it is loaded.
    void open_checkpoint(const QString& dir);
    void open_trace(const QString& path);
    void run_trace();
    // Reads a study file (`ropescope-cli study`) into the Compare tab and shows it; a file that
    // is not a study, or is damaged, is said in an error box naming the file. False then.
    bool open_study(const QString& path);
    // Runs the noise experiment on the open trace's tokens with the open checkpoint: `repeats`
    // sweeps with seeds seed, seed + 1, …, each kept (the Noise tab shows the last).
    void run_noise(const std::vector<double>& sigmas, std::uint64_t seed = 0, int repeats = 1);
    JobRunner* jobs() const { return jobs_; }
    // Asks where to save the open trace (".h5" added when missing) and saves it with every noise
    // sweep run since; false when cancelled or the file cannot be written.
    bool save_trace_as();
    // The run on show is only in the autosave folder, or has sweeps the file does not hold.
    bool trace_unsaved() const;
    // Replaces the dialogs the window asks with (tests answer them).
    void set_prompts(Prompts prompts) { prompts_ = std::move(prompts); }
    // File ▸ Export data (CSV) of the current tab, asking where (public for tests).
    void export_data();

    const CheckpointBundle& checkpoint() const { return checkpoint_; }
    const TraceBundle& trace() const { return trace_; }
    QTabWidget* tabs() const { return tabs_; }
    AttentionView* attention_view() const { return attention_; }
    HeadsView* heads_view() const { return heads_; }
    CompareView* compare_view() const { return compare_; }
    InputPanel* input_panel() const { return input_; }
    // The Exportable of the current tab (null if the tab has nothing to export).
    Exportable* current_figure() const;

signals:
    void checkpoint_loaded();
    void trace_loaded();
    void noise_loaded();  // a noise sweep finished and is on show
    void job_failed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void build_views();
    void build_menus();
    void on_job_finished(const QString& title, const JobResult& result);
    void on_job_failed(const QString& title, const JobError& error);
    void set_checkpoint(CheckpointBundle bundle);
    void set_trace(TraceBundle bundle);
    void set_noise(std::vector<NoiseSweep> sweeps);
    void close_trace();
    // Every view and the source line name what is on show (nothing, once the trace is closed).
    void show_source();
    // True when nothing unsaved is in the way, or the user saved it or chose to discard it;
    // `consequence` says what would discard it ("Quitting discards it.").
    bool confirm_discard(const QString& consequence);
    void ask_noise();
    void export_figure();
    QString export_dir() const;  // where the export dialogs open
    void about();
    void explain_view();  // the current tab's "What is this?" in a box
    void update_title();

    JobRunner* jobs_;
    CheckpointBundle checkpoint_;
    TraceBundle trace_;
    bool trace_is_autosave_ = false;
    int unsaved_sweeps_ = 0;  // noise sweeps run in this session, not yet in the trace file
    Prompts prompts_;

    QTabWidget* tabs_ = nullptr;
    ModelPanel* model_panel_ = nullptr;
    InputPanel* input_ = nullptr;
    AttentionView* attention_ = nullptr;
    HeadsView* heads_ = nullptr;
    CurvesView* curves_ = nullptr;
    LongRangeView* long_range_ = nullptr;
    PerplexityView* perplexity_ = nullptr;
    NoiseView* noise_ = nullptr;
    CompareView* compare_ = nullptr;
    RecentFiles* recent_ = nullptr;
    QLabel* hover_ = nullptr;
    QLabel* source_ = nullptr;  // above the views: the model and trace they show
    QAction* run_action_ = nullptr;
};

}  // namespace rs::ui
