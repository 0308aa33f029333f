// The figures of the Compare view, as chart specs built from a study file's aggregates: M(D)
// curves per checkpoint, setting and head kind with their 95% bootstrap intervals, the per-head
// twin scatter (real head vs its imaginary twin) across checkpoints, and the NLL the study stores
// per text and by prediction position. Kept apart from the widget so headless rendering and tests use the same code.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "chart_spec.h"
#include "study_comparison.h"

namespace rs::ui {

enum class CompareFigure { Mass, Twins, Nll, Position };

// "mass", "twins", "nll", "position"; nullopt for anything else.
std::optional<CompareFigure> compare_figure_named(const QString& name);
QString compare_figure_name(CompareFigure figure);
QString compare_figure_list();  // "mass, twins, nll, position"

// Which heads the M(D) figure draws.
enum class CompareParts { Both, Real, Imag };
std::optional<CompareParts> compare_parts_named(const QString& name);  // "both", "real", "imag"
QString compare_parts_name(CompareParts parts);

// The M(D) families of a study's statistics, in column order: "M", "M_ex4", "inside_M", ... (a
// column "<family>_<D>" for every D of the study's thresholds).
QStringList mass_families(const StudyHeader& header);
// (D, column) of a family's columns, in threshold order.
std::vector<std::pair<int, int>> mass_family_columns(const StudyHeader& header, const QString& family);

// Series: for each checkpoint, setting and part, the 95% interval's low and high (thin, unnamed
// in the legend, drawn first) and then the mean over texts: points (D, value) of column
// "<family>_<D>" of /summary.
// `setting` (every chart): the index of the one setting drawn, or -1 for all of them.
ChartSpec compare_mass_chart(const StudyComparison& c, const QString& family, CompareParts parts,
                             int setting = -1);
// One scatter series per checkpoint and setting: (mean over texts of the real twin's statistic,
// mean of the imaginary head's), one point per twin pair and layer; then the line y = x.
ChartSpec compare_twin_chart(const StudyComparison& c, const QString& statistic, int setting = -1);
// One series per checkpoint and setting: each text's mean NLL, named with the mean over texts and
// its interval.
ChartSpec compare_nll_chart(const StudyComparison& c, int setting = -1);

// One series per checkpoint and setting: the mean over texts of each text's mean NLL in each
// prediction-position bucket (x: the bucket's middle), with the 95% bootstrap interval's low and
// high as thin lines; an empty chart saying why for a study file without position buckets.
ChartSpec compare_position_chart(const StudyComparison& c, int setting = -1);

// "name: value" items naming the figure's data source: study file, checkpoints, corpus, tokens,
// settings, intervals and notes.
QStringList compare_source(const StudyComparison& c);

}  // namespace rs::ui
