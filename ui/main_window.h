// Top-level window: menus, docks and view tabs, and the wiring between the session jobs and the
// views. It owns state (open checkpoint, open trace) but computes nothing itself.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <any>
#include <vector>

#include "ui/session.h"

class QTabWidget;
class QLabel;

namespace rs::ui {

class AttentionView;
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

    // Start the corresponding job; results arrive asynchronously (see the signals).
    void open_checkpoint(const QString& dir);
    void open_trace(const QString& path);
    void run_trace();
    // Runs the noise experiment on the open trace's tokens with the open checkpoint.
    void run_noise(const std::vector<double>& sigmas);
    JobRunner* jobs() const { return jobs_; }

    const CheckpointBundle& checkpoint() const { return checkpoint_; }
    const TraceBundle& trace() const { return trace_; }
    QTabWidget* tabs() const { return tabs_; }
    AttentionView* attention_view() const { return attention_; }
    HeadsView* heads_view() const { return heads_; }
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
    void on_job_finished(const QString& title, const std::any& result);
    void on_job_failed(const QString& title, const QString& message);
    void set_checkpoint(CheckpointBundle bundle);
    void set_trace(TraceBundle bundle);
    void set_noise(NoiseSweep sweep);
    void ask_noise();
    void save_trace_as();
    void export_figure();
    void export_data();
    void about();
    void update_title();

    JobRunner* jobs_;
    CheckpointBundle checkpoint_;
    TraceBundle trace_;
    bool trace_is_autosave_ = false;

    QTabWidget* tabs_ = nullptr;
    ModelPanel* model_panel_ = nullptr;
    InputPanel* input_ = nullptr;
    AttentionView* attention_ = nullptr;
    HeadsView* heads_ = nullptr;
    CurvesView* curves_ = nullptr;
    LongRangeView* long_range_ = nullptr;
    PerplexityView* perplexity_ = nullptr;
    NoiseView* noise_ = nullptr;
    RecentFiles* recent_ = nullptr;
    QLabel* hover_ = nullptr;
};

}  // namespace rs::ui
