// `ropescope-cli CMD --help` (and -h) prints that command's usage, summary and options and exits
// 0, for every command: help is not a usage error. Usage and help come from one option table, so
// every option in the usage line has a line of help.
#include <gtest/gtest.h>

#include "test_util.h"

namespace rs {
namespace {

class CliHelp : public ::testing::TestWithParam<const char*> {};

TEST_P(CliHelp, PrintsTheCommandsUsageAndExitsZero) {
    const std::string cmd = GetParam();
    for (const char* flag : {"--help", "-h"}) {
        const auto r = test::run_cli({cmd, flag});
        EXPECT_EQ(r.exit_code, 0) << cmd << " " << flag << ": " << r.err;
        EXPECT_EQ(r.out.rfind("usage: ropescope-cli " + cmd + " ", 0), 0u) << r.out;
        EXPECT_GT(r.out.size(), cmd.size() + 40) << "a summary follows the usage line";
        EXPECT_TRUE(r.err.empty()) << r.err;
    }
    // Every --option of the usage line is described under "options:", --json included.
    const auto help = test::run_cli({cmd, "--help"}).out;
    const auto options = help.find("\noptions:\n");
    ASSERT_NE(options, std::string::npos) << help;
    const std::string usage = help.substr(0, help.find('\n'));
    EXPECT_NE(usage.find("[--json]"), std::string::npos) << usage;
    for (std::size_t at = usage.find("--"); at != std::string::npos;
         at = usage.find("--", at + 2)) {
        const std::string name = usage.substr(at, usage.find_first_of(" ]|)", at) - at);
        EXPECT_NE(help.find("\n  " + name, options), std::string::npos) << name << " in " << help;
    }
    // Also after other arguments, which are not checked first.
    const auto late = test::run_cli({cmd, "some/dir", "--json", "--help"});
    EXPECT_EQ(late.exit_code, 0) << late.err;
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, CliHelp,
                         ::testing::Values("info", "forward", "tokenize", "stats", "curves", "ppl",
                                           "noise", "estimate", "trace", "render", "show", "tile",
                                           "export"));

}  // namespace
}  // namespace rs
