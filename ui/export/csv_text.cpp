// CSV quoting and number formatting shared by every view's figure_csv().
#include "csv_text.h"

#include <QRegularExpression>
#include <cmath>

namespace rs::ui {

QString csv_field(const QString& text) {
    if (!text.contains(QRegularExpression("[,\"\\r\\n]"))) return text;
    QString quoted = text;
    quoted.replace("\"", "\"\"");
    return "\"" + quoted + "\"";
}

QString csv_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    return QString::number(value, 'g', 12);
}

void CsvText::add_row(const QStringList& fields) {
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString& f : fields) quoted << csv_field(f);
    text_ += quoted.join(',') + "\n";
}

}  // namespace rs::ui
