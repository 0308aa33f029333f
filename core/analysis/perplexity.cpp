// Windowed per-position NLL: the windows of each protocol, the runs over them, length sweeps.
#include "perplexity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "error.h"

namespace rs {

std::string ppl_protocol_name(PplProtocol p) {
    return p == PplProtocol::Sliding ? "sliding" : "consecutive";
}

std::string ppl_protocol_text(PplProtocol p, int window, int stride) {
    if (p == PplProtocol::Sliding)
        return "sliding window " + std::to_string(window) + ", stride " + std::to_string(stride) +
               " (each window scores its last " + std::to_string(stride) + " tokens)";
    return "consecutive windows of " + std::to_string(window) + " tokens";
}

double PositionNll::range_mean(int begin, int end) const {
    double sum = 0, n = 0;
    for (int t = std::max(0, begin); t < std::min<int>(end, int(mean_nll.size())); ++t) {
        sum += mean_nll[t] * count[t];
        n += count[t];
    }
    return n > 0 ? sum / n : 0.0;
}

namespace {

int window_length(int tokens, const PositionNllOptions& opt) {
    return opt.context > 0 ? std::min(opt.context, tokens) : tokens;
}

std::vector<PplWindow> consecutive_windows(int T, int W, bool full_only) {
    std::vector<PplWindow> out;
    for (int s = 0; s + 1 < T; s += W) {
        const int e = std::min(T, s + W);
        if (full_only && e - s < W) break;
        out.push_back({s, e, s + 1});
    }
    return out;
}

std::vector<PplWindow> sliding_windows(int T, int W, int S) {
    std::vector<PplWindow> out{{0, W, 1}};
    for (int scored_to = W; scored_to < T;) {
        const int e = std::min(T, scored_to + S);
        // With S == W a window starts at the first token not yet scored, which has no context
        // inside it: as with consecutive windows, that token is left unscored.
        out.push_back({e - W, e, std::max(scored_to, e - W + 1)});
        scored_to = e;
    }
    return out;
}

}  // namespace

std::vector<PplWindow> ppl_windows(int T, const PositionNllOptions& opt) {
    if (T < 2) throw UsageError("perplexity needs at least 2 tokens");
    if (opt.context < 0) throw UsageError("the window length must be >= 0");
    const int W = window_length(T, opt);
    if (W < 2) throw UsageError("a perplexity window needs at least 2 tokens");
    if (opt.full_windows_only && opt.context > T)
        throw UsageError("the text has " + std::to_string(T) + " tokens, fewer than one window of " +
                         std::to_string(opt.context));
    if (opt.protocol == PplProtocol::Consecutive) return consecutive_windows(T, W, opt.full_windows_only);
    const int asked = opt.context > 0 ? opt.context : T;  // a short text only shortens the window
    if (opt.stride < 1 || opt.stride > asked)
        throw UsageError("the sliding stride must be between 1 and the window (" +
                         std::to_string(asked) + "), got " + std::to_string(opt.stride));
    return sliding_windows(T, W, opt.stride);
}

PositionNll nll_by_position(Model& model, std::span<const std::int32_t> ids, const PositionNllOptions& opt) {
    const int T = int(ids.size());
    const std::vector<PplWindow> windows = ppl_windows(T, opt);
    PositionNll out;
    out.protocol = opt.protocol;
    out.context = window_length(T, opt);
    out.stride = opt.protocol == PplProtocol::Sliding ? opt.stride : 0;
    out.windows = int(windows.size());
    out.token_nll.assign(std::size_t(T - 1), std::numeric_limits<double>::quiet_NaN());
    std::vector<double> sum(out.context - 1, 0.0);
    out.count.assign(out.context - 1, 0);
    double total = 0;
    for (std::size_t w = 0; w < windows.size(); ++w) {
        if (opt.progress && !opt.progress(long(w), long(windows.size()))) throw Cancelled();
        const PplWindow& win = windows[w];
        const auto r = model.forward(ids.subspan(win.begin, win.end - win.begin));
        // r.nll[j] predicts window token j + 1, i.e. text token begin + j + 1.
        for (int j = win.score_from - win.begin - 1; j < int(r.nll.size()); ++j) {
            sum[j] += r.nll[j];
            out.count[j] += 1;
            out.token_nll[std::size_t(win.begin + j)] = r.nll[j];
            total += r.nll[j];
            ++out.scored;
        }
    }
    if (opt.progress && !opt.progress(long(windows.size()), long(windows.size()))) throw Cancelled();
    out.mean_nll.resize(sum.size());
    for (std::size_t t = 0; t < sum.size(); ++t) out.mean_nll[t] = out.count[t] ? sum[t] / out.count[t] : 0.0;
    out.mean = total / double(out.scored);
    return out;
}

std::vector<LengthNll> nll_by_length(Model& model, std::span<const std::int32_t> ids,
                                     std::span<const int> lengths, const PositionNllOptions& options) {
    for (int L : lengths) {
        if (L < 2) throw UsageError("a sweep length must be >= 2 tokens, got " + std::to_string(L));
        if (L > int(ids.size()))
            throw UsageError("the text has " + std::to_string(ids.size()) +
                             " tokens, fewer than the sweep length " + std::to_string(L));
    }
    std::vector<LengthNll> out;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        PositionNllOptions opt = options;
        opt.context = lengths[i];
        opt.full_windows_only = true;
        // Progress over the whole sweep: lengths done, as a fraction of the next one's windows.
        if (options.progress)
            opt.progress = [&, i](long done, long total) {
                return options.progress(long(i) * 1000 + (total ? done * 1000 / total : 0),
                                        long(lengths.size()) * 1000);
            };
        const PositionNll r = nll_by_position(model, ids, opt);
        out.push_back({lengths[i], r.windows, r.scored, r.mean});
    }
    return out;
}

}  // namespace rs
