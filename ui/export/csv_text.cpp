// QString rows and numbers through the core's CSV writer.
#include "csv_text.h"

#include <sstream>

#include "csv_writer.h"

namespace rs::ui {

QString csv_number(double value) {
    return QString::fromStdString(rs::csv_number(value));
}

void CsvText::add_row(const QStringList& fields) {
    std::vector<std::string> row;
    row.reserve(std::size_t(fields.size()));
    for (const QString& f : fields) row.push_back(f.toStdString());
    std::ostringstream line;
    CsvWriter(line).row(row);
    text_ += QString::fromStdString(line.str());
}

}  // namespace rs::ui
