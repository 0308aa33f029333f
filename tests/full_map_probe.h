// Test-only probe that assembles every watched head's full [T, T] logit and probability maps,
// so small fixtures can be compared with the reference entry by entry.
#pragma once

#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "probe.h"

namespace rs::test {

class FullMapProbe : public AttentionProbe {
public:
    explicit FullMapProbe(bool virtual_heads = true) : virtual_heads_(virtual_heads) {}

    struct Map {
        std::vector<float> logits;  // [T, T]
        std::vector<float> probs;   // [T, T]
        std::vector<float> lse;     // [T]
    };

    void begin_run(const RunInfo& info) override {
        info_ = info;
        maps_.clear();
    }
    bool wants(int, int head) const override {
        return virtual_heads_ || !info_.layout->heads[head].is_virtual;
    }
    void on_block(const AttentionBlock& b) override {
        Map* m;
        {
            std::lock_guard<std::mutex> lock(mu_);
            m = &maps_[{b.layer, b.head}];
        }
        const int T = info_.tokens;
        if (m->probs.empty()) {
            m->logits.assign(std::size_t(T) * T, 0.0f);
            m->probs.assign(std::size_t(T) * T, 0.0f);
            m->lse.assign(T, 0.0f);
        }
        for (int r = 0; r < b.rows(); ++r) {
            const int t = b.row_begin + r;
            for (int s = 0; s < b.cols(); ++s) {
                m->logits[std::size_t(t) * T + s] = b.logits[std::size_t(r) * b.ld + s];
                m->probs[std::size_t(t) * T + s] = b.probs[std::size_t(r) * b.ld + s];
            }
            m->lse[t] = b.lse[r];
        }
    }
    void on_layer_qk(int layer, const MatrixRM& q, const MatrixRM& k) override {
        std::lock_guard<std::mutex> lock(mu_);
        qk_[layer] = {q, k};
    }

    const Map& map(int layer, int head) const { return maps_.at({layer, head}); }
    bool has(int layer, int head) const { return maps_.count({layer, head}) != 0; }
    const std::pair<MatrixRM, MatrixRM>& qk(int layer) const { return qk_.at(layer); }
    const RunInfo& info() const { return info_; }

private:
    bool virtual_heads_;
    RunInfo info_;
    std::mutex mu_;
    std::map<std::pair<int, int>, Map> maps_;
    std::map<int, std::pair<MatrixRM, MatrixRM>> qk_;
};

}  // namespace rs::test
