// The attention view: for one layer and query head, the real head's map, its imaginary twin's (the
// virtual imaginary head for vanilla RoPE) and their difference (imag - real probability), zoomed
// and panned together from a 32k-token overview down to single tokens, with hover read-out,
// colour bars and figure export.
#pragma once

#include <QPointer>
#include <QString>
#include <QTimer>
#include <QWidget>
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "head_layout.h"
#include "colormap.h"
#include "exportable.h"
#include "tile_source.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QPushButton;

namespace rs::ui {

class ColorBar;
class HeadPairTiles;
class HeatmapView;
class LinkedPanelRow;
class MapViewport;

class AttentionView : public QWidget, public Exportable {
    Q_OBJECT
  public:
    enum class Panel { Real = 0, Imag = 1, Diff = 2 };
    // What the third panel shows: imag - real probability, or the log ratio ln p_imag - ln p_real
    // (how many times more or less likely, readable where both probabilities are tiny).
    enum class DiffMode { Probability = 0, LogRatio = 1 };
    // Probabilities below this are taken as this in the log ratio (a 0 would give ±inf).
    static constexpr double kLogRatioFloor = 1e-12;

    explicit AttentionView(QWidget* parent = nullptr);
    ~AttentionView() override;

    // The maps to show and the head layout that pairs real heads with their imaginary twins
    // (layout.heads.size() must equal source->heads()). Shows layer 0, first real head, all of it.
    void set_source(std::shared_ptr<const TileSource> source, const HeadLayout& layout);
    void clear();
    const std::shared_ptr<const TileSource>& source() const;

    // Shows `head` (any analysis head: a real head, an imaginary one or a virtual one) of `layer`
    // with its twin; the real one always goes left. Emits head_changed.
    void show_head(int layer, int head);
    int layer() const { return layer_; }
    int head() const { return head_; }
    int real_head() const;
    int imag_head() const;  // -1 when the head has no imaginary twin

    // Shows `region` (made square over its longer side) in all three panels.
    void set_viewport(const MapRegion& region);
    // The whole positions at least partly visible (stride 1).
    MapRegion viewport() const;
    void reset_zoom();
    // Zooms all panels about the centre of the view (factor > 1 zooms in).
    void zoom_by(double factor);

    void set_colormap(Colormap map);   // Viridis or Magma for the probability panels
    void set_log_scale(bool log);      // log10 colours with a floor (default on)
    void set_log_floor(double floor);  // default 1e-6
    Colormap colormap() const { return colormap_; }
    bool log_scale() const { return log_; }
    void set_diff_mode(DiffMode mode);
    DiffMode diff_mode() const { return diff_mode_; }
    // The difference panel's colour range ±max_abs (> 0), or nullopt: automatic, covering 99.5% of
    // the visible entries. Stated in the caption and CSV header either way.
    void set_diff_range(std::optional<double> max_abs);
    const std::optional<double>& diff_range() const { return diff_range_; }
    QStringList figure_parameters() const override;
    // How exact the exact tiles are (from the trace's Q/K precision), said in the hover read-out
    // and the exported caption and CSV header; empty: not stated.
    void set_exact_note(const QString& note) { exact_note_ = note; }
    const QString& exact_note() const { return exact_note_; }

    // The exact tile on display for the real or imaginary panel (null: only the overview is
    // shown, or none has arrived yet), and whether the one the viewport wants is still coming.
    std::shared_ptr<const MapTile> displayed_tile(Panel which) const;
    std::shared_ptr<const MapOverview> displayed_overview(Panel which) const;
    bool tile_pending() const;
    bool overview_pending() const;
    // Everything the current viewport asks for is on display (or failed): no refresh, overview or
    // tile still to come. What headless rendering waits for before exporting.
    bool settled() const;
    // Why the last overview or tile could not be computed; empty when all is well.
    QString tile_error() const;

    // The read-out for cell (query t, key s): positions and token text, distance t - s,
    // probability and logit of both heads and their difference, from the exact tile on display
    // when it holds the cell, else the overview's pooled means.
    QString hover_text(int query, int key) const;

    HeatmapView* panel(Panel which) const { return panels_[int(which)]; }
    MapViewport* viewport_model() const { return viewport_; }
    const QLabel* status_label() const { return status_; }

    // Exportable: a header line, the three panels (maps raster, everything else vector) and both
    // colour bars.
    void render_figure(QPainter& painter, const QRectF& target) const override;
    QSizeF figure_size() const override;
    // Long format, one row per visible exact entry (masked s > t left out):
    //   query,key,real_prob,imag_prob,diff,real_logit,imag_logit
    // (diff = imag_prob - real_prob; imaginary columns empty for a head without twin). When only
    // the pooled overview is on display, one row per visible overview cell:
    //   query_begin,query_end,key_begin,key_end,real_mean_prob,imag_mean_prob,diff_mean_prob
    // In log-ratio mode a last column follows: log_ratio (ln imag_prob - ln real_prob), or
    // log_ratio_of_means for the overview.
    QString figure_csv() const override;
    QString figure_name() const override;  // "attention_L<layer>_H<head>"

  signals:
    void head_changed(int layer, int head);
    void hovered(const QString& text);
    // The values on display changed (an overview or exact tile arrived, or the head changed).
    void display_changed();

  private:
    void build_ui();
    void fill_head_box();
    void schedule_refresh();
    void refresh();
    void rebuild_overviews();
    void rebuild_tiles();
    void update_scales();
    void update_info();
    void on_hover(int query, int key);
    QString token_text(int position) const;
    QString header_text() const;
    std::vector<float> diff_of(const std::vector<float>& imag, const std::vector<float>& real) const;
    double diff_value(double imag, double real) const;
    void on_range_edited();

    std::shared_ptr<const TileSource> source_;
    HeadLayout layout_;
    std::vector<QString> labels_;  // visible text of every token, read once per source
    int layer_ = 0, head_ = -1;
    Colormap colormap_ = Colormap::Viridis;
    bool log_ = true;
    double log_floor_ = 1e-6;
    DiffMode diff_mode_ = DiffMode::Probability;
    std::optional<double> diff_range_;
    QString exact_note_;

    MapViewport* viewport_;
    HeadPairTiles* tiles_;
    std::array<HeatmapView*, 3> panels_{};
    ColorBar* prob_bar_;
    ColorBar* diff_bar_;
    LinkedPanelRow* row_;
    QSpinBox* layer_box_;
    QComboBox* head_box_;
    QComboBox* colormap_box_;
    QComboBox* scale_box_;
    QComboBox* diff_mode_box_;
    QLineEdit* diff_range_edit_;
    QPushButton* reset_button_;
    QLabel* status_;        // hover read-out
    QLabel* info_;          // what is on display: overview / exact tile, stride, loading
    QTimer refresh_timer_;  // single-shot: one refresh per batch of viewport changes
    int hover_query_ = -1, hover_key_ = -1;
};

}  // namespace rs::ui
