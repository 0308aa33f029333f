// Per-text tables of a study and their aggregation over texts.
#include "study_tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace rs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::size_t product(const std::vector<std::size_t>& d) {
    std::size_t p = 1;
    for (auto x : d) p *= x;
    return p;
}

TextTable make_table(std::string group, std::vector<std::string> axes, std::vector<std::size_t> dims) {
    TextTable t{std::move(group), std::move(axes), std::move(dims), {}};
    t.values.assign(product(t.dims), kNaN);
    return t;
}

const UnitResult* find_unit(const Study& s, int c, int setting, int x) {
    auto it = s.units.find(unit_index(s.header, {c, setting, x}));
    return it == s.units.end() ? nullptr : &it->second;
}

double mean_of(const std::vector<double>& v) {
    double sum = 0;
    int n = 0;
    for (double x : v)
        if (!std::isnan(x)) sum += x, ++n;
    return n ? sum / n : kNaN;
}

// Per-head values of one checkpoint: [S, X, L, H, K].
TextTable heads_table(const Study& s, int c) {
    const auto& h = s.header;
    const auto& ck = h.checkpoints[std::size_t(c)];
    const std::size_t S = h.settings.size(), X = h.texts.size(), per = h.values_per_unit(c);
    TextTable t = make_table(checkpoint_group(c) + "/heads", {"setting", "text", "layer", "head", "statistic"},
                             {S, X, std::size_t(ck.layers), std::size_t(ck.heads), h.statistics.size()});
    for (std::size_t si = 0; si < S; ++si)
        for (std::size_t x = 0; x < X; ++x)
            if (const auto* u = find_unit(s, c, int(si), int(x)))
                std::copy(u->values.begin(), u->values.end(), t.values.begin() + long((si * X + x) * per));
    return t;
}

TextTable nll_table(const Study& s, int c) {
    const std::size_t S = s.header.settings.size(), X = s.header.texts.size();
    TextTable t = make_table(checkpoint_group(c) + "/nll", {"setting", "text"}, {S, X});
    for (std::size_t si = 0; si < S; ++si)
        for (std::size_t x = 0; x < X; ++x)
            if (const auto* u = find_unit(s, c, int(si), int(x))) t.values[si * X + x] = u->nll;
    return t;
}

// Each text's mean NLL by prediction-position bucket: [S, X, B] (none in files from before).
TextTable nll_position_table(const Study& s, int c) {
    const std::size_t S = s.header.settings.size(), X = s.header.texts.size();
    const std::size_t B = s.header.nll_position_edges.size() - 1;
    TextTable t = make_table(checkpoint_group(c) + "/nll_by_position", {"setting", "text", "bucket"}, {S, X, B});
    for (std::size_t si = 0; si < S; ++si)
        for (std::size_t x = 0; x < X; ++x)
            if (const auto* u = find_unit(s, c, int(si), int(x)); u && u->nll_by_position.size() == B)
                std::copy(u->nll_by_position.begin(), u->nll_by_position.end(), t.values.begin() + long((si * X + x) * B));
    return t;
}

// Imaginary minus real twin, averaged over the twin pairs of each layer (by_layer) or of all
// layers: [S, X, (L,) K].
TextTable twin_table(const Study& s, int c, bool by_layer) {
    const auto& h = s.header;
    const auto& ck = h.checkpoints[std::size_t(c)];
    const std::size_t S = h.settings.size(), X = h.texts.size(), K = h.statistics.size();
    const std::size_t L = std::size_t(ck.layers), H = std::size_t(ck.heads), rows = by_layer ? L : 1;
    TextTable t = by_layer ? make_table(checkpoint_group(c) + "/twin_difference_by_layer",
                                        {"setting", "text", "layer", "statistic"}, {S, X, L, K})
                           : make_table(checkpoint_group(c) + "/twin_difference", {"setting", "text", "statistic"}, {S, X, K});
    for (std::size_t si = 0; si < S; ++si)
        for (std::size_t x = 0; x < X; ++x) {
            const auto* u = find_unit(s, c, int(si), int(x));
            if (!u) continue;
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t r = 0; r < rows; ++r) {
                    std::vector<double> diffs;
                    for (std::size_t l = by_layer ? r : 0; l < (by_layer ? r + 1 : L); ++l)
                        for (std::size_t hi = 0; hi < H; ++hi) {
                            const int tw = ck.twin[hi];
                            if (!ck.imag[hi] || tw < 0) continue;
                            diffs.push_back(u->values[(l * H + hi) * K + k] - u->values[(l * H + std::size_t(tw)) * K + k]);
                        }
                    t.values[((si * X + x) * rows + r) * K + k] = mean_of(diffs);
                }
        }
    return t;
}

