// CSV text of figure data, in QString for the views: a thin adapter over the core's one CSV writer
// (core/io/csv_writer.h: quoting, and numbers that read back as the same double).
#pragma once

#include <QString>
#include <QStringList>

namespace rs::ui {

// csv_number() of the core ("nan" / "inf" / "-inf" for non-finite values).
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
