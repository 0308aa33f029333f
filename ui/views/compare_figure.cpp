// Compare figures: study aggregates -> chart specs (one colour per checkpoint and setting; real
// heads solid, imaginary dashed; intervals as thin light lines around each mean).
#include "compare_figure.h"

#include <QRegularExpression>
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>

#include "series_colors.h"

namespace rs::ui {

namespace {

constexpr std::array<std::pair<CompareFigure, const char*>, 4> kFigures{{
    {CompareFigure::Mass, "mass"},
    {CompareFigure::Twins, "twins"},
    {CompareFigure::Nll, "nll"},
    {CompareFigure::Position, "position"},
}};
constexpr std::array<std::pair<CompareParts, const char*>, 3> kParts{{
    {CompareParts::Both, "both"},
    {CompareParts::Real, "real"},
    {CompareParts::Imag, "imag"},
}};

const QRegularExpression& family_pattern() {
    static const QRegularExpression re("^(.*M(?:_ex\\d+)?)_(\\d+)$");
    return re;
}

QString setting_label(const StudyComparison& c, int setting) {
    return QString::fromStdString(c.header().settings[std::size_t(setting)]);
}

// One colour per checkpoint; its later settings in lighter shades of it.
QColor series_color(const StudyComparison& c, int checkpoint, int setting) {
    const int S = int(c.header().settings.size());
    return lighter_towards_white(palette_color(checkpoint), S > 1 ? 0.5 * setting / (S - 1) : 0.0);
}

// The legend names the checkpoint by folder (the caption gives each one's variant).
QString series_name(const StudyComparison& c, int checkpoint, int setting) {
    const auto& path = c.header().checkpoints[std::size_t(checkpoint)].path;
    return QString::fromStdString(std::filesystem::path(path).filename().string()) + " · " +
           setting_label(c, setting);
}

bool drawn(int setting, int chosen) {
    return chosen < 0 || setting == chosen;
}

bool any_virtual(const StudyComparison& c) {
    for (const auto& ck : c.header().checkpoints)
        if (std::find(ck.is_virtual.begin(), ck.is_virtual.end(), 1) != ck.is_virtual.end()) return true;
    return false;
}

// A mean line and its 95% interval's low and high as thin, lighter lines left out of the legend.
struct IntervalLines {
    ChartSeriesSpec mean, low, high;
    void add(double x, double m, double lo, double hi) {
        mean.points.emplace_back(x, m);
        low.points.emplace_back(x, lo);
        high.points.emplace_back(x, hi);
    }
};

IntervalLines interval_lines(const QString& name, const QColor& color, Qt::PenStyle pen) {
    IntervalLines l{{name, SeriesKind::LineAndMarkers, {}, {}, color, 2.2, 5.0, pen},
                    {name + " · 95% low", SeriesKind::Line, {}, {}, lighter_towards_white(color, 0.5), 1.0, 7.0, pen},
                    {}};
    l.low.in_legend = false;
    l.high = l.low;
    l.high.name = name + " · 95% high";
    return l;
}

// The interval lines first, so every mean is drawn over them.
void set_interval_series(ChartSpec& spec, std::vector<IntervalLines> lines) {
    spec.series.clear();
    for (auto& l : lines) {
        spec.series.push_back(std::move(l.low));
        spec.series.push_back(std::move(l.high));
    }
    for (auto& l : lines) spec.series.push_back(std::move(l.mean));
}

QString interval_text(double mean, double low, double high) {
    QString t = QString::number(mean, 'f', 3);
    if (std::isfinite(low) && std::isfinite(high))
        t += QString(" [%1, %2]").arg(low, 0, 'f', 3).arg(high, 0, 'f', 3);
    return t;
}

QString tokens_text(const StudyHeader& h) {
    long total = 0;
    int lo = 0, hi = 0;
    bool first = true;
    for (const auto& per_text : h.tokens)
        for (int n : per_text) {
            total += n;
            lo = first ? n : std::min(lo, n);
            hi = first ? n : std::max(hi, n);
            first = false;
        }
    const QString per = lo == hi ? QString::number(lo) : QString("%1–%2").arg(lo).arg(hi);
    return QString("tokens: %1 per text (%2 in all)").arg(per).arg(total);
}

}  // namespace

std::optional<CompareFigure> compare_figure_named(const QString& name) {
    for (const auto& [f, text] : kFigures)
        if (name == text) return f;
    return std::nullopt;
}

QString compare_figure_name(CompareFigure figure) {
    for (const auto& [f, text] : kFigures)
        if (f == figure) return text;
    return {};
}

QString compare_figure_list() {
    QStringList names;
    for (const auto& [f, text] : kFigures) names << text;
    return names.join(", ");
}

std::optional<CompareParts> compare_parts_named(const QString& name) {
    for (const auto& [p, text] : kParts)
        if (name == text) return p;
    return std::nullopt;
}

QString compare_parts_name(CompareParts parts) {
    for (const auto& [p, text] : kParts)
        if (p == parts) return text;
    return {};
}

QStringList mass_families(const StudyHeader& header) {
    QStringList families;
    for (const auto& name : header.statistics) {
        const auto m = family_pattern().match(QString::fromStdString(name));
        if (m.hasMatch() && !families.contains(m.captured(1))) families << m.captured(1);
    }
    return families;
}

std::vector<std::pair<int, int>> mass_family_columns(const StudyHeader& header, const QString& family) {
    std::vector<std::pair<int, int>> columns;
    for (int d : header.thresholds) {
        const std::string want = family.toStdString() + "_" + std::to_string(d);
        const auto it = std::find(header.statistics.begin(), header.statistics.end(), want);
        if (it != header.statistics.end()) columns.emplace_back(d, int(it - header.statistics.begin()));
    }
    return columns;
}

ChartSpec compare_mass_chart(const StudyComparison& c, const QString& family, CompareParts parts,
                             int setting) {
    ChartSpec spec;
    spec.title = QString("Attention mass beyond distance D (%1) — mean over texts, 95% interval").arg(family);
    spec.x.title = "distance threshold D (tokens)";
    spec.x.scale = AxisScale::Log;
    spec.x.log_base = 4.0;
    spec.y.title = QString("%1(D): mass at distance ≥ D").arg(family);
    spec.y.include_zero = true;
    spec.empty_message = "No study open: File ▸ Open study… shows checkpoints side by side.";
    const auto columns = mass_family_columns(c.header(), family);
    if (!columns.empty()) {  // not the next power of 4: the curves use the width
        spec.x.min = columns.front().first / 1.25;
        spec.x.max = columns.back().first * 1.25;
    }
    const int C = int(c.header().checkpoints.size()), S = int(c.header().settings.size());
    std::vector<IntervalLines> lines;
    for (int ck = 0; ck < C; ++ck)
        for (int s = 0; s < S; ++s)
            for (int part = 0; part < 2; ++part) {
                if (!drawn(s, setting)) continue;
                if ((parts == CompareParts::Real && part == 1) || (parts == CompareParts::Imag && part == 0))
                    continue;
                IntervalLines l = interval_lines(series_name(c, ck, s) + (part ? " · imag" : " · real"),
                                                 series_color(c, ck, s), part ? Qt::DashLine : Qt::SolidLine);
                for (const auto& [d, k] : columns)
                    l.add(d, c.summary_at(c.summary.mean, ck, s, part, k), c.summary_at(c.summary.low, ck, s, part, k),
                          c.summary_at(c.summary.high, ck, s, part, k));
                lines.push_back(std::move(l));
            }
    set_interval_series(spec, std::move(lines));
    spec.footnote = QString("Solid: real heads; dashed: imaginary heads (mean over all layers and "
                            "heads of that kind, then over texts). Thin lines: 95% bootstrap "
                            "interval over texts (hidden by the curve where narrower).");
    if (any_virtual(c))
        spec.footnote += " Vanilla RoPE's imaginary heads are virtual: computed for analysis, not "
                         "used by the model.";
    return spec;
}

ChartSpec compare_twin_chart(const StudyComparison& c, const QString& statistic, int setting) {
    ChartSpec spec;
    spec.title = QString("Twin heads: imaginary vs real — %1, mean over texts").arg(statistic);
    spec.x.title = statistic + " of the real head";
    spec.y.title = statistic + " of its imaginary twin";
    spec.equal_axes = true;
    spec.empty_message = "No study open: File ▸ Open study… shows checkpoints side by side.";
    const int k = c.statistic_index(statistic);
    if (k < 0) return spec;
    const auto& h = c.header();
    const std::size_t S = h.settings.size(), K = h.statistics.size();
    double lo = INFINITY, hi = -INFINITY;
    for (int ck = 0; ck < int(h.checkpoints.size()); ++ck) {
        const auto& cp = h.checkpoints[std::size_t(ck)];
        const auto& mean = c.heads[std::size_t(ck)].mean;
        const std::size_t L = std::size_t(cp.layers), H = std::size_t(cp.heads);
        for (std::size_t s = 0; s < S; ++s) {
            if (!drawn(int(s), setting)) continue;
            ChartSeriesSpec series{series_name(c, ck, int(s)), SeriesKind::Scatter, {}, {},
                                   series_color(c, ck, int(s)), 1.0, 6.0};
            for (std::size_t l = 0; l < L; ++l)
                for (std::size_t head = 0; head < H; ++head) {
                    const int twin = cp.twin[head];
                    if (!cp.imag[head] || twin < 0) continue;
                    const auto at = [&](std::size_t hh) { return mean[((s * L + l) * H + hh) * K + std::size_t(k)]; };
                    const double x = at(std::size_t(twin)), y = at(head);
                    if (!std::isfinite(x) || !std::isfinite(y)) continue;
                    series.points.emplace_back(x, y);
                    series.point_labels.push_back(QString("L%1 H%2 (twin H%3)").arg(l).arg(head).arg(twin));
                    lo = std::min({lo, x, y});
                    hi = std::max({hi, x, y});
                }
            spec.series.push_back(std::move(series));
        }
    }
    if (lo <= hi) {
        ChartSeriesSpec diagonal{"y = x", SeriesKind::Line, {{lo, lo}, {hi, hi}}, {}, Qt::darkGray, 1.0};
        diagonal.pen_style = Qt::DashLine;
        spec.series.push_back(std::move(diagonal));
    }
    spec.footnote = "One point per layer and twin pair (the imaginary head and the real head of the "
                    "same query). Above y = x the imaginary head has the larger value.";
    if (any_virtual(c)) spec.footnote += " Vanilla RoPE's imaginary heads are virtual (analysis only).";
    return spec;
}

ChartSpec compare_nll_chart(const StudyComparison& c, int setting) {
    ChartSpec spec;
    spec.title = "Mean NLL of each text";
    spec.x.title = "text (corpus order)";
    spec.y.title = "mean next-token NLL (nats)";
    spec.empty_message = "No study open: File ▸ Open study… shows checkpoints side by side.";
    const auto& h = c.header();
    const int S = int(h.settings.size()), X = int(h.texts.size());
    const int nll = int(c.columns()) - 1;
    QStringList means;
    std::vector<ChartSeriesSpec> mean_lines;
    for (int ck = 0; ck < int(h.checkpoints.size()); ++ck)
        for (int s = 0; s < S; ++s) {
            if (!drawn(s, setting)) continue;
            const QString name = series_name(c, ck, s);
            const double mean = c.summary_at(c.summary.mean, ck, s, 0, nll);
            means << name + " " + interval_text(mean, c.summary_at(c.summary.low, ck, s, 0, nll),
                                                c.summary_at(c.summary.high, ck, s, 0, nll));
            ChartSeriesSpec series{name, SeriesKind::LineAndMarkers, {}, {}, series_color(c, ck, s), 1.4, 4.5};
            const auto& values = c.nll[std::size_t(ck)].values;
            for (int x = 0; x < X; ++x) {
                series.points.emplace_back(x, values[std::size_t(s * X + x)]);
                series.point_labels.push_back(QString::fromStdString(h.texts[std::size_t(x)]));
            }
            ChartSeriesSpec line{name + " · mean over texts", SeriesKind::Line, {{0.0, mean}, {double(X - 1), mean}},
                                 {}, series.color, 1.2};
            line.pen_style = Qt::DashLine;
            line.in_legend = false;
            spec.series.push_back(std::move(series));
            mean_lines.push_back(std::move(line));
        }
    spec.series.insert(spec.series.end(), mean_lines.begin(), mean_lines.end());
    spec.footnote = "Each text's mean next-token NLL (the position figure shows it by prediction "
                    "position). Dashed: mean over texts. Mean [95% bootstrap interval]: " +
                    means.join("; ") + ".";
    return spec;
}

ChartSpec compare_position_chart(const StudyComparison& c, int setting) {
    ChartSpec spec;
    spec.title = "NLL by position — mean over texts, 95% interval";
    spec.x.title = "prediction position (bucket middle)";
    spec.x.scale = AxisScale::Log;
    spec.x.log_base = 2.0;
    spec.y.title = "mean next-token NLL (nats)";
    spec.empty_message = "No study open: File ▸ Open study… shows checkpoints side by side.";
    const auto& h = c.header();
    if (c.nll_by_position.empty()) {
        spec.empty_message = "This study file was written before studies kept the NLL by position: "
                             "run the study again to get it (the nll figure shows each text's mean).";
        return spec;
    }
    const auto& edges = h.nll_position_edges;
    const std::size_t B = edges.size() - 1;
    std::vector<IntervalLines> lines;
    for (int ck = 0; ck < int(h.checkpoints.size()); ++ck)
        for (int s = 0; s < int(h.settings.size()); ++s) {
            if (!drawn(s, setting)) continue;
            IntervalLines l = interval_lines(series_name(c, ck, s), series_color(c, ck, s), Qt::SolidLine);
            const AggregateTable& a = c.nll_by_position[std::size_t(ck)];
            for (std::size_t b = 0; b < B; ++b) {
                const std::size_t at = std::size_t(s) * B + b;
                if (a.n[at] == 0) continue;  // no text reaches this bucket
                l.add(0.5 * (edges[b] + edges[b + 1]), a.mean[at], a.low[at], a.high[at]);
            }
            lines.push_back(std::move(l));
        }
    set_interval_series(spec, std::move(lines));
    QStringList edge_text;
    for (auto e : edges) edge_text << QString::number(e);
    spec.footnote = "Each text's mean NLL over the predictions in a bucket (prediction t is of token "
                    "t + 1 from tokens 0..t; bucket edges " + edge_text.join(", ") +
                    "), then the mean over the texts that reach it. Thin lines: 95% bootstrap "
                    "interval over texts.";
    return spec;
}

QStringList compare_source(const StudyComparison& c) {
    const auto& h = c.header();
    const long done = long(c.study.units.size());
    QStringList checkpoints, settings;
    for (int ck = 0; ck < int(h.checkpoints.size()); ++ck) checkpoints << c.checkpoint_label(ck);
    for (const auto& s : h.settings) settings << QString::fromStdString(s);
    QStringList items{
        QString("study: %1 (%2 of %3 units)").arg(c.path).arg(done).arg(h.units()),
        "checkpoints: " + checkpoints.join(", "),
        QString("corpus: %1 (%2, %3 texts)")
            .arg(QString::fromStdString(h.corpus_path), QString::fromStdString(h.corpus_format))
            .arg(h.texts.size()),
        tokens_text(h),
        "settings: " + settings.join(", "),
        QString("intervals: 95% bootstrap over texts, %1 resamples, seed %2").arg(h.bootstrap).arg(h.seed)};
    for (const auto& note : h.notes) items << "note: " + QString::fromStdString(note);
    return items;
}

}  // namespace rs::ui
