// The CLI's CSV outputs (ppl, noise, stats, curves, export, tile) are written beside the target and
// renamed: a full disk is an error naming the file, and an older file of that name survives.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "test_util.h"

namespace rs {
namespace {

namespace fs = std::filesystem;

const std::string kSample = (test::source_dir() / "sample_data" / "rope_pp_ec").string();
const std::string kSampleText = (test::source_dir() / "sample_data" / "sample.txt").string();

// Lowers this process's file-size limit for one scope; the CLI started by run_cli inherits it.
// Writes past the limit then fail with EFBIG instead of raising SIGXFSZ.
class ScopedFileSizeLimit {
  public:
    explicit ScopedFileSizeLimit(rlim_t bytes) {
        getrlimit(RLIMIT_FSIZE, &saved_);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        const rlimit lim{bytes, saved_.rlim_max};
        setrlimit(RLIMIT_FSIZE, &lim);
    }
    ~ScopedFileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }

  private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

std::vector<std::string> ppl_args(const fs::path& out) {
    return {"ppl",  kSample,   "--text-file", kSampleText, "--max-tokens",
            "2000", "--quiet", "--out",       out.string()};
}

TEST(CliOutputFiles, FullDiskIsAnErrorAndTheOlderFileSurvives) {
    test::TempDir dir;
    const fs::path out = dir / "nll.csv";
    test::write_file(out, "an older result\n");
    test::CliResult r;
    {
        ScopedFileSizeLimit limit(16 << 10);  // the CSV has 2000 rows, ~40 KiB
        r = test::run_cli(ppl_args(out));
    }
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(out.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("disk full"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(out), "an older result\n");
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}

TEST(CliOutputFiles, ASuccessfulWriteReplacesTheOlderFile) {
    test::TempDir dir;
    const fs::path out = dir / "nll.csv";
    test::write_file(out, "an older result\n");
    const auto r = test::run_cli(ppl_args(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string csv = test::read_file(out);
    EXPECT_EQ(csv.rfind("position,mean_nll,windows\n", 0), 0u) << csv.substr(0, 80);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2000);  // header + 1999 predictions
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}

}  // namespace
}  // namespace rs
