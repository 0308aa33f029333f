// Overview pyramid: one pass per attention row adds its probabilities into finest-level cells;
// coarser levels are 2 x 2 sums of finer ones, so every level is exact for its own cells.
#include "overview_probe.h"

#include <algorithm>

#include "error.h"

namespace rs {

std::vector<int> overview_levels(int tokens) {
    std::vector<int> levels;
    if (tokens <= 0) return levels;
    levels.push_back(std::clamp(tokens / 8, 1, 512));
    while (levels.size() < 4 && levels.back() % 2 == 0 && levels.back() / 2 >= 64)
        levels.push_back(levels.back() / 2);
    return levels;
}

std::vector<int> overview_edges(int tokens, int cells) {
    if (cells < 1 || cells > tokens)
        throw UsageError("overview cells must be between 1 and the token count");
    std::vector<int> e(std::size_t(cells) + 1);
    for (int i = 0; i <= cells; ++i) e[i] = int(std::int64_t(i) * tokens / cells);
    return e;
}

OverviewProbe::OverviewProbe(Sink sink, bool virtual_heads)
    : sink_(std::move(sink)), virtual_heads_(virtual_heads) {}

void OverviewProbe::begin_run(const RunInfo& info) {
    info_ = info;
    levels_ = overview_levels(info.tokens);
    edges_ = overview_edges(info.tokens, levels_.front());
    cell_of_.assign(info.tokens, 0);
    for (int c = 0; c < levels_.front(); ++c)
        std::fill(cell_of_.begin() + edges_[c], cell_of_.begin() + edges_[c + 1], c);
}

bool OverviewProbe::wants(int, int head) const {
    return virtual_heads_ || !info_.layout->heads[head].is_virtual;
}

void OverviewProbe::on_layer_qk(int, const MatrixRM&, const MatrixRM&) {
    // Called once per layer before any of its blocks: a fresh accumulator for the layer.
    const std::size_t P = levels_.front();
    acc_.assign(std::size_t(info_.layout->analysis_heads()) * P * P, 0.0);
}

void OverviewProbe::on_block(const AttentionBlock& b) {
    const std::size_t P = levels_.front();
    double* head_acc = acc_.data() + std::size_t(b.head) * P * P;  // [P, P] this head only
    for (int r = 0; r < b.rows(); ++r) {
        const int t = b.row_begin + r;
        const float* p = b.probs + std::size_t(r) * b.ld;  // keys 0..t are valid
        double* row_acc = head_acc + std::size_t(cell_of_[t]) * P;
        for (int j = 0; j <= cell_of_[t]; ++j) {
            const int end = std::min(edges_[j + 1], t + 1);
            float sum = 0.0f;  // at most a few dozen keys per cell row: float is exact enough
#pragma omp simd reduction(+ : sum)
            for (int s = edges_[j]; s < end; ++s) sum += p[s];
            row_acc[j] += sum;
        }
    }
}

OverviewLevel OverviewProbe::pooled(const std::vector<double>& sums, int cells) const {
    const int heads = info_.layout->analysis_heads();
    const auto e = overview_edges(info_.tokens, cells);
    OverviewLevel out{cells, std::vector<float>(std::size_t(heads) * cells * cells)};
    for (int h = 0; h < heads; ++h)
        for (int i = 0; i < cells; ++i)
            for (int j = 0; j < cells; ++j) {
                const std::size_t at = (std::size_t(h) * cells + i) * cells + j;
                const double area = double(e[i + 1] - e[i]) * double(e[j + 1] - e[j]);
                out.mean[at] = float(sums[at] / area);
            }
    return out;
}

void OverviewProbe::end_layer(int layer) {
    const int heads = info_.layout->analysis_heads();
    OverviewLayer out{layer, heads, {}};
    std::vector<double> sums = std::move(acc_);  // [heads, P, P] at the current level
    int P = levels_.front();
    for (std::size_t l = 0; l < levels_.size(); ++l) {
        if (l > 0) {  // 2 x 2 sums: coarse edges are every other fine edge
            const int C = P / 2;
            std::vector<double> coarse(std::size_t(heads) * C * C, 0.0);
            for (int h = 0; h < heads; ++h)
                for (int i = 0; i < P; ++i)
                    for (int j = 0; j < P; ++j)
                        coarse[(std::size_t(h) * C + i / 2) * C + j / 2] +=
                            sums[(std::size_t(h) * P + i) * P + j];
            sums = std::move(coarse);
            P = C;
        }
        out.levels.push_back(pooled(sums, P));
    }
    acc_.clear();
    if (sink_) sink_(std::move(out));
}

}  // namespace rs
