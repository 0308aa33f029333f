// Full in-memory attention maps: recording them with a probe, exact tiles and pooled overviews.
#include "memory_tile_source.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.h"
#include "model.h"

namespace rs::ui {

namespace {
constexpr long kMaxEntries = 1L << 24;  // same bound as the core's tiles: 64 MiB of floats

std::size_t triangle(int t) {
    return std::size_t(t) * (t + 1) / 2;
}
}  // namespace

// Copies each streamed block's valid logits (s <= t) and row lse into the pre-allocated maps.
// Heads arrive concurrently but each head's rows in order, and every head owns its storage, so no
// lock is needed.
class MemoryMapRecorder : public AttentionProbe {
  public:
    MemoryMapRecorder(MemoryTileSource& source, std::vector<bool> keep)
        : source_(source), keep_(std::move(keep)) {}
    bool wants(int layer, int) const override { return keep_[layer]; }
    void on_block(const AttentionBlock& b) override {
        auto& m = source_.storage(b.layer, b.head);
        for (int r = 0; r < b.rows(); ++r) {
            const int t = b.row_begin + r;
            const float* row = b.logits + std::size_t(r) * b.ld;
            std::copy(row, row + t + 1, m.logits.begin() + long(triangle(t)));
            m.lse[t] = b.lse[r];
        }
    }

