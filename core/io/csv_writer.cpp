// CSV quoting, shortest round-trip numbers and comment lines.
#include "csv_writer.h"

#include <charconv>
#include <cmath>

namespace rs {

std::string csv_field(std::string_view text) {
    if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string_view("\"\"") : std::string_view(&c, 1);
    return quoted + "\"";
}

std::string csv_number(double value) {
    if (std::isnan(value)) return "nan";  // to_chars may write "-nan"; the sign means nothing here
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, r.ptr);
}

std::string csv_comment(std::string_view text) {
    std::string line = "# ";
    for (char c : text) line += c == '\n' || c == '\r' ? ' ' : c;
    return line;
}

void CsvWriter::row(const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out_ << (i ? "," : "") << csv_field(fields[i]);
    out_ << '\n';
}

}  // namespace rs
