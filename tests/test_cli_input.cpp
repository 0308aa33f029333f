// Model input on the command line: --ids-file reads ids separated by commas or whitespace and is
// equivalent to --ids; a bad file names itself.
#include <gtest/gtest.h>

#include "test_util.h"

namespace rs {
namespace {

const std::string kSample = (test::source_dir() / "sample_data" / "rope").string();

TEST(CliInput, IdsFileEqualsIdsOnTheCommandLine) {
    test::TempDir dir;
    test::write_file(dir / "ids.txt", "1, 40 7\n300\t12,\n\n99 5 8\n");
    const auto from_file = test::run_cli(
        {"stats", kSample, "--ids-file", (dir / "ids.txt").string(), "--json", "--quiet"});
    const auto inline_ids =
        test::run_cli({"stats", kSample, "--ids", "1,40,7,300,12,99,5,8", "--json", "--quiet"});
    ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
    ASSERT_EQ(inline_ids.exit_code, 0) << inline_ids.err;
    EXPECT_EQ(from_file.out, inline_ids.out);
}

TEST(CliInput, BadIdsFileIsAnErrorNamingTheFile) {
    test::TempDir dir;
    const auto bad = dir / "bad.txt";
    test::write_file(bad, "1, 2, three\n");
    auto r = test::run_cli({"stats", kSample, "--ids-file", bad.string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(bad.string()), std::string::npos) << r.err;
    r = test::run_cli({"stats", kSample, "--ids-file", (dir / "missing.txt").string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("missing.txt: cannot open"), std::string::npos) << r.err;
    test::write_file(dir / "empty.txt", " \n,\n");
    r = test::run_cli({"stats", kSample, "--ids-file", (dir / "empty.txt").string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("contains no token ids"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rs
