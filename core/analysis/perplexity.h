// Perplexity by position: per-token NLL of a long text under one of two window protocols
// (consecutive windows, or upstream rope_pp's sliding window that scores only each window's last
// `stride` tokens), averaged by position in the window; and PPL-vs-length sweeps.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model.h"

namespace rs {

enum class PplProtocol {
    Consecutive,  // non-overlapping windows of `context` tokens, every prediction scored
    Sliding,      // windows of `context` tokens ending `stride` tokens apart, last `stride` scored
};
std::string ppl_protocol_name(PplProtocol p);  // "consecutive", "sliding"
// One line for outputs: "consecutive windows of 512 tokens" / "sliding window 4096, stride 512".
std::string ppl_protocol_text(PplProtocol p, int window, int stride);

struct PositionNllOptions {
    int context = 0;  // tokens per window; 0 = the whole sequence as one window
    PplProtocol protocol = PplProtocol::Consecutive;
    int stride = 512;  // sliding only: tokens scored per window after the first (1..context)
    // Consecutive only: leave out a last window shorter than `context` (length sweeps, where a
    // window's length is the quantity measured).
    bool full_windows_only = false;
    ProgressFn progress;  // (windows done, windows total)
};

// One forward pass of the protocol: tokens [begin, end) of the text; the predictions of the
// tokens at positions [score_from, end) are scored (score_from >= begin + 1).
struct PplWindow {
    int begin = 0, end = 0, score_from = 0;
};

// The windows `options` cuts from a text of `tokens` tokens (no model needed). Sliding: the first
// window is [0, min(W, T)) and scores all of it; each next one ends S tokens later (the last one at
// T), starts W tokens before its end, and scores the tokens not scored yet (but never its own first
// token, which has no context: with S == W that token stays unscored, as in consecutive windows).
std::vector<PplWindow> ppl_windows(int tokens, const PositionNllOptions& options);

struct PositionNll {
    PplProtocol protocol = PplProtocol::Consecutive;
    int context = 0;
    int stride = 0;  // sliding only
    int windows = 0;
    std::vector<double> mean_nll;  // [context-1]: mean over scored predictions of window position t+1
    std::vector<int> count;        // [context-1]: scored predictions at that window position
    // [T-1]: the NLL each token t+1 of the text got, as scored; NaN where none was (the first
    // token of a consecutive window, or tokens a full-windows-only run left out).
    std::vector<double> token_nll;
    long scored = 0;     // predictions scored
    double mean = 0.0;   // over all scored predictions
    // Mean NLL over positions [begin, end) (weighted by count) and its perplexity exp(.).
    double range_mean(int begin, int end) const;
};

// Runs the protocol and averages NLL by window position. Throws UsageError if fewer than 2
// tokens, a stride outside [1, context], or (full_windows_only) a text shorter than one window.
PositionNll nll_by_position(Model& model, std::span<const std::int32_t> ids, const PositionNllOptions& options);

// One point of a PPL-vs-length sweep.
struct LengthNll {
    int length = 0;
    int windows = 0;
    long scored = 0;
    double mean_nll = 0.0;
};

// For each L in `lengths`: nll_by_position with context L (consecutive: only full windows of L
// tokens; sliding: window L with options.stride). options.context is ignored. Throws UsageError
// naming the length when the text is shorter than it.
std::vector<LengthNll> nll_by_length(Model& model, std::span<const std::int32_t> ids,
                                     std::span<const int> lengths, const PositionNllOptions& options);

}  // namespace rs
