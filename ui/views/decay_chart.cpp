// Decay-curve chart: series, colours and footnote from core's normalised curves.
#include "decay_chart.h"

#include <algorithm>
#include <cmath>

#include "head_columns.h"
#include "series_colors.h"

namespace rs::ui {

namespace {

QColor base_color(std::size_t i) {
    return palette_color(int(i) * 2 + (i >= 5 ? 1 : 0));
}
QColor head_color(std::size_t i) {
    return palette_color(int(i) * 2 + 1 + (i >= 5 ? 1 : 0)).darker(115);
}

}  // namespace

QString format_base(double base) {
    for (auto [unit, suffix] : {std::pair{1e9, "G"}, std::pair{1e6, "M"}, std::pair{1e3, "k"}}) {
        const double q = base / unit;
        if (q >= 1.0 && std::abs(q - std::round(q * 100) / 100) < 1e-9)
            return QString::number(q, 'g', 6) + suffix;
    }
    return QString::number(base, 'g', 10);
}

HeadDecayCurve head_decay_curve(const RunStats& stats, const HeadLayout* layout,
                                const std::vector<double>& inv_freq, int layer, int head,
                                const std::vector<double>& distances) {
    const HeadDecay core = head_decay(stats, inv_freq, layer, head, distances);
    HeadDecayCurve c;
    c.layer = layer;
    c.head = head;
    c.label = QString("L%1 %2").arg(layer).arg(head_label(layout, head));
    c.scale = core.scale;
    for (const DecayPoint& p : core.measured) c.measured.emplace_back(p.distance, p.value);
    for (const DecayPoint& p : core.expected) c.expected.emplace_back(p.distance, p.value);
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

    const std::vector<CharacteristicCurves> family = decay_theory(settings);

    QStringList notes;
    bool closed_drawn = false;
    for (std::size_t b = 0; b < family.size(); ++b) {
        const CharacteristicCurves& c = family[b];
        const bool local = settings.local_base > 0 && b + 1 == family.size();  // decay_theory's order
        const QString name = "b=" + format_base(c.base) + (local ? " local" : "");
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
                s.points.emplace_back(c.distance[i], y[i]);
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
    if (settings.local_base > 0 && !family.empty())
        foot += QString(" b=%1 local: the sliding-window layers' RoPE (rope_local_base_freq), "
                        "drawn without scaling.")
                    .arg(format_base(settings.local_base));
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
