// Every option of a model-running command is parsed before any heavy work: a bad value is refused
// with exit 2 naming the option, before the checkpoint opens (a folder that does not exist is not
// even looked at), before any progress or estimate line, and before an output file is made.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>

#include "test_util.h"

namespace rs {
namespace {

struct BadValue {
    std::vector<std::string> args;  // after "CMD CHECKPOINT"
    std::string option;             // the option the refusal names
};

struct Case {
    std::string command;
    BadValue bad;
};

class CliParseFirst : public ::testing::TestWithParam<Case> {};

// The refusal a usage error gets, and nothing a model run would print first.
void expect_refused_before_loading(const test::CliResult& r, const std::string& option) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--" + option), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("usage: ropescope-cli "), std::string::npos) << r.err;
    for (const char* run_output : {"Loading", "layers", "runs", "windows",
                                   "estimate:", "note:", "no such file or folder", "error:"})
        EXPECT_EQ(r.err.find(run_output), std::string::npos) << run_output << " in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_P(CliParseFirst, BadValueIsRefusedBeforeTheCheckpointOpens) {
    const Case& c = GetParam();
    test::TempDir dir;
    const auto out = dir / "out.h5";
    std::vector<std::string> checkpoints{test::fixture_dir("rope_f32").string()};
    // render tells a checkpoint folder from a trace by looking: a missing folder is a trace there.
    if (c.command != "render") checkpoints.push_back((dir / "no_such_checkpoint").string());
    for (const std::string& checkpoint : checkpoints) {
        std::vector<std::string> args{c.command, checkpoint, "--ids", "1,2,3,4,5,6"};
        args.insert(args.end(), c.bad.args.begin(), c.bad.args.end());
        if (c.command == "trace" || c.command == "render") {
            args.push_back("-o");
            args.push_back(out.string());
        }
        const auto r = test::run_cli(args);
        expect_refused_before_loading(r, c.bad.option);
        EXPECT_FALSE(std::filesystem::exists(out)) << "no output file for a refused command";
    }
}

INSTANTIATE_TEST_SUITE_P(
    ModelRunningCommands, CliParseFirst,
    ::testing::Values(Case{"trace", {{"--noise", "abc"}, "noise"}},
                      Case{"trace", {{"--seed", "x"}, "seed"}},
                      Case{"trace", {{"--max-tokens", "-3"}, "max-tokens"}},
                      Case{"noise", {{"--sigma", "abc"}, "sigma"}},
                      Case{"noise", {{"--target", "sideways"}, "target"}},
                      Case{"noise", {{"--thresholds", "4,x"}, "thresholds"}},
                      Case{"noise", {{"--seeds", "0"}, "seeds"}},
                      Case{"noise", {{"--sigmas", "papers"}, "sigmas"}},
                      Case{"trace", {{"--noise", "paper", "--seeds", "1,x"}, "seeds"}},
                      Case{"ppl", {{"--context", "ten"}, "context"}},
                      Case{"ppl", {{"--bucket", "0"}, "bucket"}},
                      Case{"ppl", {{"--protocol", "zigzag"}, "protocol"}},
                      Case{"ppl", {{"--protocol", "sliding", "--stride", "0"}, "stride"}},
                      Case{"ppl", {{"--protocol", "sliding", "--window", "1"}, "window"}},
                      Case{"ppl", {{"--lengths", "16,abc"}, "lengths"}},
                      Case{"ppl", {{"--lengths", "16", "--figure", "fig.txt"}, "figure"}},
                      Case{"ppl", {{"--dpi", "300"}, "dpi"}},
                      Case{"stats", {{"--thresholds", "-1"}, "thresholds"}},
                      Case{"render", {{"--view", "noise", "--sigma", "abc"}, "sigma"}},
                      Case{"render", {{"--view", "noise", "--seed", "s"}, "seed"}},
                      Case{"forward", {{"--variant", "xx"}, "variant"}}),
    [](const ::testing::TestParamInfo<Case>& info) {
        std::string name = info.param.command + "_" + info.param.bad.option;
        for (char& ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

// An option that belongs to no command of the table is refused by name, for every command.
TEST(CliParseFirst, AnOptionOutsideTheTableIsRefused) {
    for (const char* cmd : {"trace", "noise", "ppl", "stats", "render", "info", "estimate"}) {
        const auto r = test::run_cli({cmd, "nowhere", "--sigmaa", "1"});
        EXPECT_EQ(r.exit_code, 2) << cmd << ": " << r.err;
        EXPECT_NE(r.err.find("unknown option --sigmaa"), std::string::npos) << r.err;
    }
}

// `study` checks every option (and its sub-command's table) before reading the corpus or opening a
// checkpoint: a bad value exits 2 naming the option, and no study file or journal is made.
TEST(CliParseFirst, StudyRefusesABadOptionBeforeReadingAnything) {
    test::TempDir dir;
    const auto out = dir / "s.h5";
    const std::vector<std::string> base{"study", "-o", out.string(), "--checkpoint",
                                        (dir / "no_such_checkpoint").string(), "--corpus",
                                        (dir / "no_such_corpus").string()};
    const std::vector<BadValue> cases{
        {{"--shard", "3/3"}, "shard"},          {{"--shard", "x"}, "shard"},
        {{"--setting", "pi_factor=0.5"}, "setting"}, {{"--setting", "colour=4"}, "setting"},
        {{"--bootstrap", "-1"}, "bootstrap"},   {{"--seed", "-4"}, "seed"},
        {{"--max-tokens", "1"}, "max-tokens"},  {{"--window", "ten"}, "window"},
        {{"--csv"}, "csv"},                     {{"--sigma", "1"}, "sigma"}};
    for (const auto& c : cases) {
        auto args = base;
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto r = test::run_cli(args);
        expect_refused_before_loading(r, c.option);
        EXPECT_FALSE(std::filesystem::exists(out));
        EXPECT_FALSE(std::filesystem::exists(dir / "s.h5.parts"));
    }
    // merge and show read their own options only.
    auto r = test::run_cli({"study", "merge", "-o", out.string(), "a.h5", "--corpus", "c"});
    expect_refused_before_loading(r, "corpus");
    EXPECT_NE(r.err.find("study merge does not read --corpus"), std::string::npos) << r.err;
    r = test::run_cli({"study", "show", "a.h5", "--shard", "0/2"});
    expect_refused_before_loading(r, "shard");
    EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace rs