  private:
    MemoryTileSource& source_;
    std::vector<bool> keep_;
};

MemoryTileSource::MemoryTileSource(int tokens, int layers, int heads,
                                   std::vector<std::string> labels)
    : tokens_(tokens),
      layers_(layers),
      heads_(heads),
      labels_(std::move(labels)),
      maps_(std::size_t(std::max(0, layers)) * std::max(0, heads)) {
    if (tokens <= 0 || layers <= 0 || heads <= 0)
        throw UsageError("attention maps need at least one token, layer and head");
}

std::size_t MemoryTileSource::bytes_per_head(int tokens) {
    return (triangle(tokens) + std::size_t(tokens)) * sizeof(float);
}

void MemoryTileSource::set_map(int layer, int head, const float* logits, long ld,
                               const float* lse) {
    if (layer < 0 || layer >= layers_ || head < 0 || head >= heads_)
        throw UsageError("layer " + std::to_string(layer) + " head " + std::to_string(head) +
                         " is outside the attention maps");
    auto& m = storage(layer, head);
    m.logits.resize(triangle(tokens_));
    m.lse.assign(lse, lse + tokens_);
    for (int t = 0; t < tokens_; ++t)
        std::copy(logits + std::size_t(t) * ld, logits + std::size_t(t) * ld + t + 1,
                  m.logits.begin() + long(triangle(t)));
}

bool MemoryTileSource::has_map(int layer, int head) const {
    return layer >= 0 && layer < layers_ && head >= 0 && head < heads_ &&
           !maps_[std::size_t(layer) * heads_ + head].lse.empty();
}

std::size_t MemoryTileSource::bytes() const {
    std::size_t n = 0;
    for (const auto& m : maps_) n += (m.logits.size() + m.lse.size()) * sizeof(float);
    return n;
}

std::shared_ptr<MemoryTileSource> MemoryTileSource::record(Model& model,
                                                           std::span<const std::int32_t> ids,
                                                           std::vector<std::string> labels,
                                                           const RecordOptions& options) {
    const auto& layout = model.layout();
    const int layers = model.checkpoint().config().num_hidden_layers;
    const int heads = layout.analysis_heads();
    const int T = int(ids.size());
    std::vector<bool> keep(std::max(0, layers), options.layers.empty());
    for (int l : options.layers) {
        if (l < 0 || l >= layers)
            throw UsageError("layer " + std::to_string(l) + " does not exist (the model has " +
                             std::to_string(layers) + ")");
        keep[l] = true;
    }
    const long kept = std::count(keep.begin(), keep.end(), true);
    const std::size_t need = bytes_per_head(T) * std::size_t(kept) * heads;
    if (need > options.max_bytes)
        throw UsageError("full attention maps of " + std::to_string(T) + " tokens x " +
                         std::to_string(kept) + " layers x " + std::to_string(heads) +
                         " heads need " + std::to_string(need >> 20) + " MiB (limit " +
                         std::to_string(options.max_bytes >> 20) +
                         " MiB): use fewer tokens or layers, or a trace");
    auto source = std::make_shared<MemoryTileSource>(T, layers, heads, std::move(labels));
    for (int l = 0; l < layers; ++l) {
        if (!keep[l]) continue;
        for (int h = 0; h < heads; ++h) {
            auto& m = source->storage(l, h);
            m.logits.assign(triangle(T), 0.0f);
            m.lse.assign(T, 0.0f);
        }
    }
    MemoryMapRecorder recorder(*source, keep);
    ForwardOptions fo;
    fo.probes = {&recorder};
    fo.progress = options.progress;
    model.forward(ids, fo);
    return source;
}

const MemoryTileSource::HeadMap& MemoryTileSource::map(int layer, int head) const {
    if (!has_map(layer, head))
        throw UsageError("the attention map of layer " + std::to_string(layer) + " head " +
                         std::to_string(head) + " was not recorded");
    return maps_[std::size_t(layer) * heads_ + head];
}

MapTile MemoryTileSource::tile(int layer, int head, const MapRegion& r) const {
    if (r.stride < 1 || r.row0 < 0 || r.col0 < 0 || r.row1 > tokens_ || r.col1 > tokens_ ||
        r.row0 >= r.row1 || r.col0 >= r.col1)
        throw UsageError("tile rows [" + std::to_string(r.row0) + ", " + std::to_string(r.row1) +
                         ") cols [" + std::to_string(r.col0) + ", " + std::to_string(r.col1) +
                         ") stride " + std::to_string(r.stride) + " is not inside the " +
                         std::to_string(tokens_) + "-token map");
    MapTile out;
    out.region = r;
    out.rows = (r.row1 - r.row0 + r.stride - 1) / r.stride;
    out.cols = (r.col1 - r.col0 + r.stride - 1) / r.stride;
    if (long(out.rows) * out.cols > kMaxEntries)
        throw UsageError("tile of " + std::to_string(long(out.rows) * out.cols) +
                         " entries is too large: use a larger stride");
    const HeadMap& m = map(layer, head);
    out.prob.assign(std::size_t(out.rows) * out.cols, 0.0f);
    out.logit.assign(out.prob.size(), -std::numeric_limits<float>::infinity());
    for (int i = 0; i < out.rows; ++i) {
        const int t = r.row0 + i * r.stride;
        const float* row = m.logits.data() + triangle(t);
        const float lse = m.lse[t];
        for (int j = 0; j < out.cols; ++j) {
            const int s = r.col0 + j * r.stride;
            if (s > t) break;  // causal mask: the rest of the row stays 0 / -inf
            out.logit[std::size_t(i) * out.cols + j] = row[s];
            out.prob[std::size_t(i) * out.cols + j] = std::exp(row[s] - lse);
        }
    }
    return out;
}

MapOverview MemoryTileSource::overview(int layer, int head, int max_side) const {
    const HeadMap& m = map(layer, head);
    MapOverview out;
    out.tokens = tokens_;
    out.side = std::clamp(max_side, 1, tokens_);
    const int P = out.side;
    std::vector<int> edge(P + 1), cell(tokens_);
    for (int i = 0; i <= P; ++i) edge[i] = int(long(i) * tokens_ / P);
    for (int i = 0; i < P; ++i)
        for (int p = edge[i]; p < edge[i + 1]; ++p) cell[p] = i;
    std::vector<double> sums(std::size_t(P) * P, 0.0);
    for (int t = 0; t < tokens_; ++t) {
        const float* row = m.logits.data() + triangle(t);
        double* acc = sums.data() + std::size_t(cell[t]) * P;
        for (int s = 0; s <= t; ++s) acc[cell[s]] += std::exp(double(row[s]) - m.lse[t]);
    }
    out.mean_prob.resize(sums.size());
    for (int i = 0; i < P; ++i)
        for (int j = 0; j < P; ++j) {
            const double area = double(edge[i + 1] - edge[i]) * (edge[j + 1] - edge[j]);
            out.mean_prob[std::size_t(i) * P + j] = float(sums[std::size_t(i) * P + j] / area);
        }
    return out;
}

std::string MemoryTileSource::token_label(int position) const {
    if (position >= 0 && position < int(labels_.size())) return labels_[position];
    return std::to_string(position);
}

}  // namespace rs::ui