// Per checkpoint, setting, part (0 real, 1 imaginary) and text: the mean over the part's heads of
// every statistic, and the text's NLL: [C, S, 2, X, K + 1].
TextTable summary_table(const Study& s) {
    const auto& h = s.header;
    const std::size_t C = h.checkpoints.size(), S = h.settings.size(), X = h.texts.size(), K = h.statistics.size();
    TextTable t = make_table("summary", {"checkpoint", "setting", "part", "text", "column"}, {C, S, 2, X, K + 1});
    for (std::size_t c = 0; c < C; ++c) {
        const auto& ck = h.checkpoints[c];
        const std::size_t H = std::size_t(ck.heads);
        for (std::size_t si = 0; si < S; ++si)
            for (std::size_t x = 0; x < X; ++x) {
                const auto* u = find_unit(s, int(c), int(si), int(x));
                if (!u) continue;
                for (std::size_t part = 0; part < 2; ++part) {
                    double* row = &t.values[((((c * S + si) * 2 + part) * X) + x) * (K + 1)];
                    for (std::size_t k = 0; k < K; ++k) {
                        std::vector<double> v;
                        for (std::size_t l = 0; l < std::size_t(ck.layers); ++l)
                            for (std::size_t hi = 0; hi < H; ++hi)
                                if (ck.imag[hi] == part) v.push_back(u->values[(l * H + hi) * K + k]);
                        row[k] = mean_of(v);
                    }
                    row[K] = u->nll;
                }
            }
    }
    return t;
}

// Rows [a] minus rows [b] of the summary, per (setting, part, text, column) block.
void subtract_block(const TextTable& summary, std::size_t block, std::size_t a, std::size_t b,
                    double* out) {
    for (std::size_t i = 0; i < block; ++i) out[i] = summary.values[a * block + i] - summary.values[b * block + i];
}

TextTable checkpoint_differences(const Study& s, const TextTable& summary) {
    const auto& h = s.header;
    const auto pairs = checkpoint_pairs(h);
    const std::size_t S = h.settings.size(), X = h.texts.size(), K1 = h.statistics.size() + 1;
    TextTable t = make_table("differences/checkpoints", {"pair", "setting", "part", "text", "column"},
                             {pairs.size(), S, 2, X, K1});
    const std::size_t block = S * 2 * X * K1;
    for (std::size_t p = 0; p < pairs.size(); ++p)
        subtract_block(summary, block, std::size_t(pairs[p].first), std::size_t(pairs[p].second), &t.values[p * block]);
    return t;
}

TextTable setting_differences(const Study& s, const TextTable& summary) {
    const auto& h = s.header;
    const std::size_t C = h.checkpoints.size(), S = h.settings.size(), X = h.texts.size(), K1 = h.statistics.size() + 1;
    TextTable t = make_table("differences/settings", {"checkpoint", "setting", "part", "text", "column"}, {C, S, 2, X, K1});
    const int base = baseline_setting(h);
    if (base < 0) return t;
    const std::size_t block = 2 * X * K1;
    for (std::size_t c = 0; c < C; ++c)
        for (std::size_t si = 0; si < S; ++si)
            if (int(si) != base)
                subtract_block(summary, block, c * S + si, c * S + std::size_t(base), &t.values[(c * S + si) * block]);
    return t;
}

}  // namespace

std::size_t TextTable::text_axis() const {
    return std::size_t(std::find(axes.begin(), axes.end(), "text") - axes.begin());
}

AggregateTable aggregate(const TextTable& t, Bootstrap& bootstrap) {
    const std::size_t ax = t.text_axis();
    std::size_t outer = 1, inner = 1;
    AggregateTable a;
    for (std::size_t i = 0; i < t.dims.size(); ++i) {
        if (i < ax) outer *= t.dims[i];
        if (i > ax) inner *= t.dims[i];
        if (i != ax) a.dims.push_back(t.dims[i]);
    }
    const std::size_t X = t.dims[ax], n = outer * inner;
    a.mean.resize(n), a.sd.resize(n), a.low.resize(n), a.high.resize(n), a.n.resize(n);
    std::vector<double> series(X);
    for (std::size_t o = 0; o < outer; ++o)
        for (std::size_t i = 0; i < inner; ++i) {
            for (std::size_t x = 0; x < X; ++x) series[x] = t.values[(o * X + x) * inner + i];
            const Aggregate g = bootstrap(series);
            const std::size_t at = o * inner + i;
            a.mean[at] = g.mean, a.sd[at] = g.sd, a.low[at] = g.low, a.high[at] = g.high, a.n[at] = g.n;
        }
    return a;
}

std::vector<std::string> summary_columns(const StudyHeader& h) {
    auto cols = h.statistics;
    cols.push_back("nll");
    return cols;
}

std::vector<std::pair<int, int>> checkpoint_pairs(const StudyHeader& h) {
    std::vector<std::pair<int, int>> out;
    for (int a = 0; a < int(h.checkpoints.size()); ++a)
        for (int b = a + 1; b < int(h.checkpoints.size()); ++b) out.emplace_back(a, b);
    return out;
}

int baseline_setting(const StudyHeader& h) {
    const auto it = std::find(h.settings.begin(), h.settings.end(), "none");
    return it == h.settings.end() ? -1 : int(it - h.settings.begin());
}

std::string checkpoint_group(int c) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "checkpoints/c%02d", c);
    return buf;
}

std::vector<TextTable> study_tables(const Study& s) {
    std::vector<TextTable> out;
    for (int c = 0; c < int(s.header.checkpoints.size()); ++c) {
        out.push_back(heads_table(s, c));
        out.push_back(nll_table(s, c));
        out.push_back(twin_table(s, c, false));
        out.push_back(twin_table(s, c, true));
    }
    TextTable summary = summary_table(s);
    out.push_back(checkpoint_differences(s, summary));
    out.push_back(setting_differences(s, summary));
    out.insert(out.end() - 2, std::move(summary));
    if (!s.header.nll_position_edges.empty())  // last: the tables before keep their order
        for (int c = 0; c < int(s.header.checkpoints.size()); ++c) out.push_back(nll_position_table(s, c));
    return out;
}

}  // namespace rs
