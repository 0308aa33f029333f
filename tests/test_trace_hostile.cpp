// Hostile and damaged traces (issue 18): every damaged file is made here from a good trace with
// HDF5 itself. Valid traces the CLI misread come first.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/trace_reader.h"
#include "tests/trace/trace_run.h"

using namespace rs;

namespace {

namespace fs = std::filesystem;

// An HDF5 file opened for editing, closed (and checked) at the end of the scope.
class Edit {
  public:
    explicit Edit(const fs::path& p) : id_(H5Fopen(p.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)) {
        EXPECT_GE(id_, 0) << p;
    }
    ~Edit() { EXPECT_GE(H5Fclose(id_), 0); }
    Edit(const Edit&) = delete;
    Edit& operator=(const Edit&) = delete;
    hid_t get() const { return id_; }

  private:
    hid_t id_;
};

void poke(hid_t file, const char* path, std::vector<hsize_t> at, hid_t mem_type,
          const void* value) {
    const hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    ASSERT_GE(d, 0) << path;
    const hid_t fs = H5Dget_space(d);
    std::vector<hsize_t> one(at.size(), 1);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, at.data(), nullptr, one.data(), nullptr);
    const hid_t ms = H5Screate_simple(1, one.data(), nullptr);
    EXPECT_GE(H5Dwrite(d, mem_type, ms, fs, H5P_DEFAULT, value), 0) << path;
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
}

// Fills one head ([head, :, :]) of a rank-3 dataset with `value`.
class TraceHostile : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        test::trace_fixture("rope_f32", *dir_ / "good.h5", 30, QKPrecision::F16);
        test::trace_fixture("rope_f32", *dir_ / "good32.h5", 30, QKPrecision::F32);
    }
    static void TearDownTestSuite() { delete dir_; }

    // A fresh copy of the good f16 (or f32) trace to damage.
    static fs::path copy(const std::string& name, bool f32 = false) {
        const fs::path p = *dir_ / name;
        fs::copy_file(*dir_ / (f32 ? "good32.h5" : "good.h5"), p,
                      fs::copy_options::overwrite_existing);
        return p;
    }
    static test::TempDir* dir_;
};
test::TempDir* TraceHostile::dir_ = nullptr;

// ---- 1. crash on a valid file --------------------------------------------------------------

TEST_F(TraceHostile, ExportNllWithoutTokenDisplay) {
    const fs::path p = copy("ids_only.h5");
    TraceReader r = TraceReader::open(p.string());
    ASSERT_TRUE(r.meta().input.display.empty());  // traced from ids: has_token_display = 0
    const auto ids = r.meta().input.ids;
    const auto res = test::run_cli({"export", p.string(), "--what", "nll"});
    ASSERT_EQ(res.exit_code, 0) << res.err;
    std::istringstream lines(res.out);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, "position,next_token_id,next_token,nll");
    int rows = 0;
    while (std::getline(lines, line)) {
        const std::string start = std::to_string(rows) + "," + std::to_string(ids[rows + 1]) + ",,";
        EXPECT_EQ(line.substr(0, start.size()), start) << line;
        ++rows;
    }
    EXPECT_EQ(rows, 29);
}

// ---- 5. misread valid file -----------------------------------------------------------------

TEST_F(TraceHostile, ShowKeepsColumnsForAnUnobservedHead) {
    const fs::path p = copy("unobserved.h5");
    {
        Edit f(p);
        const std::uint8_t no = 0;
        poke(f.get(), "stats/observed", {0, 1}, H5T_NATIVE_UINT8, &no);
    }
    const auto res = test::run_cli({"show", p.string()});
    ASSERT_EQ(res.exit_code, 0) << res.err;
    auto fields = [](const std::string& l) {
        std::istringstream s(l);
        std::vector<std::string> out;
        for (std::string w; s >> w;) out.push_back(w);
        return out;
    };
    std::vector<std::string> observed, unobserved;
    std::istringstream lines(res.out);
    for (std::string line; std::getline(lines, line);) {
        const auto f = fields(line);
        if (f.size() > 2 && f[0] == "0" && f[1] == "0") observed = f;
        if (f.size() > 2 && f[0] == "0" && f[1] == "1") unobserved = f;
    }
    ASSERT_FALSE(observed.empty()) << res.out;
    ASSERT_EQ(unobserved.size(), observed.size()) << res.out;
    // layer, head, a two-word label ("q0 imag"...), then one '-' per statistic column.
    for (std::size_t i = 4; i < unobserved.size(); ++i) EXPECT_EQ(unobserved[i], "-") << res.out;
    EXPECT_EQ(unobserved.size() - 4, observed.size() - 4);
}

}  // namespace
