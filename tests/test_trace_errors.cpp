// Opening bad files: every failure is one clear FileError naming the file — missing, a folder,
// not HDF5, empty, truncated at any point, or a valid HDF5 file that is not a RoPEScope trace.
// (Newer schema versions and inconsistent datasets are made with h5py in tests/trace/.)
#include <gtest/gtest.h>

#include <filesystem>

#include "error.h"
#include "trace_reader.h"
#include "tests/test_util.h"
#include "tests/trace/trace_fixture.h"

using namespace rs;

namespace {

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

class TraceErrors : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        test::trace_fixture("rope_f32", *dir_ / "good.h5", 30, QKPrecision::F16);
        bytes_ = new std::string(test::read_file(*dir_ / "good.h5"));
    }
    static void TearDownTestSuite() {
        delete dir_;
        delete bytes_;
    }
    static test::TempDir* dir_;
    static std::string* bytes_;
};
test::TempDir* TraceErrors::dir_ = nullptr;
std::string* TraceErrors::bytes_ = nullptr;

TEST_F(TraceErrors, GoodTraceOpens) {
    EXPECT_EQ(test::trace_open_error(*dir_ / "good.h5"), "");
}

TEST_F(TraceErrors, MissingFileAndFolder) {
    EXPECT_TRUE(contains(test::trace_open_error(*dir_ / "nope.h5"), "no such file"));
    EXPECT_TRUE(contains(test::trace_open_error(dir_->path()), "is a folder"));
}

TEST_F(TraceErrors, NotHdf5) {
    test::write_file(*dir_ / "text.h5", "layer,head,value\n0,1,0.5\n");
    EXPECT_TRUE(contains(test::trace_open_error(*dir_ / "text.h5"), "not an HDF5 file"))
        << test::trace_open_error(*dir_ / "text.h5");
    test::write_file(*dir_ / "empty.h5", "");
    EXPECT_TRUE(contains(test::trace_open_error(*dir_ / "empty.h5"), "not an HDF5 file"));
}

TEST_F(TraceErrors, TruncatedAnywhere) {
    const std::size_t n = bytes_->size();
    for (std::size_t keep : {std::size_t(200), n / 10, n / 2, n - 4096, n - 1}) {
        const auto p = *dir_ / ("cut" + std::to_string(keep) + ".h5");
        test::write_file(p, bytes_->substr(0, keep));
        const std::string e = test::trace_open_error(p);
        EXPECT_TRUE(contains(e, "truncated")) << keep << " of " << n << ": " << e;
    }
    // Cut inside the superblock itself: not even recognisable as HDF5 any more.
    test::write_file(*dir_ / "cut8.h5", bytes_->substr(0, 8));
    EXPECT_NE(test::trace_open_error(*dir_ / "cut8.h5"), "");
}

// A valid HDF5 file whose root says it is something else: the format attribute's string lives
// in the (unchecksummed) global heap, so changing it keeps the file valid HDF5.
TEST_F(TraceErrors, ForeignHdf5File) {
    std::string other = *bytes_;
    const auto at = other.find("ropescope-trace");
    ASSERT_NE(at, std::string::npos);
    other.replace(at, 15, "someone-elses-x");
    test::write_file(*dir_ / "foreign.h5", other);
    const std::string e = test::trace_open_error(*dir_ / "foreign.h5");
    EXPECT_TRUE(contains(e, "not a RoPEScope trace")) << e;
}

TEST_F(TraceErrors, LazyReadsReportTheFile) {
    TraceReader r = TraceReader::open((*dir_ / "good.h5").string());
    EXPECT_THROW(r.queries(0, 99), UsageError);
    EXPECT_THROW(r.keys(5, 0), UsageError);
    EXPECT_THROW(r.lse(0, -1), UsageError);
    EXPECT_THROW(r.overview(0, 0, 7), UsageError);
    EXPECT_THROW(r.tile({0, 0, 0, 31, 0, 10, 1, TileValues::Probability}), UsageError);
}

}  // namespace
