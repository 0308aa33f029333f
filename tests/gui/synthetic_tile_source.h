// Test-only TileSource of any size (32k tokens by default) whose maps are closed-form functions of
// (t, s): tiles cost microseconds per entry, optionally with an artificial delay per tile, so the
// heatmap's asynchrony and frame times can be measured without a model.
#pragma once

#include <QThread>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cmath>
#include <string>
#include <vector>

#include "head_layout.h"
#include "tile_source.h"

namespace rs::test {

class SyntheticTileSource : public ui::TileSource {
  public:
    // Vanilla-RoPE-like layout: query heads 0..Q-1 are real, Q..2Q-1 their virtual imaginary twins.
    explicit SyntheticTileSource(int tokens = 32768, int layers = 2, int query_heads = 2)
        : tokens_(tokens), layers_(layers), query_heads_(query_heads) {}

    HeadLayout layout() const {
        HeadLayout l;
        l.variant = Variant::Rope;
        l.head_dim = 64;
        l.query_heads = l.kv_heads = l.model_heads = query_heads_;
        for (int h = 0; h < 2 * query_heads_; ++h) {
            HeadInfo info;
            info.index = h;
            info.query_head = info.kv_head = h % query_heads_;
            info.imag = h >= query_heads_;
            info.is_virtual = info.imag;
            info.twin = info.imag ? h - query_heads_ : h + query_heads_;
            l.heads.push_back(info);
        }
        return l;
    }

    // Real heads decay fast with distance (local); imaginary ones slowly, with a ripple.
    double prob(int layer, int head, int t, int s) const {
        if (s > t) return 0.0;
        const int d = t - s;
        const bool imag = head >= query_heads_;
        const double tau = imag ? 3000.0 : 6.0 * (1 + head % query_heads_ + layer);
        const double r = std::exp(-1.0 / tau);
        const double z = (1 - std::pow(r, t + 1)) / (1 - r);
        const double ripple = imag ? 1.0 + 0.5 * std::sin(d / 7.0) : 1.0;
        return std::pow(r, d) / z * ripple;
    }
    double logit(int layer, int head, int t, int s) const {
        return s > t ? -INFINITY : std::log(prob(layer, head, t, s)) + 2.0;
    }

    int tokens() const override { return tokens_; }
    int layers() const override { return layers_; }
    int heads() const override { return 2 * query_heads_; }

    ui::MapTile tile(int layer, int head, const ui::MapRegion& r) const override {
        ++tile_calls;
        wait_if_held();
        ui::MapTile out;
        out.region = r;
        out.rows = (r.row1 - r.row0 + r.stride - 1) / r.stride;
        out.cols = (r.col1 - r.col0 + r.stride - 1) / r.stride;
        out.prob.resize(std::size_t(out.rows) * out.cols);
        out.logit.resize(out.prob.size());
        for (int i = 0; i < out.rows; ++i)
            for (int j = 0; j < out.cols; ++j) {
                const int t = r.row0 + i * r.stride, s = r.col0 + j * r.stride;
                out.prob[std::size_t(i) * out.cols + j] = float(prob(layer, head, t, s));
                out.logit[std::size_t(i) * out.cols + j] = float(logit(layer, head, t, s));
            }
        return out;
    }

    // Cell means estimated from a 2 x 2 grid of samples per cell (good enough for a picture).
    ui::MapOverview overview(int layer, int head, int max_side) const override {
        ++overview_calls;
        wait_if_held();
        ui::MapOverview out;
        out.tokens = tokens_;
        out.side = std::min({tokens_, max_side, 512});
        out.mean_prob.resize(std::size_t(out.side) * out.side);
        for (int i = 0; i < out.side; ++i) {
            const int t0 = int(long(i) * tokens_ / out.side),
                      t1 = int(long(i + 1) * tokens_ / out.side);
            for (int j = 0; j < out.side; ++j) {
                const int s0 = int(long(j) * tokens_ / out.side),
                          s1 = int(long(j + 1) * tokens_ / out.side);
                double sum = 0;
                int n = 0;
                for (int a = 0; a < 2; ++a)
                    for (int b = 0; b < 2; ++b, ++n)
                        sum += prob(layer, head, t0 + (t1 - t0) * (2 * a + 1) / 4,
                                    s0 + (s1 - s0) * (2 * b + 1) / 4);
                out.mean_prob[std::size_t(i) * out.side + j] = float(sum / n);
            }
        }
        return out;
    }

    std::string token_label(int position) const override { return "w" + std::to_string(position); }

    // hold(): every tile/overview call blocks until release(), so tests can keep a request in
    // flight for as long as they need — deterministic, unlike sleeping.
    void hold() {
        std::lock_guard<std::mutex> lock(gate_mu_);
        held_ = true;
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(gate_mu_);
            held_ = false;
        }
        gate_cv_.notify_all();
    }
    mutable std::atomic<int> blocked{0};  // calls currently waiting at the gate
    mutable std::atomic<int> tile_calls{0};
    mutable std::atomic<int> overview_calls{0};

  private:
    void wait_if_held() const {
        std::unique_lock<std::mutex> lock(gate_mu_);
        ++blocked;
        gate_cv_.wait(lock, [this] { return !held_; });
        --blocked;
    }

    mutable std::mutex gate_mu_;
    mutable std::condition_variable gate_cv_;
    bool held_ = false;
    int tokens_, layers_, query_heads_;
};

}  // namespace rs::test
