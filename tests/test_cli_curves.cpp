// `ropescope-cli curves` end to end: the CSV and JSON carry exactly the core's curves, and bad
// arguments fail with a message and a non-zero exit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "theory_curves.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        std::string cell;
        while (std::getline(ls, cell, ',')) cells.push_back(cell);
        rows.push_back(cells);
    }
    return rows;
}

double num(const std::string& s) {
    return std::strtod(s.c_str(), nullptr);
}

}  // namespace

TEST(CliCurves, CsvHoldsTheCoreCurvesForEachBase) {
    test::TempDir tmp;
    const auto csv = (tmp / "curves.csv").string();
    const auto r =
        test::run_cli({"curves", "--base", "10000,500000", "--head-dim", "128", "--partial", "0.5",
                       "--factor", "4", "--points", "64", "--max-distance", "8192", "--out", csv});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("base 10000"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("base 500000"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("max |sum - closed|"), std::string::npos) << r.out;

    const auto rows = parse_csv(test::read_file(csv));
    ASSERT_EQ(rows.size(), 1u + 2 * 64);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"base", "distance", "real_sum", "imag_sum",
                                                 "real_closed", "imag_closed"}));
    RopeParams p;
    p.head_dim = 128;
    p.partial_rotary_factor = 0.5;
    p.linear_factor = 4.0;
    const std::vector<double> bases = {10000.0, 500000.0};
    const auto family = curve_family(p, bases, log_distances(8192.0, 64));
    for (std::size_t k = 0; k < 2; ++k)
        for (std::size_t j = 0; j < 64; ++j) {
            const auto& row = rows[1 + k * 64 + j];
            ASSERT_EQ(row.size(), 6u);
            // Shortest round-trip formatting: the CSV reads back to the very same doubles.
            EXPECT_EQ(num(row[0]), bases[k]);
            EXPECT_EQ(num(row[1]), family[k].distance[j]);
            EXPECT_EQ(num(row[2]), family[k].real_sum[j]);
            EXPECT_EQ(num(row[3]), family[k].imag_sum[j]);
            EXPECT_EQ(num(row[4]), family[k].real_closed[j]);
            EXPECT_EQ(num(row[5]), family[k].imag_closed[j]);
        }
}

TEST(CliCurves, JsonReportsGapsAndMissingClosedForms) {
    const auto r = test::run_cli({"curves", "--base", "10000", "--head-dim", "64", "--linear",
                                  "--points", "33", "--max-distance", "256", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["curves"].size(), 1u);
    const auto& c = j["curves"][0];
    EXPECT_TRUE(c["has_closed_form"].get<bool>());
    EXPECT_EQ(c["distance"][0].get<double>(), 0.0);
    EXPECT_EQ(c["real_sum"][0].get<double>(), 32.0);  // C(0) = d/2
    RopeParams p;
    p.head_dim = 64;
    const auto core = characteristic_curves(p, linear_distances(256.0, 33));
    EXPECT_EQ(c["real_gap"]["max_abs"].get<double>(), core.real_gap.max_abs);
    EXPECT_EQ(c["imag_gap"]["at_distance"].get<double>(), core.imag_gap.at_distance);

    const auto y = test::run_cli({"curves", "--yarn", "32", "--points", "8", "--json"});
    ASSERT_EQ(y.exit_code, 0) << y.err;
    const auto yc = nlohmann::json::parse(y.out)["curves"][0];
    EXPECT_FALSE(yc["has_closed_form"].get<bool>());
    EXPECT_TRUE(yc["real_closed"][3].is_null());
    EXPECT_NE(yc["closed_form_note"].get<std::string>().find("YaRN"), std::string::npos);
    EXPECT_GT(yc["logit_scale"].get<double>(), 1.8);
}

TEST(CliCurves, BadArgumentsFailWithAMessage) {
    struct Case {
        std::vector<std::string> args;
        int code;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"curves", "--factor", "8", "--yarn", "32"}, 2, "exclude each other"},
        {{"curves", "--base", "10000,abc"}, 2, "--base"},
        {{"curves", "--base", "0.5"}, 2, "--base"},
        {{"curves", "--points", "1"}, 2, "--points"},
        {{"curves", "--head-dim", "127"}, 2, "head_dim"},
        {{"curves", "--log", "--linear"}, 2, "not both"},
        {{"curves", "--max-distance", "-5"}, 2, "maximum distance"},
        {{"curves", "--partial", "0"}, 2, "partial_rotary_factor"},
        {{"curves", "--colour", "red"}, 2, "unknown option"},
        {{"curves", "--out", "/nonexistent-dir/curves.csv"}, 1, "/nonexistent-dir/curves.csv"},
    };
    for (const auto& c : cases) {
        const auto r = test::run_cli(c.args);
        EXPECT_EQ(r.exit_code, c.code) << c.args.back() << ": " << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}
