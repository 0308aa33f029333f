// The one grammar of typed number lists (core/io/number_list.h): what it accepts, and that every
// refusal names the option or field it was given for.
#include <gtest/gtest.h>

#include <charconv>
#include <string>
#include <vector>

#include "error.h"
#include "number_list.h"

namespace rs {
namespace {

std::string refusal(const std::string& text, const NumberListBounds& bounds = {}) {
    try {
        parse_number_list(text, "--sigma", bounds);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(NumberList, CommaSeparatedWithOptionalSpaces) {
    EXPECT_EQ(parse_number_list("0.5,1,2", "--sigma"), (std::vector<double>{0.5, 1, 2}));
    EXPECT_EQ(parse_number_list(" 0.5 , 1,\t2 ", "--sigma"), (std::vector<double>{0.5, 1, 2}));
    EXPECT_EQ(parse_number_list("7", "--sigma"), (std::vector<double>{7}));
    EXPECT_EQ(parse_number_list("-1.5e-3, +4, .25, 3.", "x"),
              (std::vector<double>{-1.5e-3, 4, 0.25, 3}));
}

TEST(NumberList, SuffixesScaleByPowersOfAThousand) {
    EXPECT_EQ(parse_number_list("10k, 5e5, 1M, 2.5G, 3K, 1m, 1g", "Bases"),
              (std::vector<double>{1e4, 5e5, 1e6, 2.5e9, 3e3, 1e6, 1e9}));
}

// What the CSV writer writes (shortest round-trip) reads back as the same double.
TEST(NumberList, ReadsBackShortestRoundTripText) {
    for (double v : {0.1, 1.0 / 3.0, 1e-300, 123456789.123456789, 5e-324, -2.5e17}) {
        char buf[40];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        EXPECT_EQ(parse_number_list(std::string(buf, r.ptr), "x"), std::vector<double>{v}) << buf;
    }
}

TEST(NumberList, RefusalsNameTheOptionAndTheItem) {
    EXPECT_EQ(refusal("0.5,abc,2"), "--sigma expects comma-separated numbers, got 'abc'");
    EXPECT_EQ(refusal("1,,2"), "--sigma expects comma-separated numbers, got ''");
    EXPECT_EQ(refusal("1,2,"), "--sigma expects comma-separated numbers, got ''");
    EXPECT_EQ(refusal("1 2"), "--sigma expects comma-separated numbers, got '1 2'");
    EXPECT_EQ(refusal("1;2"), "--sigma expects comma-separated numbers, got '1;2'");
    EXPECT_EQ(refusal(""), "--sigma expects at least one number");
    EXPECT_EQ(refusal("  "), "--sigma expects at least one number");
    for (const char* bad : {"nan", "inf", "-inf", "1e999", "0x10", "k", "1kk", "1x", "--1", "+-1"})
        EXPECT_EQ(refusal(bad), std::string("--sigma expects comma-separated numbers, got '") +
                                    bad + "'")
            << bad;
}

TEST(NumberList, BoundsAreCheckedWithTheirValueNamed) {
    EXPECT_EQ(refusal("1,-0.5", kNonNegativeNumbers), "--sigma expects numbers >= 0, got '-0.5'");
    EXPECT_EQ(parse_number_list("0,1", "--sigma", kNonNegativeNumbers), (std::vector<double>{0, 1}));
    const NumberListBounds above_one{1.0, true, 3};
    EXPECT_EQ(refusal("10k,1", above_one), "--sigma expects numbers > 1, got '1'");
    EXPECT_EQ(refusal("2,3,4,5", above_one), "--sigma takes at most 3 numbers, got 4");
    EXPECT_EQ(parse_number_list("2,3,4", "--sigma", above_one), (std::vector<double>{2, 3, 4}));
}

}  // namespace
}  // namespace rs
