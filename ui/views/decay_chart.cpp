// Decay-curve chart data: base-list parsing, integer distance grids, theory and per-head curves.
#include "decay_curves.h"

#include <QRegularExpression>
#include <algorithm>
#include <cmath>

#include "error.h"
#include "theory_curves.h"
#include "head_columns.h"
#include "series_colors.h"

namespace rs::ui {

namespace {

constexpr int kDenseLimit = 3000;    // every integer distance up to this many points
constexpr int kSparsePoints = 1500;  // points of a longer grid
constexpr std::size_t kMaxBases = 8;

QColor base_color(std::size_t i) {
    return palette_color(int(i) * 2 + (i >= 5 ? 1 : 0));
}
QColor head_color(std::size_t i) {
    return palette_color(int(i) * 2 + 1 + (i >= 5 ? 1 : 0)).darker(115);
}

}  // namespace

std::optional<std::vector<double>> parse_base_list(const QString& text, QString* error) {
    std::vector<double> out;
    const QStringList parts = text.split(QRegularExpression("[,;\\s]+"), Qt::SkipEmptyParts);
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return std::nullopt;
    };
    if (parts.isEmpty()) return fail("enter at least one frequency base, e.g. 10000, 500000");
    for (const QString& part : parts) {
        QString number = part;
        double multiplier = 1.0;
        const QChar last = number.back().toLower();
        if (last == 'k' || last == 'm' || last == 'g') {
            multiplier = last == 'k' ? 1e3 : last == 'm' ? 1e6 : 1e9;
            number.chop(1);
        }
        bool ok = false;
        const double v = number.toDouble(&ok) * multiplier;
        if (!ok || !std::isfinite(v)) return fail(QString("'%1' is not a number").arg(part));
        if (v <= 1.0) return fail(QString("base %1 must be greater than 1").arg(part));
        out.push_back(v);
    }
    if (out.size() > kMaxBases) return fail(QString("at most %1 bases at once").arg(kMaxBases));
    if (error) error->clear();
    return out;
}

QString format_base(double base) {
    for (auto [unit, suffix] : {std::pair{1e9, "G"}, std::pair{1e6, "M"}, std::pair{1e3, "k"}}) {
        const double q = base / unit;
        if (q >= 1.0 && std::abs(q - std::round(q * 100) / 100) < 1e-9)
            return QString::number(q, 'g', 6) + suffix;
    }
    return QString::number(base, 'g', 10);
}

std::vector<double> decay_distances(double max_distance, bool log_axis) {
    const double top = std::floor(std::max(2.0, max_distance));
    std::vector<double> out;
    const double first = log_axis ? 1.0 : 0.0;
    if (top - first + 1 <= kDenseLimit) {
        for (double d = first; d <= top; d += 1.0) out.push_back(d);
        return out;
    }
    for (int i = 0; i < kSparsePoints; ++i) {
        const double u = double(i) / (kSparsePoints - 1);
        const double d = log_axis ? std::round(std::pow(top, u)) : std::round(top * u);
        if (out.empty() || d > out.back()) out.push_back(d);
    }
    return out;
}

RopeParams decay_rope_params(const DecaySettings& s, double base) {
    RopeParams p;
    p.theta = base;
    p.head_dim = s.head_dim;
    p.partial_rotary_factor = s.partial_rotary;
    if (s.scaling == DecayScaling::Linear) p.linear_factor = s.factor;
    if (s.scaling == DecayScaling::Yarn) p.yarn_factor = s.factor;
    return p;
}

double bin_centre(const std::vector<int>& edges, std::size_t b, int tokens) {
    if (b + 1 >= edges.size()) return std::nan("");
    double weighted = 0.0, pairs = 0.0;
    for (int d = edges[b]; d < edges[b + 1] && d < tokens; ++d) {
        weighted += double(d) * (tokens - d);
        pairs += tokens - d;
    }
    return pairs > 0 ? weighted / pairs : std::nan("");
}

HeadDecayCurve head_decay_curve(const RunStats& stats, const HeadLayout* layout,
                                const std::vector<double>& inv_freq, int layer, int head,
                                const std::vector<double>& distances) {
    HeadDecayCurve c;
    c.layer = layer;
    c.head = head;
    c.label = QString("L%1 %2").arg(layer).arg(head_label(layout, head));
    if (layer < 0 || layer >= stats.layers || head < 0 || head >= stats.heads) return c;
    const std::size_t i = std::size_t(layer) * stats.heads + head;
    if (i < stats.observed.size() && !stats.observed[i]) return c;
    const HeadStats& s = stats.at(layer, head);
    if (s.freq_re.empty() || s.freq_re.size() != inv_freq.size()) return c;
    double total = 0.0;
    for (std::size_t k = 0; k < s.freq_re.size(); ++k)
        total += std::hypot(s.freq_re[k], s.freq_im[k]);
    c.scale = double(stats.logit_scale) * total;
    if (!(c.scale > 0) || !std::isfinite(c.scale)) {
        c.scale = 0.0;
        return c;
    }
    for (std::size_t b = 0; b < s.bin_logit.size(); ++b) {
        if (b >= s.bin_pairs.size() || s.bin_pairs[b] <= 0 || !std::isfinite(s.bin_logit[b]))
            continue;
        c.measured.emplace_back(bin_centre(stats.bin_edges, b, stats.tokens),
                                (s.bin_logit[b] - s.passthrough) / c.scale);
    }
    for (double d : distances)
        c.expected.emplace_back(
            d, (stats.expected_logit(layer, head, inv_freq, d) - s.passthrough) / c.scale);
    return c;
}

