// Windowed per-position NLL.
#include "perplexity.h"

#include <algorithm>

#include "error.h"

namespace rs {

double PositionNll::range_mean(int begin, int end) const {
    double sum = 0, n = 0;
    for (int t = std::max(0, begin); t < std::min<int>(end, int(mean_nll.size())); ++t) {
        sum += mean_nll[t] * count[t];
        n += count[t];
    }
    return n > 0 ? sum / n : 0.0;
}

PositionNll nll_by_position(Model& model, std::span<const std::int32_t> ids, const PositionNllOptions& opt) {
    const int T = int(ids.size());
    if (T < 2) throw UsageError("perplexity needs at least 2 tokens");
    PositionNll out;
    out.context = opt.context > 0 ? std::min(opt.context, T) : T;
    std::vector<std::pair<int, int>> windows;
    for (int s = 0; s + 1 < T; s += out.context) windows.push_back({s, std::min(T, s + out.context)});
    out.windows = int(windows.size());
    std::vector<double> sum(out.context - 1, 0.0);
    out.count.assign(out.context - 1, 0);
    double total = 0;
    long n = 0;
    for (std::size_t w = 0; w < windows.size(); ++w) {
        if (opt.progress && !opt.progress(long(w), long(windows.size()))) throw Cancelled();
        const auto [a, b] = windows[w];
        const auto r = model.forward(ids.subspan(a, b - a));
        for (std::size_t t = 0; t < r.nll.size(); ++t) {
            sum[t] += r.nll[t];
            out.count[t] += 1;
            total += r.nll[t];
            ++n;
        }
    }
    if (opt.progress && !opt.progress(long(windows.size()), long(windows.size()))) throw Cancelled();
    out.mean_nll.resize(sum.size());
    for (std::size_t t = 0; t < sum.size(); ++t) out.mean_nll[t] = out.count[t] ? sum[t] / out.count[t] : 0.0;
    out.mean = total / double(n);
    return out;
}

}  // namespace rs
