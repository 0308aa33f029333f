// Chart titles that never lose text: QtCharts elides a title wider than its chart ("… — 3486
// to..."), so an exported figure breaks a long title into lines instead.
#pragma once

#include <QFont>
#include <QString>

namespace rs::ui {

// `title` unchanged when it fits `width` pixels in `font`; otherwise centred rich text with one
// line per part: first at " — " separators, then between words, each line as full as fits.
QString fitted_chart_title(const QString& title, const QFont& font, double width);

}  // namespace rs::ui
