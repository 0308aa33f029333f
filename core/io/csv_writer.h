// The one CSV writer of CLI and GUI exports: RFC 4180 quoting, "# " comment lines before the
// header, and numbers in the shortest text that reads back as the same double.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rs {

// The field as it goes into a CSV line: quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view text);

// The shortest decimal text that reads back (strtod, from_chars, Python float, pandas) as exactly
// `value`: std::to_chars without precision, "1e-05" style exponents where shorter. Non-finite
// values are "nan", "inf" and "-inf".
std::string csv_number(double value);

// "# text" for the top of a file; line breaks in `text` become spaces so it stays one line.
std::string csv_comment(std::string_view text);

// Writes lines to a stream; every line ends with "\n".
class CsvWriter {
  public:
    explicit CsvWriter(std::ostream& out) : out_(out) {}
    void comment(std::string_view text) { out_ << csv_comment(text) << '\n'; }
    // Fields are quoted as needed (numbers: pass csv_number(v)).
    void row(const std::vector<std::string>& fields);

  private:
    std::ostream& out_;
};

}  // namespace rs
