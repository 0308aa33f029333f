// Building CSV text for figure data: RFC 4180 quoting and numbers written so they read back
// exactly.
#pragma once

#include <QString>
#include <QStringList>

namespace rs::ui {

// The field as it goes into a CSV line: quoted when it holds a comma, quote or line break.
QString csv_field(const QString& text);
// A number with 12 significant digits ("nan" / "inf" / "-inf" for non-finite values).
QString csv_number(double value);

// Accumulates rows; every row ends with "\n".
class CsvText {
  public:
    explicit CsvText(const QStringList& header) { add_row(header); }
    void add_row(const QStringList& fields);
    const QString& text() const { return text_; }

  private:
    QString text_;
};

}  // namespace rs::ui
