// The one CSV writer (core/io/csv_writer.h): numbers read back as the same double, fields are
// quoted only when they must be, comments stay one line.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include "csv_writer.h"

namespace rs {
namespace {

TEST(CsvWriter, NumbersAreTheShortestTextThatReadsBackExactly) {
    EXPECT_EQ(csv_number(0.1), "0.1");
    EXPECT_EQ(csv_number(10000), "10000");
    EXPECT_EQ(csv_number(-2.5), "-2.5");
    EXPECT_EQ(csv_number(1e-5), "1e-05");
    EXPECT_EQ(csv_number(1.0 / 3.0), "0.3333333333333333");
    for (double v : {0.1, 1.0 / 3.0, 2.0 / 3.0 * 1e-300, 123456789.123456789, 5e-324,
                     std::numeric_limits<double>::max(), -0.0, 0.30000000000000004}) {
        const std::string text = csv_number(v);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), v) << text;
        EXPECT_EQ(std::signbit(std::strtod(text.c_str(), nullptr)), std::signbit(v)) << text;
    }
}

TEST(CsvWriter, NonFiniteValuesAreSpelledOut) {
    EXPECT_EQ(csv_number(std::nan("")), "nan");
    EXPECT_EQ(csv_number(-std::nan("")), "nan");
    EXPECT_EQ(csv_number(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(csv_number(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(CsvWriter, FieldsAreQuotedOnlyWhenNeeded) {
    const std::pair<const char*, const char*> cases[] = {
        {"plain text", "plain text"},       {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""}, {"two\nlines", "\"two\nlines\""},
        {"cr\r", "\"cr\r\""},
    };
    for (const auto& [text, field] : cases) EXPECT_EQ(csv_field(text), field) << text;
}

TEST(CsvWriter, CommentsThenRows) {
    std::ostringstream out;
    CsvWriter csv(out);
    csv.comment("checkpoint: /m");
    csv.comment("two\nlines");
    csv.row({"series", "x,y"});
    csv.row({"b=10k real", csv_number(0.5)});
    EXPECT_EQ(out.str(), "# checkpoint: /m\n# two lines\nseries,\"x,y\"\nb=10k real,0.5\n");
}

}  // namespace
}  // namespace rs