ChartSpec decay_chart(const DecaySettings& settings, const std::vector<HeadDecayCurve>& heads) {
    ChartSpec spec;
    spec.title = "RoPE decay with distance: real (Ci) and imaginary (Si)";
    spec.x.title = "distance Δ (tokens)";
    spec.x.scale = settings.log_distance ? AxisScale::Log : AxisScale::Linear;
    spec.x.min = settings.log_distance ? 1.0 : 0.0;
    spec.x.max = std::floor(std::max(2.0, settings.max_distance));
    spec.y.title = "normalised logit (1 = all pairs aligned)";
    spec.y.include_zero = true;
    spec.legend = LegendPlace::Right;
    spec.empty_message = "Nothing to plot: enable the discrete sum or the closed form.";

    const std::vector<double> distances =
        decay_distances(settings.max_distance, settings.log_distance);
    std::vector<CharacteristicCurves> family;
    if (!settings.bases.empty())
        family = curve_family(decay_rope_params(settings, settings.bases.front()), settings.bases,
                              distances);

    QStringList notes;
    bool closed_drawn = false;
    for (std::size_t b = 0; b < family.size(); ++b) {
        const CharacteristicCurves& c = family[b];
        const double norm = c.rotary_dim / 2.0;
        const QString name = "b=" + format_base(c.base);
        const QColor color = base_color(b);
        auto add = [&](const QString& what, const std::vector<double>& y, Qt::PenStyle style,
                       double width, QColor col) {
            ChartSeriesSpec s;
            s.name = name + " " + what;
            s.color = col;
            s.width = width;
            s.pen_style = style;
            s.points.reserve(y.size());
            for (std::size_t i = 0; i < y.size(); ++i)
                s.points.emplace_back(c.distance[i], y[i] / norm);
            spec.series.push_back(std::move(s));
        };
        if (settings.discrete) {
            add("real Σcos", c.real_sum, Qt::SolidLine, 1.7, color);
            add("imag Σsin", c.imag_sum, Qt::DashLine, 1.7, color);
        }
        if (settings.closed_form && c.has_closed_form) {
            closed_drawn = true;
            add("real Ci form", c.real_closed, Qt::DotLine, 1.3, color.darker(160));
            add("imag Si form", c.imag_closed, Qt::DashDotLine, 1.3, color.darker(160));
        }
        if (!c.has_closed_form && b == 0 &&
            (settings.closed_form || settings.scaling == DecayScaling::Yarn))
            notes << QString("No closed form: %1.").arg(QString::fromStdString(c.closed_form_note));
    }

    for (std::size_t h = 0; h < heads.size(); ++h) {
        const HeadDecayCurve& c = heads[h];
        const QColor color = head_color(h);
        if (c.scale <= 0) {
            notes << QString("%1 has no frequency weights to plot.").arg(c.label);
            continue;
        }
        ChartSeriesSpec measured;
        measured.name = c.label + " measured";
        measured.kind = SeriesKind::LineAndMarkers;
        measured.color = color;
        measured.width = 1.0;
        measured.marker_size = 7.0;
        measured.points = c.measured;
        spec.series.push_back(std::move(measured));
        ChartSeriesSpec expected;
        expected.name = c.label + " from cᵢ";
        expected.color = color;
        expected.width = 1.6;
        expected.points = c.expected;
        spec.series.push_back(std::move(expected));
    }

    const int rotary = family.empty() ? 0 : family.front().rotary_dim;
    // Only what is drawn: a YaRN chart has no closed-form curves, so its caption names none.
    QString foot =
        QString("Theory: Σcos(θᵢΔ)/(d/2) solid, Σsin(θᵢΔ)/(d/2) dashed, d = %1 rotary dims")
            .arg(rotary);
    foot += closed_drawn ? "; darker dotted = Ci/Si closed form." : ".";
    if (!heads.empty())
        foot +=
            " Heads, on the model's own spectrum: (logit − passthrough) / (Σ|cᵢ|/√d_head), cᵢ the "
            "head's frequency weights; dots = mean logit per distance bin, line = expected from "
            "cᵢ.";
    if (!notes.isEmpty()) foot += " " + notes.join(" ");
    spec.footnote = foot;
    return spec;
}

}  // namespace rs::ui
