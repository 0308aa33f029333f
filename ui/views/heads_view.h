// Per-head overview of a run: a layers x heads grid coloured by long-range mass M(D) (threshold
// chosen from the run's thresholds; real and imaginary heads in column groups or interleaved;
// virtual heads marked) and a scatter of real vs imaginary M(D) for every twin pair. Clicking a
// cell or a point emits head_activated(layer, head) (a point is a twin pair: its imaginary head).
#pragma once

#include <QTimer>
#include <QWidget>
#include <optional>

#include "head_layout.h"
#include "head_stats.h"
#include "chart_spec.h"
#include "exportable.h"
#include "head_columns.h"

class QCheckBox;
class QComboBox;
class QSplitter;

namespace rs::ui {

class ChartPanel;
class HeadsGrid;

class HeadsView : public QWidget, public Exportable {
    Q_OBJECT
  public:
    explicit HeadsView(QWidget* parent = nullptr);

    // The run to show; both are copied (nullptr clears). `layout` says which heads are real,
    // imaginary or virtual; without it every head is shown as a plain head and there is no scatter.
    void set_run(const RunStats* stats, const HeadLayout* layout);
    // Index into RunStats::thresholds (the D of M(D)); a new run starts at the middle one.
    void set_threshold_index(int index);
    int threshold_index() const;
    void set_arrangement(HeadArrangement arrangement);
    HeadArrangement arrangement() const;
    // Colour scale 0..1 (comparable across runs) instead of 0..max of this run.
    void set_fixed_color_scale(bool fixed);
    // Highlights a head (e.g. the one the heatmap shows); nullopt clears.
    void set_selected_head(int layer, int head);

    // Applies pending changes now (normally batched to the next event-loop turn).
    void flush();

    HeadsGrid* grid() const { return grid_; }
    ChartPanel* scatter() const { return scatter_; }
    // The scatter's content: one series per layer (tag = layer), one point per twin pair in
    // twin_pairs() order (NaN where a head was not computed), then the diagonal.
    ChartSpec scatter_spec() const;
    // M(D) at the current threshold, NaN where not observed.
    double mass(int layer, int head) const;

    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override;
    QString figure_csv() const override;  // every head: kind, twin, M(D) at every threshold, ...
    QString figure_name() const override;

  signals:
    void head_activated(int layer, int head);

  protected:
    void resizeEvent(QResizeEvent* event) override;

  private:
    void size_split();
    void schedule();
    void refresh();
    QString threshold_title() const;  // "M(D=64)"
    const HeadLayout* layout() const { return layout_ ? &*layout_ : nullptr; }

    std::optional<RunStats> stats_;
    std::optional<HeadLayout> layout_;
    std::vector<TwinPair> pairs_;
    QComboBox* threshold_ = nullptr;
    QComboBox* arrangement_ = nullptr;
    QCheckBox* fixed_scale_ = nullptr;
    HeadsGrid* grid_ = nullptr;
    ChartPanel* scatter_ = nullptr;
    QSplitter* split_ = nullptr;
    bool user_split_ = false;  // the user moved the splitter: stop sizing the grid automatically
    QTimer refresh_;
};

}  // namespace rs::ui
