// Title wrapping for exported charts: QtCharts lays a rich-text title out on as many lines as it
// has <br>s and only elides a line that is still too wide, which a word-wrapped line never is
// unless a single word is.
#include "chart_title.h"

#include <QFontMetricsF>
#include <QStringList>

namespace rs::ui {

QString fitted_chart_title(const QString& title, const QFont& font, double width) {
    const QFontMetricsF fm(font);
    if (fm.horizontalAdvance(title) <= width) return title;
    QStringList lines;
    for (const QString& part : title.split(QString::fromUtf8(" — "), Qt::SkipEmptyParts)) {
        QString line;
        for (const QString& word : part.split(' ', Qt::SkipEmptyParts)) {
            const QString longer = line.isEmpty() ? word : line + ' ' + word;
            if (!line.isEmpty() && fm.horizontalAdvance(longer) > width) {
                lines << line.toHtmlEscaped();
                line = word;
            } else {
                line = longer;
            }
        }
        lines << line.toHtmlEscaped();
    }
    return "<div align=\"center\">" + lines.join("<br>") + "</div>";
}

}  // namespace rs::ui
