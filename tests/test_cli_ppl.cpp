// `ropescope-cli ppl`: the protocol named in every output, the length sweep's CSV (equal to the
// core's nll_by_length) and figure over several checkpoints, and options refused where they do not
// apply.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "perplexity.h"
#include "rope_override.h"
#include "tests/test_util.h"

namespace rs {
namespace {

const std::string kIds = "3,9,27,4,12,36,11,33,2,6,18,54,5,15,45,8,24,72,19,57,14,42,29,87,"
                         "64,1,7,21,63,10,30,90,13,39,20,60,17,51,26,78";

std::vector<std::int32_t> ids_of(const std::string& text) {
    std::vector<std::int32_t> out;
    std::stringstream s(text);
    for (std::string v; std::getline(s, v, ',');) out.push_back(std::stoi(v));
    return out;
}

TEST(CliPpl, TheDefaultProtocolIsNamed) {
    const auto dir = test::fixture_dir("rope_f32").string();
    auto r = test::run_cli({"ppl", dir, "--ids", kIds, "--context", "16", "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("protocol: consecutive windows of 16 tokens"), std::string::npos) << r.out;
    r = test::run_cli({"ppl", dir, "--ids", kIds, "--protocol", "sliding", "--window", "16",
                       "--stride", "4", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["protocol"], "sliding");
    EXPECT_EQ(j["stride"], 4);
    EXPECT_EQ(j["scored"], 39);
}

TEST(CliPpl, SweepCsvHasOneRowPerCheckpointAndLengthEqualToTheCore) {
    test::TempDir tmp;
    const std::vector<std::string> names{"rope_pp_ec_f32", "rope_f32"};
    const auto csv = tmp / "sweep.csv", fig = tmp / "sweep.svg";
    const auto r = test::run_cli({"ppl", test::fixture_dir(names[0]).string(),
                                  test::fixture_dir(names[1]).string(), "--ids", kIds, "--lengths",
                                  "8,16", "--out", csv.string(), "--figure", fig.string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("protocol: consecutive windows of L tokens"), std::string::npos) << r.out;
    std::stringstream text(test::read_file(csv));
    std::vector<std::string> rows;
    for (std::string line; std::getline(text, line);)
        if (!line.empty() && line[0] != '#') rows.push_back(line);
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[0], "checkpoint,variant,setting,protocol,length,windows,tokens_scored,mean_nll,ppl");
    const auto ids = ids_of(kIds);
    const std::vector<int> lengths{8, 16};
    for (std::size_t c = 0; c < names.size(); ++c) {
        Model model(std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir(names[c]).string())));
        const auto want = nll_by_length(model, ids, lengths, {});
        for (std::size_t i = 0; i < lengths.size(); ++i) {
            std::stringstream row(rows[1 + c * 2 + i]);
            std::vector<std::string> f;
            for (std::string v; std::getline(row, v, ',');) f.push_back(v);
            ASSERT_EQ(f.size(), 9u) << rows[1 + c * 2 + i];
            EXPECT_NE(f[0].find(names[c]), std::string::npos);
            EXPECT_EQ(f[2], "none") << "no RoPE override yet";
            EXPECT_EQ(f[3], "consecutive");
            EXPECT_EQ(std::stoi(f[4]), lengths[i]);
            EXPECT_EQ(std::stoi(f[5]), want[i].windows);
            EXPECT_EQ(std::stol(f[6]), want[i].scored);
            EXPECT_EQ(std::stod(f[7]), want[i].mean_nll);  // shortest round-trip text
            EXPECT_NEAR(std::stod(f[8]), std::exp(want[i].mean_nll), 1e-9);
        }
    }
    const std::string svg = test::read_file(fig);
    EXPECT_NE(svg.find("<svg"), std::string::npos);
    EXPECT_NE(svg.find("rope_pp_ec_f32"), std::string::npos) << "the caption names the checkpoints";
}

// Several --setting labels make one series per checkpoint and setting, each equal to the core run
// with that override applied (as config.json edits would).
TEST(CliPpl, SweepOverSettingsRunsEachCheckpointUnderEachOverride) {
    test::TempDir tmp;
    const auto dir = test::fixture_dir("rope_f32").string();
    const auto csv = tmp / "sweep.csv", fig = tmp / "sweep.svg";
    const auto r = test::run_cli({"ppl", dir, "--ids", kIds, "--lengths", "8,16", "--setting", "none",
                                  "--setting", "pi_factor=4", "--setting", "rope_theta=500", "--out",
                                  csv.string(), "--figure", fig.string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::stringstream text(test::read_file(csv));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(text, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::stringstream row(line);
        rows.emplace_back();
        for (std::string v; std::getline(row, v, ',');) rows.back().push_back(v);
    }
    ASSERT_EQ(rows.size(), 7u);
    const std::vector<std::string> labels{"none", "pi_factor=4", "rope_theta=500"};
    const auto ids = ids_of(kIds);
    std::vector<double> first;
    for (std::size_t k = 0; k < labels.size(); ++k) {
        CheckpointOptions opt;
        opt.config.rope_override = parse_rope_override(labels[k]);
        Model model(std::make_shared<const Checkpoint>(Checkpoint::open(dir, opt)));
        const std::vector<int> lengths{8, 16};
        const auto want = nll_by_length(model, ids, lengths, {});
        for (std::size_t i = 0; i < 2; ++i) {
            const auto& f = rows[1 + k * 2 + i];
            EXPECT_EQ(f[2], labels[k]);
            EXPECT_EQ(std::stod(f[7]), want[i].mean_nll) << labels[k];
        }
        first.push_back(want[1].mean_nll);
    }
    EXPECT_NE(first[0], first[1]) << "an override that changes nothing proves nothing";
    EXPECT_NE(first[0], first[2]);
    const std::string svg = test::read_file(fig);
    EXPECT_NE(svg.find("pi_factor=4"), std::string::npos) << "the legend names each setting";
}

TEST(CliPpl, OptionsOutsideTheirProtocolOrModeAreRefusedByName) {
    const auto a = test::fixture_dir("rope_f32").string(), b = test::fixture_dir("rope_pp_eh_f32").string();
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--window", "8"}, "--window"},
        {{"--stride", "8"}, "--stride"},
        {{"--protocol", "sliding", "--context", "8"}, "--context"},
        {{"--lengths", "8", "--context", "8"}, "--context"},
        {{"--lengths", "8", "--bucket", "4"}, "--bucket"},
        {{"--lengths", "8,8"}, "--lengths"},
        {{"--lengths", "8,16", "--protocol", "sliding", "--stride", "9"}, "--stride"},
        {{"--figure", "x.png"}, "--figure"},
        {{"--protocol", "sliding", "--window", "8", "--stride", "9"}, "--stride"},
        {{"--setting", "pi_factor=4"}, "--setting"},
        {{"--lengths", "8", "--setting", "pi_factor=4", "--pi-factor", "2"}, "--pi-factor"},
        {{"--lengths", "8", "--setting", "pi_factor=4", "--setting", "pi_factor=4"}, "--setting"},
        {{"--lengths", "8", "--setting", "warp=2"}, "--setting warp=2"},
    };
    for (const auto& [extra, option] : cases) {
        std::vector<std::string> args{"ppl", a, "--ids", kIds};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = test::run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << r.err;
        EXPECT_NE(r.err.find(option), std::string::npos) << option << ": " << r.err;
    }
    const auto two = test::run_cli({"ppl", a, b, "--ids", kIds});
    EXPECT_EQ(two.exit_code, 2);
    EXPECT_NE(two.err.find("--lengths"), std::string::npos) << two.err;
    const auto longer = test::run_cli({"ppl", a, "--ids", kIds, "--lengths", "8,64", "--quiet"});
    EXPECT_EQ(longer.exit_code, 2);
    EXPECT_NE(longer.err.find("64"), std::string::npos) << longer.err;
}

}  // namespace
}  // namespace rs
