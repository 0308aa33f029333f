// Wiring of the attention view: head selection, the three linked panels and their colour scales,
// hover read-out and figure/CSV export.
#include "attention_view.h"

#include <QComboBox>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTextStream>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "colorbar.h"
#include "figure_canvas.h"
#include "head_pair_tiles.h"
#include "heatmap_axis.h"
#include "heatmap_view.h"
#include "linked_panel_row.h"
#include "map_raster.h"
#include "map_viewport.h"

namespace rs::ui {

namespace {

constexpr double kFigureFont = 9.0;   // figure text size in points
constexpr double kFigureMap = 250.0;  // side of each exported map in points
const QString kMinus = QString(QChar(0x2212));

// Rounds up to two significant digits, so an automatic colour range changes in visible steps
// and its colour-bar labels stay short.
double round_up(double v) {
    if (!(v > 0) || !std::isfinite(v)) return 0;
    const double p = std::pow(10.0, std::floor(std::log10(v)) - 1);
    return std::ceil(v / p - 1e-9) * p;
}

constexpr double kDiffQuantile = 0.995;

QString fmt_prob(double p) {
    return QString::number(p, 'g', 4);
}
QString fmt_logit(float l) {
    return std::isfinite(l) ? QString::number(l, 'f', 3) : "-inf";
}
QString fmt_diff(double d) {
    return (d >= 0 ? "+" : "") + QString::number(d, 'g', 4);
}

// Entry of a tile holding position (query, key): its row/col index, or false when outside.
bool tile_entry(const MapTile& t, int query, int key, int& i, int& j) {
    const MapRegion& r = t.region;
    if (query < r.row0 || query >= r.row1 || key < r.col0 || key >= r.col1) return false;
    i = (query - r.row0) / r.stride;
    j = (key - r.col0) / r.stride;
    return i < t.rows && j < t.cols;
}

// Overview cell holding `pos` with edges floor(i * T / side).
int overview_cell(int pos, int tokens, int side) {
    auto edge = [&](long i) { return int(i * tokens / side); };
    int i = int(long(pos) * side / tokens);
    while (i + 1 < side && edge(i + 1) <= pos) ++i;
    while (i > 0 && edge(i) > pos) --i;
    return i;
}

MapGrid grid_of(const std::shared_ptr<const MapOverview>& ov) {
    if (!ov || ov->side <= 0) return {};
    return MapGrid::from_overview(ov->tokens, ov->side, ov->mean_prob);
}

MapGrid grid_of(const std::shared_ptr<const MapTile>& t) {
    if (!t) return {};
    return MapGrid::from_tile(t->region, t->rows, t->cols, t->prob);
}

double log_ratio(double imag, double real) {
    const double floor = AttentionView::kLogRatioFloor;
    return std::log(std::max(imag, floor)) - std::log(std::max(real, floor));
}

}  // namespace

AttentionView::AttentionView(QWidget* parent)
    : QWidget(parent), viewport_(new MapViewport(this)), tiles_(new HeadPairTiles(this)) {
    build_ui();
    refresh_timer_.setSingleShot(true);
    refresh_timer_.setInterval(0);
    connect(&refresh_timer_, &QTimer::timeout, this, &AttentionView::refresh);
    connect(viewport_, &MapViewport::changed, this, &AttentionView::schedule_refresh);
    connect(tiles_, &HeadPairTiles::overviews_changed, this, &AttentionView::rebuild_overviews);
    connect(tiles_, &HeadPairTiles::tiles_changed, this, &AttentionView::rebuild_tiles);
    connect(tiles_, &HeadPairTiles::failed, this, &AttentionView::update_info);
    update_scales();
    update_info();
}

AttentionView::~AttentionView() = default;

void AttentionView::build_ui() {
    auto* top = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    layer_box_ = new QSpinBox;
    layer_box_->setPrefix("layer ");
    head_box_ = new QComboBox;
    head_box_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    colormap_box_ = new QComboBox;
    colormap_box_->addItem("viridis", int(Colormap::Viridis));
    colormap_box_->addItem("magma", int(Colormap::Magma));
    scale_box_ = new QComboBox;
    scale_box_->addItem("log10 colours", true);
    scale_box_->addItem("linear colours", false);
    diff_mode_box_ = new QComboBox;
    diff_mode_box_->addItem("imag " + kMinus + " real", int(DiffMode::Probability));
    diff_mode_box_->addItem("log ratio ln(imag / real)", int(DiffMode::LogRatio));
    diff_mode_box_->setToolTip("What the difference map shows: the difference of the two "
                               "probabilities, or their log ratio ln p_imag " + kMinus +
                               " ln p_real");
    diff_range_edit_ = new QLineEdit;
    diff_range_edit_->setPlaceholderText("auto");
    diff_range_edit_->setMaximumWidth(90);
    diff_range_edit_->setToolTip(
        "Colour range of the difference map, ± this value (beyond it the colour saturates). "
        "Empty: automatic, 99.5% of the visible entries.");
    reset_button_ = new QPushButton("Reset zoom");
    reset_button_->setToolTip("Show the whole map (or double-click a map)");
    bar->addWidget(new QLabel("Show"));
    bar->addWidget(layer_box_);
    bar->addWidget(head_box_);
    bar->addSpacing(12);
    bar->addWidget(colormap_box_);
    bar->addWidget(scale_box_);
    bar->addWidget(reset_button_);
    bar->addSpacing(12);
    bar->addWidget(new QLabel("Difference"));
    bar->addWidget(diff_mode_box_);
    bar->addWidget(new QLabel("range ±"));
    bar->addWidget(diff_range_edit_);
    bar->addStretch(1);
    top->addLayout(bar);

    row_ = new LinkedPanelRow;
    const TokenLabelFn labels = [this](int p) { return token_text(p); };
    for (int i = 0; i < 3; ++i) {
        auto* p = new HeatmapView(viewport_);
        p->set_token_labels(labels);
        p->set_show_query_labels(i == 0);
        connect(p, &HeatmapView::cell_hovered, this, &AttentionView::on_hover);
        connect(p, &HeatmapView::map_pixels_changed, this, &AttentionView::schedule_refresh);
        panels_[i] = p;
    }
    panels_[2]->set_title("imag " + kMinus + " real");
    prob_bar_ = new ColorBar;
    diff_bar_ = new ColorBar;
    row_->add_panel(panels_[0]);
    row_->add_panel(panels_[1]);
    row_->add_bar(prob_bar_);
    row_->add_panel(panels_[2]);
    row_->add_bar(diff_bar_);
    top->addWidget(row_, 1);

    status_ = new QLabel;
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    info_ = new QLabel;
    info_->setEnabled(false);  // greyed: secondary information
    // Text changes on every mouse move and frame: the labels must never resize the window (a
    // relayout per frame costs more than painting the maps).
    for (QLabel* l : {status_, info_}) {
        l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
        l->setMinimumWidth(1);
    }
    top->addWidget(status_);
    top->addWidget(info_);

    connect(layer_box_, qOverload<int>(&QSpinBox::valueChanged), this,
            [this](int layer) { show_head(layer, head_); });
    connect(head_box_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { show_head(layer_, head_box_->itemData(i).toInt()); });
    connect(colormap_box_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { set_colormap(Colormap(colormap_box_->itemData(i).toInt())); });
    connect(scale_box_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { set_log_scale(scale_box_->itemData(i).toBool()); });
    connect(reset_button_, &QPushButton::clicked, this, &AttentionView::reset_zoom);
    connect(diff_mode_box_, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { set_diff_mode(DiffMode(diff_mode_box_->itemData(i).toInt())); });
    connect(diff_range_edit_, &QLineEdit::editingFinished, this, &AttentionView::on_range_edited);
}

const std::shared_ptr<const TileSource>& AttentionView::source() const {
    return source_;
}

void AttentionView::set_source(std::shared_ptr<const TileSource> source, const HeadLayout& layout) {
    if (source && layout.analysis_heads() != source->heads()) source = nullptr;
    source_ = std::move(source);
    layout_ = source_ ? layout : HeadLayout{};
    labels_.clear();
    if (source_) {
        // Read every label now, before the worker can touch the source: token_label is then
        // never called concurrently with a tile.
        labels_.reserve(source_->tokens());
        for (int p = 0; p < source_->tokens(); ++p)
            labels_.push_back(QString::fromStdString(source_->token_label(p)));
    }
    tiles_->set_source(source_);
    layer_ = 0;
    head_ = -1;
    {
        const QSignalBlocker block(layer_box_);
        layer_box_->setRange(0, source_ ? std::max(0, source_->layers() - 1) : 0);
        layer_box_->setValue(0);
    }
    fill_head_box();
    viewport_->set_tokens(source_ ? source_->tokens() : 0);
    // Axis margins fit the widest label (display form); the row then re-solves equal maps.
    QString longest;
    const QFontMetricsF fm(panels_[0]->widget_font());
    double widest = 0;
    for (const QString& l : labels_) {
        const QString shown = display_token(l);
        if (shown.size() * fm.maxWidth() < widest) continue;  // cannot be wider: skip measuring
        const double w = fm.horizontalAdvance(shown);
        if (w > widest) {
            widest = w;
            longest = shown;
        }
    }
    for (auto* p : panels_) p->set_longest_label(longest);
    row_->relayout();
    hover_query_ = hover_key_ = -1;
    status_->clear();
    if (source_) {
        int first = 0;
        while (first < layout_.analysis_heads() && layout_.heads[first].imag) ++first;
        show_head(0, first < layout_.analysis_heads() ? first : 0);
    } else {
        for (auto* p : panels_) {
            p->set_overview({});
            p->set_exact({});
            p->set_message({});
        }
        update_info();
        emit display_changed();
    }
}

void AttentionView::clear() {
    exact_note_.clear();
    set_source(nullptr, {});
}

void AttentionView::fill_head_box() {
    const QSignalBlocker block(head_box_);
    head_box_->clear();
    for (const HeadInfo& h : layout_.heads) {
        // One entry per real head (or per lone imaginary head): the pair is what the view shows.
        if (h.imag && h.twin >= 0) continue;
        QString text =
            QString("head %1: %2").arg(h.index).arg(QString::fromStdString(layout_.label(h.index)));
        if (h.twin >= 0)
            text += QString(" / %1").arg(QString::fromStdString(layout_.label(h.twin)));
        head_box_->addItem(text, h.index);
    }
}

int AttentionView::real_head() const {
    return tiles_->real_head();
}
int AttentionView::imag_head() const {
    return tiles_->imag_head();
}

void AttentionView::show_head(int layer, int head) {
    if (!source_ || layer < 0 || layer >= source_->layers() || head < 0 ||
        head >= layout_.analysis_heads())
        return;
    const HeadInfo& h = layout_.heads[head];
    int real = head, imag = h.twin;
    if (h.imag && h.twin >= 0) std::swap(real, imag);
    // A NoPE layer rotates nothing, so it has no imaginary part: show its real head alone.
    const bool nope = !source_->layer_has_rope(layer);
    if (nope) imag = -1;
    const bool changed = layer != layer_ || head != head_;
    layer_ = layer;
    head_ = head;
    {
        const QSignalBlocker b1(layer_box_), b2(head_box_);
        layer_box_->setValue(layer);
        head_box_->setCurrentIndex(std::max(0, head_box_->findData(real)));
    }
    const QString prefix = QString("L%1 ").arg(layer);
    panels_[0]->set_title(prefix + QString::fromStdString(layout_.label(real)));
    panels_[1]->set_title(imag >= 0 ? prefix + QString::fromStdString(layout_.label(imag))
                                    : prefix + (nope ? "NoPE layer: no imaginary part" : "no imaginary twin"));
    panels_[1]->set_message(imag >= 0 ? QString()
                            : nope    ? "Layer " + QString::number(layer) +
                                         " has no RoPE (a NoPE layer): attention there is by content "
                                         "alone, so there is no imaginary part."
                                      : "This head has no imaginary twin.");
    panels_[2]->set_message(imag >= 0 ? QString() : "No difference to show.");
    for (auto* p : panels_) p->set_window(source_->layer_window(layer));
    tiles_->set_heads(layer, real, imag);
    schedule_refresh();
    if (changed) emit head_changed(layer, head);
}

void AttentionView::set_viewport(const MapRegion& region) {
    viewport_->set_region(region);
}
MapRegion AttentionView::viewport() const {
    return viewport_->region();
}
void AttentionView::reset_zoom() {
    viewport_->reset();
}
void AttentionView::zoom_by(double factor) {
    const double half = viewport_->span() / 2;
    viewport_->zoom_at({viewport_->x0() + half, viewport_->y0() + half}, factor);
}

void AttentionView::set_colormap(Colormap map) {
    if (map == Colormap::Diverging) return;  // reserved for the difference panel
    colormap_ = map;
    const QSignalBlocker block(colormap_box_);
    colormap_box_->setCurrentIndex(std::max(0, colormap_box_->findData(int(map))));
    update_scales();
}

void AttentionView::set_log_scale(bool log) {
    log_ = log;
    const QSignalBlocker block(scale_box_);
    scale_box_->setCurrentIndex(std::max(0, scale_box_->findData(log)));
    update_scales();
}

void AttentionView::set_log_floor(double floor) {
    if (floor > 0 && floor < 1) log_floor_ = floor;
    update_scales();
}

void AttentionView::set_diff_mode(DiffMode mode) {
    const bool changed = mode != diff_mode_;
    diff_mode_ = mode;
    {
        const QSignalBlocker block(diff_mode_box_);
        diff_mode_box_->setCurrentIndex(std::max(0, diff_mode_box_->findData(int(mode))));
    }
    panels_[2]->set_title(mode == DiffMode::LogRatio ? "ln(imag / real)"
                                                     : "imag " + kMinus + " real");
    // A hand-set range belongs to one quantity: a ±0.002 probability range means nothing in log
    // ratio, so switching goes back to automatic.
    if (changed) set_diff_range(std::nullopt);
    rebuild_overviews();
    rebuild_tiles();
}

void AttentionView::set_diff_range(std::optional<double> max_abs) {
    if (max_abs && !(*max_abs > 0 && std::isfinite(*max_abs))) max_abs.reset();
    diff_range_ = max_abs;
    {
        const QSignalBlocker block(diff_range_edit_);
        diff_range_edit_->setText(max_abs ? QString::number(*max_abs, 'g', 6) : QString());
    }
    update_scales();
}

void AttentionView::on_range_edited() {
    const QString text = diff_range_edit_->text().trimmed();
    bool ok = false;
    const double v = text.toDouble(&ok);
    const bool valid = text.isEmpty() || (ok && v > 0 && std::isfinite(v));
    if (valid && status_->text().startsWith("Difference range:")) status_->clear();
    if (text.isEmpty()) {
        set_diff_range(std::nullopt);
    } else if (valid) {
        set_diff_range(v);
    } else {  // not a positive number: say so and put the range on display back in the box
        status_->setText("Difference range: “" + text +
                         "” is not a positive number (leave it empty for automatic).");
        set_diff_range(diff_range_);
    }
}

double AttentionView::diff_value(double imag, double real) const {
    return diff_mode_ == DiffMode::LogRatio ? log_ratio(imag, real) : imag - real;
}

std::vector<float> AttentionView::diff_of(const std::vector<float>& imag,
                                          const std::vector<float>& real) const {
    std::vector<float> d(real.size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = float(diff_value(imag[i], real[i]));
    return d;
}

std::shared_ptr<const MapTile> AttentionView::displayed_tile(Panel which) const {
    return which == Panel::Diff ? nullptr : tiles_->tile(int(which));
}

std::shared_ptr<const MapOverview> AttentionView::displayed_overview(Panel which) const {
    return which == Panel::Diff ? nullptr : tiles_->overview(int(which));
}

bool AttentionView::tile_pending() const {
    return tiles_->tile_pending();
}
bool AttentionView::overview_pending() const {
    return tiles_->overview_pending();
}
bool AttentionView::settled() const {
    return !refresh_timer_.isActive() && !overview_pending() && !tile_pending();
}
QString AttentionView::tile_error() const {
    return tiles_->error();
}

void AttentionView::schedule_refresh() {
    if (!refresh_timer_.isActive()) refresh_timer_.start();
}

void AttentionView::refresh() {
    int pixels = 0;
    for (auto* p : panels_) pixels = std::max(pixels, p->map_pixels());
    tiles_->request(viewport_->x0(), viewport_->y0(), viewport_->span(), pixels);
    update_scales();
    update_info();
    if (hover_query_ >= 0) on_hover(hover_query_, hover_key_);
}

void AttentionView::rebuild_overviews() {
    const auto real = tiles_->overview(0), imag = tiles_->overview(1);
    panels_[0]->set_overview(grid_of(real));
    panels_[1]->set_overview(grid_of(imag));
    MapGrid diff;
    if (real && imag && real->side == imag->side)
        diff = MapGrid::from_overview(real->tokens, real->side,
                                      diff_of(imag->mean_prob, real->mean_prob));
    panels_[2]->set_overview(std::move(diff));
    update_scales();
    update_info();
    emit display_changed();
}

void AttentionView::rebuild_tiles() {
    const auto real = tiles_->tile(0), imag = tiles_->tile(1);
    panels_[0]->set_exact(grid_of(real));
    panels_[1]->set_exact(grid_of(imag));
    MapGrid diff;
    if (real && imag && real->prob.size() == imag->prob.size())
        diff = MapGrid::from_tile(real->region, real->rows, real->cols,
                                  diff_of(imag->prob, real->prob));
    panels_[2]->set_exact(std::move(diff));
    update_scales();
    update_info();
    if (hover_query_ >= 0) on_hover(hover_query_, hover_key_);
    emit display_changed();
}

void AttentionView::update_scales() {
    const double x0 = viewport_->x0(), y0 = viewport_->y0(), span = viewport_->span();
    // Largest value on display in a panel: its exact tile where there is one, else the overview.
    auto visible_max = [&](const HeatmapView* p, bool absolute) {
        const MapGrid& g = p->exact().empty() ? p->overview() : p->exact();
        return double(g.max_in(x0, y0, span, absolute));
    };
    ColorScale prob;
    if (log_) {
        prob = ColorScale::probability(colormap_, true, 1.0, log_floor_);
    } else {
        const double hi = std::max(visible_max(panels_[0], false), visible_max(panels_[1], false));
        prob = ColorScale::probability(colormap_, false, hi > 0 ? round_up(hi) : 1.0, log_floor_);
    }
    // The difference scale covers 99.5% of the visible entries (beyond it the colour saturates):
    // a single entry near ±1 must not wash out every other difference.
    const HeatmapView* d = panels_[2];
    const MapGrid& dg = d->exact().empty() ? d->overview() : d->exact();
    const ColorScale diff = ColorScale::difference(
        diff_range_ ? *diff_range_
                    : round_up(double(dg.max_in(x0, y0, span, true, kDiffQuantile))));
    panels_[0]->set_color_scale(prob);
    panels_[1]->set_color_scale(prob);
    panels_[2]->set_color_scale(diff);
    prob_bar_->set_scale(prob);
    prob_bar_->set_caption(log_ ? "probability (log10 scale)" : "probability");
    diff_bar_->set_scale(diff);
    diff_bar_->set_caption(diff_mode_ == DiffMode::LogRatio
                               ? "ln p_imag " + kMinus + " ln p_real"
                               : "imag " + kMinus + " real probability");
}

void AttentionView::update_info() {
    if (!source_) {
        info_->setText("No attention maps loaded.");
        return;
    }
    const MapRegion v = viewport();
    QString text = QString("T = %1 · showing t %2–%3, s %4–%5")
                       .arg(source_->tokens())
                       .arg(v.row0)
                       .arg(v.row1 - 1)
                       .arg(v.col0)
                       .arg(v.col1 - 1);
    if (const auto tile = tiles_->tile(0)) {
        text +=
            tile->region.stride == 1
                ? QString(" · exact values")
                : QString(" · exact values sampled every %1 positions").arg(tile->region.stride);
    } else if (const auto ov = tiles_->overview(0)) {
        text += QString(" · pooled: mean probability over cells of %1 positions")
                    .arg(double(ov->tokens) / ov->side, 0, 'g', 3);
    }
    if (tiles_->overview_pending()) text += " · loading overview…";
    if (tiles_->tile_pending()) text += " · loading exact tile…";
    if (!tiles_->error().isEmpty()) text += " · error: " + tiles_->error();
    if (const auto warnings = source_->warnings(); !warnings.empty())
        text += " · warning: " + QString::fromStdString(warnings.back());
    info_->setText(text);
}

QString AttentionView::token_text(int position) const {
    if (position < 0 || position >= int(labels_.size())) return QString::number(position);
    return labels_[position];
}

void AttentionView::on_hover(int query, int key) {
    hover_query_ = query;
    hover_key_ = key;
    const QString text = hover_text(query, key);
    status_->setText(text);
    emit hovered(text);
}

QString AttentionView::hover_text(int query, int key) const {
    if (!source_ || query < 0 || key < 0 || query >= source_->tokens() || key >= source_->tokens())
        return {};
    const auto tok = [this](int p) {
        return QString("%1 “%2”").arg(p).arg(display_token(token_text(p), 24));
    };
    const auto real = tiles_->tile(0), imag = tiles_->tile(1);
    int i = 0, j = 0;
    if (real && tile_entry(*real, query, key, i, j)) {
        // With a stride the entry holds the exact value at its block's first position.
        const int t = real->region.row0 + i * real->region.stride;
        const int s = real->region.col0 + j * real->region.stride;
        QString text =
            QString("query t=%1 · key s=%2 · t%3s=%4").arg(tok(t), tok(s), kMinus).arg(t - s);
        if (s > t) return text + " · masked (s > t)";
        const std::size_t k = std::size_t(i) * real->cols + j;
        text += QString(" · real p=%1 logit=%2")
                    .arg(fmt_prob(real->prob[k]), fmt_logit(real->logit[k]));
        if (imag && k < imag->prob.size()) {
            text += QString(" · imag p=%1 logit=%2")
                        .arg(fmt_prob(imag->prob[k]), fmt_logit(imag->logit[k]));
            text += QString(" · imag%1real %2")
                        .arg(kMinus, fmt_diff(double(imag->prob[k]) - real->prob[k]));
            if (diff_mode_ == DiffMode::LogRatio)
                text += " · ln(imag/real) " + fmt_diff(log_ratio(imag->prob[k], real->prob[k]));
        }
        if (real->region.stride > 1)
            text += QString(" (exact, sampled every %1 positions)").arg(real->region.stride);
        if (!exact_note_.isEmpty()) text += " · " + exact_note_;
        return text;
    }
    if (key > query)
        return QString("query t=%1 · key s=%2 · masked (s > t)").arg(tok(query), tok(key));
    const auto ov_real = tiles_->overview(0), ov_imag = tiles_->overview(1);
    if (!ov_real) return QString("query t=%1 · key s=%2 · loading…").arg(tok(query), tok(key));
    const int T = ov_real->tokens, P = ov_real->side;
    const int ci = overview_cell(query, T, P), cj = overview_cell(key, T, P);
    const auto edge = [&](int c) { return int(long(c) * T / P); };
    const int t0 = edge(ci), t1 = edge(ci + 1) - 1, s0 = edge(cj), s1 = edge(cj + 1) - 1;
    QString text =
        t0 == t1 && s0 == s1
            ? QString("query t=%1 · key s=%2 · t%3s=%4").arg(tok(t0), tok(s0), kMinus).arg(t0 - s0)
            : QString("query t=%1–%2 · key s=%3–%4 (pooled %5 x %6)")
                  .arg(t0)
                  .arg(t1)
                  .arg(s0)
                  .arg(s1)
                  .arg(t1 - t0 + 1)
                  .arg(s1 - s0 + 1);
    const double pr = ov_real->mean_prob[std::size_t(ci) * P + cj];
    text += QString(" · real mean p=%1").arg(fmt_prob(pr));
    if (ov_imag && ov_imag->side == P) {
        const double pi = ov_imag->mean_prob[std::size_t(ci) * P + cj];
        text += QString(" · imag mean p=%1 · imag%2real %3")
                    .arg(fmt_prob(pi), kMinus, fmt_diff(pi - pr));
        if (diff_mode_ == DiffMode::LogRatio)
            text += " · ln(imag/real) " + fmt_diff(log_ratio(pi, pr));
    }
    return text + " · logits need the exact tile";
}

QString AttentionView::header_text() const {
    if (!source_ || real_head() < 0) return "No attention maps";
    const MapRegion v = viewport();
    QString pair = QString::fromStdString(layout_.label(real_head()));
    if (imag_head() >= 0) pair += " vs " + QString::fromStdString(layout_.label(imag_head()));
    return QString("Layer %1 · %2 · T = %3 · query t %4–%5, key s %6–%7")
        .arg(layer_)
        .arg(pair)
        .arg(source_->tokens())
        .arg(v.row0)
        .arg(v.row1 - 1)
        .arg(v.col0)
        .arg(v.col1 - 1);
}

QSizeF AttentionView::figure_size() const {
    QFont f = font();
    f.setPixelSize(int(kFigureFont));
    const QFontMetricsF fm(f);
    double w = 0, h = 0;
    for (auto* p : panels_) {
        const QSizeF m = p->margins(f);
        w += kFigureMap + m.width();
        h = std::max(h, kFigureMap + m.height());
    }
    w += colorbar_width(fm, prob_bar_->scale()) + colorbar_width(fm, diff_bar_->scale());
    return {std::ceil(w), std::ceil(h + fm.height() * 1.6)};
}

void AttentionView::render_figure(QPainter& p, const QRectF& target) const {
    const QSizeF fs = figure_size();
    const FigureCanvas canvas(p, target, fs, font(), int(kFigureFont));
    const QFont& f = canvas.font();
    const QFontMetricsF fm(f);
    const double header = fm.height() * 1.6;
    const double inset = fm.height() / 2;  // the header must not touch the page edge
    p.drawText(QRectF(inset, 0, fs.width() - inset, header), Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(header_text(), Qt::ElideRight, fs.width() - inset));
    const double h = fs.height() - header;
    double x = 0;
    QRectF map;
    auto panel = [&](int i) {
        const QRectF r(x, header, kFigureMap + panels_[i]->margins(f).width(), h);
        panels_[i]->paint_figure(p, r);
        map = panels_[i]->map_rect_in(r, f);
        x += r.width();
    };
    auto bar = [&](const ColorBar* b) {
        const double w = colorbar_width(fm, b->scale());
        paint_colorbar(p, QRectF(x + 2, map.top(), w - 4, map.height()), b->scale(), b->caption());
        x += w;
    };
    panel(0);
    panel(1);
    bar(prob_bar_);
    panel(2);
    bar(diff_bar_);
}

QString AttentionView::figure_csv() const {
    QString out;
    QTextStream s(&out);
    const MapRegion v = viewport();
    const auto real = tiles_->tile(0), imag = tiles_->tile(1);
    const auto num = [](double x) { return QString::number(x, 'g', 9); };
    const bool ratio = diff_mode_ == DiffMode::LogRatio;
    if (real) {
        s << "query,key,real_prob,imag_prob,diff,real_logit,imag_logit"
          << (ratio ? ",log_ratio\n" : "\n");
        const MapRegion& r = real->region;
        for (int i = 0; i < real->rows; ++i) {
            const int t = r.row0 + i * r.stride;
            if (t < v.row0 || t >= v.row1) continue;
            for (int j = 0; j < real->cols; ++j) {
                const int k = r.col0 + j * r.stride;
                if (k > t) break;
                if (k < v.col0 || k >= v.col1) continue;
                const std::size_t e = std::size_t(i) * real->cols + j;
                s << t << ',' << k << ',' << num(real->prob[e]) << ',';
                if (imag)
                    s << num(imag->prob[e]) << ',' << num(double(imag->prob[e]) - real->prob[e]);
                else
                    s << ',';
                s << ',' << num(real->logit[e]) << ',';
                if (imag) s << num(imag->logit[e]);
                if (ratio) s << ',';
                if (ratio && imag) s << num(log_ratio(imag->prob[e], real->prob[e]));
                s << '\n';
            }
        }
        return out;
    }
    s << "query_begin,query_end,key_begin,key_end,real_mean_prob,imag_mean_prob,diff_mean_prob"
      << (ratio ? ",log_ratio_of_means\n" : "\n");
    const auto ov = tiles_->overview(0), ovi = tiles_->overview(1);
    if (!ov) return out;
    const int T = ov->tokens, P = ov->side;
    const auto edge = [&](int c) { return int(long(c) * T / P); };
    for (int i = 0; i < P; ++i) {
        const int a = edge(i), b = edge(i + 1);
        if (b <= v.row0 || a >= v.row1 || a == b) continue;
        for (int j = 0; j < P; ++j) {
            const int c = edge(j), d = edge(j + 1);
            if (d <= v.col0 || c >= v.col1 || c >= b || c == d) continue;
            const std::size_t e = std::size_t(i) * P + j;
            s << a << ',' << b << ',' << c << ',' << d << ',' << num(ov->mean_prob[e]) << ',';
            const bool twin = ovi && ovi->side == P;
            if (twin)
                s << num(ovi->mean_prob[e]) << ','
                  << num(double(ovi->mean_prob[e]) - ov->mean_prob[e]);
            else
                s << ',';
            if (ratio) s << ',';
            if (ratio && twin) s << num(log_ratio(ovi->mean_prob[e], ov->mean_prob[e]));
            s << '\n';
        }
    }
    return out;
}

QString AttentionView::figure_name() const {
    // The head the head list shows (the pair's real head), whichever of the pair was asked for.
    const int listed = real_head() >= 0 ? real_head() : head_;
    return QString("attention_L%1_H%2").arg(layer_).arg(std::max(0, listed));
}

QStringList AttentionView::figure_parameters() const {
    if (!source_) return {};
    const MapRegion v = viewport();
    QStringList p{QString("layer: %1").arg(layer_),
                  imag_head() >= 0
                      ? QString("heads: %1 real, %2 imaginary").arg(real_head()).arg(imag_head())
                      : QString("head: %1").arg(head_),
                  QString("positions: queries %1–%2, keys %3–%4")
                      .arg(v.row0)
                      .arg(v.row1 - 1)
                      .arg(v.col0)
                      .arg(v.col1 - 1),
                  log_ ? QString("colour: log10 probability, floor %1").arg(log_floor_)
                       : QString("colour: linear probability"),
                  diff_mode_ == DiffMode::LogRatio
                      ? QString("difference: log ratio ln p_imag %1 ln p_real (natural log; "
                                "probabilities below %2 taken as %2)")
                            .arg(kMinus)
                            .arg(kLogRatioFloor)
                      : QString("difference: imag %1 real probability").arg(kMinus),
                  "difference colour range: ±" + QString::number(diff_bar_->scale().hi, 'g', 3) +
                      (diff_range_ ? " (set by hand; beyond saturates)"
                                   : " (automatic: 99.5% of visible entries; beyond saturates)")};
    if (!exact_note_.isEmpty()) p << "exact values: " + exact_note_;
    if (const auto tile = tiles_->tile(0))
        p << (tile->region.stride == 1 ? QString("cells: exact values")
                                       : QString("cells: exact values sampled every %1 positions")
                                             .arg(tile->region.stride));
    else if (const auto ov = tiles_->overview(0))
        p << QString("cells: pooled, mean probability over %1 x %1 positions")
                 .arg(double(ov->tokens) / ov->side, 0, 'g', 3);
    return p;
}

}  // namespace rs::ui
