// Hostile and damaged traces (issue 18): every damaged file is made here from a good trace, with
// HDF5 itself (links, layouts, element types, values) or zlib (a deflate bomb), and must give the
// exact error naming the file and the object — from the reader and from the CLI — or, where the
// data stays usable, a visible warning. Valid traces the CLI misread are here too.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <sstream>
#include <tuple>

#include "error.h"
#include "trace_reader.h"
#include "tests/test_util.h"
#include "tests/trace/trace_fixture.h"

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

void set_attr(hid_t file, const char* obj, const char* name, hid_t type, const void* value) {
    H5Adelete_by_name(file, obj, name, H5P_DEFAULT);
    const hid_t sp = H5Screate(H5S_SCALAR);
    const hid_t a =
        H5Acreate_by_name(file, obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(a, 0) << obj << " " << name;
    EXPECT_GE(H5Awrite(a, type, value), 0);
    H5Aclose(a);
    H5Sclose(sp);
}

// Overwrites one element of an existing dataset, converting `value` from `mem_type`.
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
void fill_head(hid_t file, const char* path, hsize_t head, double value) {
    const hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    ASSERT_GE(d, 0) << path;
    const hid_t fs = H5Dget_space(d);
    hsize_t dims[3];
    ASSERT_EQ(H5Sget_simple_extent_dims(fs, dims, nullptr), 3);
    const hsize_t at[3] = {head, 0, 0}, count[3] = {1, dims[1], dims[2]};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, nullptr, count, nullptr);
    const hid_t ms = H5Screate_simple(3, count, nullptr);
    std::vector<double> v(dims[1] * dims[2], value);
    EXPECT_GE(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, v.data()), 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
}

// The dataset's shape, and its values as doubles.
std::vector<hsize_t> dims_of(hid_t file, const char* path) {
    const hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
    const hid_t sp = H5Dget_space(d);
    std::vector<hsize_t> dims(std::size_t(H5Sget_simple_extent_ndims(sp)));
    H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
    H5Sclose(sp);
    H5Dclose(d);
    return dims;
}

// Replaces a dataset by one of the same shape with element type `type` and creation properties
// `dcpl`, holding the old values converted (unless `write` is false: storage left unallocated).
void recreate(hid_t file, const char* path, hid_t type, hid_t dcpl, bool write = true,
              const hsize_t* maxdims = nullptr) {
    const hid_t old = H5Dopen2(file, path, H5P_DEFAULT);
    ASSERT_GE(old, 0) << path;
    const hid_t sp = H5Dget_space(old);
    const int rank = H5Sget_simple_extent_ndims(sp);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
    std::vector<double> v(std::size_t(H5Sget_simple_extent_npoints(sp)));
    EXPECT_GE(H5Dread(old, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
    H5Dclose(old);
    H5Sclose(sp);
    ASSERT_GE(H5Ldelete(file, path, H5P_DEFAULT), 0);
    const hid_t nsp = H5Screate_simple(rank, dims.data(), maxdims);
    const hid_t d = H5Dcreate2(file, path, type, nsp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    ASSERT_GE(d, 0) << path;
    if (write) {
        EXPECT_GE(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
    }
    H5Dclose(d);
    H5Sclose(nsp);
}

hid_t half_type(H5T_order_t order) {
    const hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_precision(t, 16);
    H5Tset_ebias(t, 15);
    H5Tset_order(t, order);
    return t;
}

// The FileError of a lazy read after a successful open, or "" when it succeeds.
std::string read_error(const fs::path& p, const std::function<void(TraceReader&)>& read) {
    TraceReader r = TraceReader::open(p.string());
    try {
        read(r);
    } catch (const FileError& e) {
        EXPECT_EQ(e.path(), p.string());
        return e.what();
    }
    return "";
}

// The CLI refuses the file with exactly `message` (exit 1, one line on stderr).
void expect_cli_error(const std::vector<std::string>& args, const std::string& message) {
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.err, "ropescope-cli " + args.front() + ": error: " + message + "\n");
}

std::string damaged(const fs::path& p, const std::string& why) {
    return p.string() + ": damaged or incomplete trace: " + why;
}

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
    // A fresh copy of the good f16 trace with `value` written at `at` of `dataset`.
    static fs::path poked(const std::string& name, const char* dataset, std::vector<hsize_t> at,
                          double value) {
        const fs::path p = copy(name);
        Edit f(p);
        poke(f.get(), dataset, std::move(at), H5T_NATIVE_DOUBLE, &value);
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

// ---- 2. links ------------------------------------------------------------------------------

TEST_F(TraceHostile, SoftLinkToAnotherLayerIsRefused) {
    const fs::path p = copy("soft_link.h5");
    {
        Edit f(p);
        ASSERT_GE(H5Ldelete(f.get(), "layers/01/q", H5P_DEFAULT), 0);
        ASSERT_GE(H5Lcreate_soft("/layers/00/q", f.get(), "layers/01/q", H5P_DEFAULT, H5P_DEFAULT),
                  0);
    }
    const std::string msg = damaged(p,
                                    "'layers/01/q' is a soft link to '/layers/00/q': a trace "
                                    "holds no links, and following one would read another "
                                    "object's data as this one's");
    EXPECT_EQ(test::trace_open_error(p), msg);
    expect_cli_error({"show", p.string()}, msg);
}

TEST_F(TraceHostile, SecondHardLinkToALayerIsRefused) {
    const fs::path p = copy("hard_alias.h5");
    {
        Edit f(p);
        ASSERT_GE(H5Ldelete(f.get(), "layers/01/k", H5P_DEFAULT), 0);
        ASSERT_GE(H5Lcreate_hard(f.get(), "layers/00/k", f.get(), "layers/01/k", H5P_DEFAULT,
                                 H5P_DEFAULT),
                  0);
    }
    EXPECT_EQ(test::trace_open_error(p),
              damaged(p,
                      "dataset 'layers/01/k' is the same object as 'layers/00/k' (a second "
                      "link to it)"));
}

// An external link whose target is a FIFO blocked open() forever: it must be refused without
// being followed (the test would hang, and time out, if it were).
TEST_F(TraceHostile, ExternalLinkIsNeverFollowed) {
    const fs::path p = copy("external_link.h5");
    const fs::path fifo = *dir_ / "fifo";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    {
        Edit f(p);
        ASSERT_GE(H5Ldelete(f.get(), "layers/00/k", H5P_DEFAULT), 0);
        ASSERT_GE(H5Lcreate_external(fifo.c_str(), "/layers/00/k", f.get(), "layers/00/k",
                                     H5P_DEFAULT, H5P_DEFAULT),
                  0);
    }
    const std::string msg = damaged(p, "'layers/00/k' is an external link to '" + fifo.string() +
                                           ":/layers/00/k': links to other files are never "
                                           "followed");
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(test::trace_open_error(p), msg);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    for (const char* cmd : {"show", "export"}) {
        std::vector<std::string> args{cmd, p.string()};
        if (std::string(cmd) == "export") args.insert(args.end(), {"--what", "stats"});
        expect_cli_error(args, msg);
    }
    // A whole group replaced by an external link is refused the same way.
    const fs::path g = copy("external_group.h5");
    {
        Edit f(g);
        ASSERT_GE(H5Ldelete(f.get(), "stats", H5P_DEFAULT), 0);
        ASSERT_GE(
            H5Lcreate_external(fifo.c_str(), "/stats", f.get(), "stats", H5P_DEFAULT, H5P_DEFAULT),
            0);
    }
    EXPECT_EQ(test::trace_open_error(g), damaged(g, "'stats' is an external link to '" + fifo.string() +
                                            ":/stats': links to other files are never followed"));
    // And the trace itself being a FIFO.
    EXPECT_EQ(test::trace_open_error(fifo),
              fifo.string() + ": is not a regular file (a pipe or device?), so not a trace file");
}

TEST_F(TraceHostile, ExternalRawDataFileIsRefused) {
    const fs::path p = copy("external_data.h5");
    const fs::path fifo = *dir_ / "fifo_data";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    {
        Edit f(p);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_external(dcpl, fifo.c_str(), 0, H5F_UNLIMITED);
        recreate(f.get(), "layers/00/lse", H5T_IEEE_F32LE, dcpl, false);
        H5Pclose(dcpl);
    }
    const std::string msg = damaged(
        p, "dataset 'layers/00/lse' keeps its data in external files, which are never read");
    EXPECT_EQ(test::trace_open_error(p), msg);
    expect_cli_error({"show", p.string()}, msg);
}

// ---- 3. memory and time bounded by the shapes ----------------------------------------------

TEST_F(TraceHostile, UnallocatedDataIsRefused) {
    const fs::path p = copy("contiguous_empty.h5");
    {
        Edit f(p);
        recreate(f.get(), "layers/00/q", half_type(H5T_ORDER_LE), H5P_DEFAULT, false);
    }
    const auto q = [&] {
        Edit f(p);
        return dims_of(f.get(), "layers/00/q");
    }();
    const std::string raw = std::to_string(q[0] * q[1] * q[2] * 2);
    const std::string err = test::trace_open_error(p);
    EXPECT_EQ(err.substr(0, err.find(" (the file has")),
              damaged(p, "dataset 'layers/00/q' declares " + raw + " bytes of data but stores 0"));

    const fs::path c = copy("chunk_missing.h5");
    {
        Edit f(c);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        const hsize_t chunk[3] = {1, 8, 8};
        H5Pset_chunk(dcpl, 3, chunk);
        recreate(f.get(), "layers/00/k", half_type(H5T_ORDER_LE), dcpl, false);
        H5Pclose(dcpl);
    }
    const std::string msg =
        damaged(c, "dataset 'layers/00/k' has no data stored for its chunk at [0, 0, 0]");
    EXPECT_EQ(test::trace_open_error(c), msg);
    expect_cli_error({"show", c.string()}, msg);
}

TEST_F(TraceHostile, HugeChunksAreRefused) {
    const fs::path p = copy("huge_chunk.h5");
    {
        Edit f(p);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        const hsize_t chunk[3] = {1, 4096, 4096};  // 64 MiB of f32 per chunk
        H5Pset_chunk(dcpl, 3, chunk);
        H5Pset_deflate(dcpl, 4);
        const hsize_t unlimited[3] = {H5S_UNLIMITED, H5S_UNLIMITED, H5S_UNLIMITED};
        recreate(f.get(), "layers/00/overview/3", H5T_IEEE_F32LE, dcpl, false, unlimited);
        H5Pclose(dcpl);
    }
    const std::string msg = damaged(p,
                                    "dataset 'layers/00/overview/3' is stored in chunks of "
                                    "more than 16 MiB, the most a trace chunk may hold");
    EXPECT_EQ(test::trace_open_error(p), msg);
    expect_cli_error(
        {"tile", p.string(), "--layer", "0", "--head", "0", "--rows", "0:4", "--cols", "0:4"}, msg);
}

TEST_F(TraceHostile, ChunkLargerThanItsRawSizeIsRefused) {
    const fs::path p = copy("chunk_too_big.h5");
    {
        Edit f(p);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        const hsize_t chunk[3] = {1, 3, 3};  // 36 raw bytes per chunk
        H5Pset_chunk(dcpl, 3, chunk);
        H5Pset_deflate(dcpl, 4);
        recreate(f.get(), "layers/00/overview/3", H5T_IEEE_F32LE, dcpl);
        H5Pclose(dcpl);
        const hid_t d = H5Dopen2(f.get(), "layers/00/overview/3", H5P_DEFAULT);
        const std::string junk(1000, 'x');
        const hsize_t at[3] = {0, 0, 0};
        EXPECT_GE(H5Dwrite_chunk(d, H5P_DEFAULT, 0, at, junk.size(), junk.data()), 0);
        H5Dclose(d);
    }
    EXPECT_EQ(test::trace_open_error(p),
              damaged(p,
                      "dataset 'layers/00/overview/3' has a chunk at [0, 0, 0] "
                      "of 1000 bytes, more than any encoding of its 36 raw bytes takes"));
}

// A 16 MiB chunk (the most allowed) whose deflate stream inflates to 256 MiB: HDF5's own filter
// would allocate all of it; the trace store inflates it first into a bounded buffer and stops at
// the chunk's raw size, quickly.
TEST_F(TraceHostile, DeflateBombStopsAtTheChunkLimit) {
    const fs::path p = copy("bomb.h5");
    {
        Edit f(p);
        const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
        const hsize_t chunk[3] = {1, 2048, 2048};  // 16 MiB of f32
        H5Pset_chunk(dcpl, 3, chunk);
        H5Pset_deflate(dcpl, 4);
        const hsize_t unlimited[3] = {H5S_UNLIMITED, H5S_UNLIMITED, H5S_UNLIMITED};
        recreate(f.get(), "layers/00/overview/3", H5T_IEEE_F32LE, dcpl, false, unlimited);
        H5Pclose(dcpl);
        const std::string zeros(std::size_t(256) << 20, '\0');
        uLongf size = compressBound(uLong(zeros.size()));
        std::string bomb(size, '\0');
        ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(bomb.data()), &size,
                            reinterpret_cast<const Bytef*>(zeros.data()), uLong(zeros.size()), 9),
                  Z_OK);
        bomb.resize(size);  // about 256 KB
        const hid_t d = H5Dopen2(f.get(), "layers/00/overview/3", H5P_DEFAULT);
        hsize_t dims[3];
        const hid_t sp = H5Dget_space(d);
        H5Sget_simple_extent_dims(sp, dims, nullptr);
        H5Sclose(sp);
        for (hsize_t h = 0; h < dims[0]; ++h) {
            const hsize_t at[3] = {h, 0, 0};
            EXPECT_GE(H5Dwrite_chunk(d, H5P_DEFAULT, 0, at, bomb.size(), bomb.data()), 0);
        }
        H5Dclose(d);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const std::string err = read_error(p, [](TraceReader& r) { r.overview(0, 0, 3); });
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(err, damaged(p,
                           "dataset '/layers/00/overview/3' has a deflate chunk at [0, 0, 0] "
                           "that does not inflate to its raw size of 16777216 bytes (a "
                           "compression bomb, or damaged)"));
    EXPECT_LT(secs, 5.0);
    RecordProperty("refused_after_ms", int(secs * 1000));
}

TEST_F(TraceHostile, QueriesTooLargeForOneHeadAreRefused) {
    const fs::path p = copy("slab_huge.h5");
    {
        Edit f(p);
        const std::int64_t tokens = std::int64_t(1) << 22, head_dim = 1024;
        set_attr(f.get(), "meta", "tokens", H5T_NATIVE_INT64, &tokens);
        set_attr(f.get(), "meta", "head_dim", H5T_NATIVE_INT64, &head_dim);
    }
    EXPECT_EQ(test::trace_open_error(p),
              damaged(p,
                      "meta says 4194304 tokens of head_dim 1024: one head's queries would "
                      "exceed 268435456 values, the most a trace may hold"));
}

// ---- 4. silent garbage ---------------------------------------------------------------------

TEST_F(TraceHostile, QStoredBigEndianOrBfloat16IsRefused) {
    const fs::path be = copy("q_big_endian.h5");
    {
        Edit f(be);
        recreate(f.get(), "layers/00/q", half_type(H5T_ORDER_BE), H5P_DEFAULT);
    }
    const std::string be_msg =
        damaged(be,
                "dataset 'layers/00/q' holds 16-bit float (5 exponent, 10 mantissa bits, "
                "big-endian), expected 16-bit float (5 exponent, 10 mantissa bits, little-endian) "
                "(qk_dtype = \"f16\")");
    EXPECT_EQ(test::trace_open_error(be), be_msg);
    expect_cli_error({"show", be.string()}, be_msg);

    const fs::path bf = copy("q_bfloat16.h5");
    {
        Edit f(bf);
        const hid_t t = H5Tcopy(H5T_IEEE_F32LE);
        H5Tset_fields(t, 15, 7, 8, 0, 7);
        H5Tset_size(t, 2);
        H5Tset_precision(t, 16);
        recreate(f.get(), "layers/00/q", t, H5P_DEFAULT);
        H5Tclose(t);
    }
    EXPECT_EQ(test::trace_open_error(bf),
              damaged(bf,
                      "dataset 'layers/00/q' holds 16-bit float (8 exponent, 7 mantissa "
                      "bits, little-endian), expected 16-bit float (5 exponent, 10 mantissa "
                      "bits, little-endian) (qk_dtype = \"f16\")"));
}

TEST_F(TraceHostile, AttributesOutOfRangeAreRefused) {
    struct Case {
        const char* name;
        double value;
        bool f32;
        const char* says;
    };
    const Case cases[] = {
        {"logit_scale", NAN, true, "meta attribute 'logit_scale' = NaN is outside (0, 1e+30]"},
        {"logit_scale", -INFINITY, true,
         "meta attribute 'logit_scale' = -Inf is outside (0, 1e+30]"},
        {"rope_theta", NAN, false, "meta attribute 'rope_theta' = NaN is outside (0, 1e+300]"},
        {"rope_theta", -10000, false,
         "meta attribute 'rope_theta' = -10000 is outside (0, 1e+300]"},
        {"partial_rotary_factor", 1.5, false,
         "meta attribute 'partial_rotary_factor' = 1.5 is outside (0, 1]"},
    };
    for (const auto& c : cases) {
        const fs::path p = copy(std::string("attr_") + c.name + ".h5");
        {
            Edit f(p);
            const float v32 = float(c.value);
            if (c.f32)
                set_attr(f.get(), "meta", c.name, H5T_IEEE_F32LE, &v32);
            else
                set_attr(f.get(), "meta", c.name, H5T_NATIVE_DOUBLE, &c.value);
        }
        EXPECT_EQ(test::trace_open_error(p), damaged(p, c.says));
    }
    const fs::path p = copy("attr_cli.h5");
    {
        Edit f(p);
        const double nan = NAN;
        set_attr(f.get(), "meta", "rope_theta", H5T_NATIVE_DOUBLE, &nan);
    }
    expect_cli_error({"show", p.string()},
                     damaged(p, "meta attribute 'rope_theta' = NaN is outside (0, 1e+300]"));
}

TEST_F(TraceHostile, NonFiniteQueriesKeysAndLseAreRefusedWhereRead) {
    const fs::path p = copy("q_nan.h5");
    {
        Edit f(p);
        const double nan = NAN, inf = INFINITY;
        poke(f.get(), "layers/00/q", {1, 5, 3}, H5T_NATIVE_DOUBLE, &nan);
        poke(f.get(), "layers/01/k", {0, 2, 0}, H5T_NATIVE_DOUBLE, &inf);
        poke(f.get(), "layers/00/lse", {2, 7}, H5T_NATIVE_DOUBLE, &inf);
    }
    EXPECT_EQ(read_error(p, [](TraceReader& r) { r.queries(0, 1); }),
              damaged(p, "dataset 'layers/00/q' holds NaN at [1, 5, 3]"));
    EXPECT_EQ(read_error(p, [](TraceReader& r) { r.keys(1, 0); }),
              damaged(p, "dataset 'layers/01/k' holds +Inf at [0, 2, 0]"));
    EXPECT_EQ(read_error(p, [](TraceReader& r) { r.lse(0, 2); }),
              damaged(p, "dataset 'layers/00/lse' holds +Inf at [2, 7]"));
    EXPECT_EQ(read_error(p, [](TraceReader& r) { r.queries(0, 0); }), "");  // the rest is fine
    // Analysis head 1 of layer 0 reads query head 1; its tile must be refused.
    TraceReader r = TraceReader::open(p.string());
    ASSERT_EQ(r.meta().layout.heads[1].query_head, 1);
    expect_cli_error(
        {"tile", p.string(), "--layer", "0", "--head", "1", "--rows", "0:30", "--cols", "0:30"},
        damaged(p, "dataset 'layers/00/q' holds NaN at [1, 5, 3]"));
}

TEST_F(TraceHostile, NonFiniteStatsOfAnObservedHeadAreRefused) {
    const fs::path p = poked("stats_nan.h5", "stats/entropy", {1, 3}, NAN);
    const std::string msg =
        damaged(p, "dataset 'stats/entropy' holds NaN for observed layer 1 head 3");
    EXPECT_EQ(test::trace_open_error(p), msg);
    expect_cli_error({"export", p.string(), "--what", "stats"}, msg);
    // The same NaN in an unobserved head is what the writer stores there: accepted.
    const fs::path u = copy("stats_nan_unobserved.h5");
    {
        Edit f(u);
        const double nan = NAN;
        const std::uint8_t no = 0;
        poke(f.get(), "stats/entropy", {1, 3}, H5T_NATIVE_DOUBLE, &nan);
        poke(f.get(), "stats/observed", {1, 3}, H5T_NATIVE_UINT8, &no);
    }
    EXPECT_EQ(test::trace_open_error(u), "");
}

// Finite but impossible: each statistic has the range its definition gives (30 tokens here).
TEST_F(TraceHostile, StatsOutsideTheirRangeAreRefused) {
    const std::tuple<const char*, std::vector<hsize_t>, double, const char*> cases[] = {
        {"stats/long_range_mass",
         {1, 3, 2},
         7.5,
         "holds 7.5 for observed layer 1 head 3 at 2; a mass is in [0, 1]"},
        {"stats/bin_mass",
         {0, 2, 4},
         -0.25,
         "holds -0.25 for observed layer 0 head 2 at 4; a mass is in [0, 1]"},
        {"stats/mean_distance",
         {1, 3},
         30,
         "holds 30 for observed layer 1 head 3; a mean attended distance is in [0, T - 1]"},
        {"stats/entropy",
         {0, 2},
         4,
         "holds 4 for observed layer 0 head 2; a mean entropy over at most T keys is in [0, ln "
         "T]"}};
    for (const auto& [dataset, at, value, says] : cases) {
        const fs::path p = poked("stats_range.h5", dataset, at, value);
        EXPECT_EQ(test::trace_open_error(p),
                  damaged(p, "dataset '" + std::string(dataset) + "' " + says));
    }
    // The edges of each range are what a run can write: accepted.
    const fs::path ok = copy("stats_range_edges.h5");
    {
        Edit f(ok);
        const double one = 1, zero = 0, far = 29, ln_t = std::log(30.0);
        poke(f.get(), "stats/long_range_mass", {1, 3, 0}, H5T_NATIVE_DOUBLE, &one);
        poke(f.get(), "stats/bin_mass", {0, 2, 4}, H5T_NATIVE_DOUBLE, &zero);
        poke(f.get(), "stats/mean_distance", {1, 3}, H5T_NATIVE_DOUBLE, &far);
        poke(f.get(), "stats/entropy", {0, 2}, H5T_NATIVE_DOUBLE, &ln_t);
    }
    EXPECT_EQ(test::trace_open_error(ok), "");
}

TEST_F(TraceHostile, NonFiniteFrequencyContributionsOfAnObservedHeadAreRefused) {
    const fs::path p = poked("freq_nan.h5", "stats/freq_im", {0, 2, 5}, NAN);
    const std::string msg =
        damaged(p, "dataset 'stats/freq_im' holds NaN for observed layer 0 head 2 at 5");
    EXPECT_EQ(test::trace_open_error(p), msg);
    expect_cli_error({"export", p.string(), "--what", "freq"}, msg);
    const fs::path q = poked("passthrough_inf.h5", "stats/passthrough", {1, 0}, -INFINITY);
    EXPECT_EQ(test::trace_open_error(q),
              damaged(q, "dataset 'stats/passthrough' holds -Inf for observed layer 1 head 0"));
}

TEST_F(TraceHostile, OverviewCellsOutsideZeroToOneAreRefusedWhereRead) {
    const int cells = TraceReader::open((*dir_ / "good.h5").string()).meta().overview_cells.front();
    const fs::path p = copy("overview_bad.h5");
    const std::string level = "layers/01/overview/" + std::to_string(cells);
    {
        Edit f(p);
        const double nan = NAN, negative = -0.25, big = 3;
        poke(f.get(), level.c_str(), {2, 1, 0}, H5T_NATIVE_DOUBLE, &nan);
        poke(f.get(), level.c_str(), {3, 0, 0}, H5T_NATIVE_DOUBLE, &negative);
        poke(f.get(), level.c_str(), {4, 1, 1}, H5T_NATIVE_DOUBLE, &big);
    }
    const auto says = [&](int head, const char* value, int row, int col) {
        return damaged(p, "dataset '" + level + "' holds " + value + " for head " +
                              std::to_string(head) + " at row " + std::to_string(row) +
                              ", column " + std::to_string(col) +
                              "; a cell is a mean attention probability in [0, 1]");
    };
    EXPECT_EQ(read_error(p, [&](TraceReader& r) { r.overview(1, 2, cells); }),
              says(2, "NaN", 1, 0));
    EXPECT_EQ(read_error(p, [&](TraceReader& r) { r.overview(1, 3, cells); }),
              says(3, "-0.25", 0, 0));
    EXPECT_EQ(read_error(p, [&](TraceReader& r) { r.overview(1, 4, cells); }), says(4, "3", 1, 1));
    EXPECT_EQ(read_error(p, [&](TraceReader& r) { r.overview(1, 5, cells); }), "");  // untouched
}

TEST_F(TraceHostile, RopeFrequenciesThatAreNotPositiveAreRefused) {
    const std::tuple<const char*, double, const char*> cases[] = {
        {"meta/inv_freq", NAN, "NaN"}, {"meta/inv_freq", 0, "0"}, {"meta/inv_freq_f32", -0.5, "-0.5"}};
    for (const auto& [path, value, text] : cases) {
        const fs::path p = poked("inv_freq_bad.h5", path, {3}, value);
        EXPECT_EQ(test::trace_open_error(p),
                  damaged(p, "dataset '" + std::string(path) + "' holds " + text +
                                 " at [3]; a RoPE frequency is finite and > 0"));
    }
}

// Thresholds label M(D) and bin edges the distance bins: damaged, they would print masses under
// distances they were not measured at. The fixture's 30 tokens give thresholds 1, 2, 3, 4, 6, ...
// and edges 0, 1, 2, 4, 8, 16, 32.
TEST_F(TraceHostile, DistanceGridOutOfOrderOrRangeIsRefused) {
    const TraceReader good = TraceReader::open(copy("grid_read.h5").string());
    const std::vector<int>& thresholds = good.stats().thresholds;
    ASSERT_GE(thresholds.size(), 3u);
    ASSERT_EQ(std::vector<int>(thresholds.begin(), thresholds.begin() + 3),
              (std::vector<int>{1, 2, 3}));
    ASSERT_EQ(good.stats().bin_edges, (std::vector<int>{0, 1, 2, 4, 8, 16, 32}));
    const std::tuple<const char*, hsize_t, double, const char*> bad_thresholds[] = {
        {"threshold_zero.h5", 0, 0, "0 at [0]"}, {"threshold_order.h5", 2, 1, "1 at [2]"}};
    for (const auto& [name, at, value, says] : bad_thresholds) {
        const fs::path p = poked(name, "stats/thresholds", {at}, value);
        const std::string msg =
            damaged(p, "dataset 'stats/thresholds' holds " + std::string(says) +
                           "; distance thresholds are >= 1, in increasing order");
        EXPECT_EQ(test::trace_open_error(p), msg);
        expect_cli_error({"export", p.string(), "--what", "stats"}, msg);
    }
    const std::tuple<const char*, hsize_t, double> bad_edges[] = {
        {"edge_first.h5", 0, 1}, {"edge_flat.h5", 6, 16}, {"edge_short.h5", 6, 29}};
    for (const auto& [name, at, value] : bad_edges) {
        const fs::path p = poked(name, "stats/bin_edges", {at}, value);
        EXPECT_EQ(test::trace_open_error(p),
                  damaged(p,
                          "dataset 'stats/bin_edges' must rise strictly from 0 past 29 (the "
                          "distance bins cover every distance in the trace)"))
            << name;
    }
    // A last edge of exactly T still covers distance T - 1: accepted.
    const fs::path t = poked("edge_exact.h5", "stats/bin_edges", {6}, 30);
    EXPECT_EQ(test::trace_open_error(t), "");
}

TEST_F(TraceHostile, ImpossibleNllIsRefused) {
    const fs::path p = copy("nll_negative.h5");
    {
        Edit f(p);
        const double v = -0.5;
        poke(f.get(), "loss/token_nll", {4}, H5T_NATIVE_DOUBLE, &v);
    }
    const std::string msg = damaged(p,
                                    "dataset 'loss/token_nll' holds -0.5 at position 4; a "
                                    "negative log-likelihood is finite and >= 0");
    EXPECT_EQ(read_error(p, [](TraceReader& r) { r.token_nll(); }), msg);
    expect_cli_error({"export", p.string(), "--what", "nll"}, msg);

    const fs::path n = copy("nll_nan.h5");
    {
        Edit f(n);
        const double v = NAN;
        poke(f.get(), "loss/token_nll", {0}, H5T_NATIVE_DOUBLE, &v);
    }
    EXPECT_EQ(read_error(n, [](TraceReader& r) { r.token_nll(); }),
              damaged(n,
                      "dataset 'loss/token_nll' holds NaN at position 0; a negative "
                      "log-likelihood is finite and >= 0"));
}

TEST_F(TraceHostile, TokenIdsOutsideTheVocabularyAreRefused) {
    for (const std::int32_t id : {97, -1}) {  // rope_f32: vocab_size 97
        const fs::path p = copy("token_" + std::to_string(id) + ".h5");
        {
            Edit f(p);
            poke(f.get(), "meta/token_ids", {3}, H5T_NATIVE_INT32, &id);
        }
        const std::string msg =
            damaged(p, "dataset 'meta/token_ids' holds id " + std::to_string(id) +
                           " at position 3, outside the vocabulary (vocab_size 97 in "
                           "meta/config_json)");
        EXPECT_EQ(test::trace_open_error(p), msg);
        expect_cli_error({"show", p.string()}, msg);
    }
}

// Zeroed queries with the lse of uniform maps are a consistent file: its maps are uniform, and
// every read that shows them says the queries are all zeros. (With the run's lse left in place
// the rows no longer sum to 1: RowsThatDoNotSumToOneAreRefused.)
TEST_F(TraceHostile, ZeroedQueriesWarnVisibly) {
    const fs::path p = copy("q_zero.h5");
    int T = 0, twin = 0;
    {
        TraceReader good = TraceReader::open(p.string());
        T = good.meta().tokens;
        twin = good.meta().layout.query_heads;
    }
    {
        Edit f(p);
        fill_head(f.get(), "layers/00/q", 0, 0.0);
        // The views draw head 0's imaginary twin beside it (zero queries too).
        for (int t = 0; t < T; ++t) {
            const double uniform_lse = std::log(double(t + 1));
            for (int head : {0, twin})
                poke(f.get(), "layers/00/lse", {hsize_t(head), hsize_t(t)}, H5T_NATIVE_DOUBLE,
                     &uniform_lse);
        }
    }
    TraceReader r = TraceReader::open(p.string());
    EXPECT_TRUE(r.warnings().empty());
    const Tile tile = r.tile({0, 0, 0, 30, 0, 30, 1, TileValues::Probability});
    EXPECT_FLOAT_EQ(tile.at(29, 0), 1.0f / 30);
    const std::string warning = p.string() +
                                ": dataset 'layers/00/q' head 0 is all zeros (a "
                                "zeroed or damaged file?); its attention maps are "
                                "uniform";
    EXPECT_EQ(r.warnings(), std::vector<std::string>{warning});
    { TraceReader closed = std::move(r); }  // HDF5 opens a file once per process
    const auto res = test::run_cli(
        {"tile", p.string(), "--layer", "0", "--head", "0", "--rows", "0:4", "--cols", "0:4"});
    EXPECT_EQ(res.exit_code, 0) << res.err;
    EXPECT_EQ(res.err, "ropescope-cli tile: warning: " + warning + "\n");
#if ROPESCOPE_CLI_HAS_RENDER
    // A figure drawn from the zeroed head says so too: the warning comes from the tile reads the
    // drawing makes, after the trace opened without one.
    const auto png = *dir_ / "q_zero.png";
    const auto drawn = test::run_cli({"render", p.string(), "--view", "attention", "--layer", "0",
                                      "--head", "0", "-o", png.string()});
    EXPECT_EQ(drawn.exit_code, 0) << drawn.err;
    EXPECT_NE(drawn.err.find("ropescope-cli render: warning: " + warning + "\n"), std::string::npos)
        << drawn.err;
#endif
}

// The lse is each row's normaliser: raised, it dims the map without pushing any cell past 1;
// queries zeroed under the run's lse give rows that sum to (t + 1) exp(-lse). A tile holding all
// of a row's keys checks the row sums to 1; any tile checks no row's cells sum past 1.
TEST_F(TraceHostile, RowsThatDoNotSumToOneAreRefused) {
    const TileRequest whole{0, 0, 0, 30, 0, 30, 1, TileValues::Probability};
    const fs::path raised = copy("lse_raised.h5", true);
    {
        TraceReader good = TraceReader::open(raised.string());
        const float lse = good.lse(0, 0)[7];
        EXPECT_NO_THROW(good.tile(whole));
        good = TraceReader::open((*dir_ / "good.h5").string());  // the f16 trace too
        EXPECT_NO_THROW(good.tile(whole));
        Edit f(raised);
        const double v = double(lse) + 0.25;
        poke(f.get(), "layers/00/lse", {0, 7}, H5T_NATIVE_DOUBLE, &v);
    }
    const std::string err = read_error(raised, [&](TraceReader& r) { r.tile(whole); });
    EXPECT_TRUE(err.starts_with(damaged(raised,
                                        "layers/00 head 0 (q0 real): the probabilities of row 7 "
                                        "sum to 0.7788")))
        << err;
    EXPECT_NE(err.find(" over all its keys, not 1; its stored queries, keys or lse are damaged"),
              std::string::npos)
        << err;
    // A tile that holds only some of row 7's keys cannot see a sum too small.
    const TileRequest from4{0, 0, 0, 30, 4, 30, 1, TileValues::Probability};
    EXPECT_EQ(read_error(raised, [&](TraceReader& r) { r.tile(from4); }), "");

    // Uniform rows (zero queries, lse = ln(t + 1)) with row 7's lse lowered by 0.25: each of its
    // eight cells is e^0.25 / 8 = 0.16, within [0, 1], but keys 1..7 alone sum to 1.12.
    const fs::path lowered = copy("lse_lowered.h5", true);
    {
        Edit f(lowered);
        fill_head(f.get(), "layers/00/q", 0, 0.0);
        for (int t = 0; t < 30; ++t) {
            const double v = std::log(double(t + 1)) - (t == 7 ? 0.25 : 0.0);
            poke(f.get(), "layers/00/lse", {0, hsize_t(t)}, H5T_NATIVE_DOUBLE, &v);
        }
    }
    EXPECT_EQ(read_error(lowered, [&](TraceReader& r) { r.tile(from4); }), "");
    const TileRequest from1{0, 0, 0, 30, 1, 30, 1, TileValues::Probability};
    const std::string low = read_error(lowered, [&](TraceReader& r) { r.tile(from1); });
    EXPECT_TRUE(low.starts_with(damaged(lowered,
                                        "layers/00 head 0 (q0 real): the probabilities of row 7 "
                                        "sum to 1.12")))
        << low;
    EXPECT_NE(low.find(" over the tile's columns, more than 1;"), std::string::npos) << low;

    const fs::path zeroed = copy("q_zero_run_lse.h5");
    {
        Edit f(zeroed);
        fill_head(f.get(), "layers/00/q", 0, 0.0);
    }
    const std::string z = read_error(zeroed, [&](TraceReader& r) { r.tile(whole); });
    EXPECT_NE(z.find("layers/00 head 0 (q0 real): the probabilities of row "), std::string::npos)
        << z;
}

// Finite but huge queries and keys overflow the logits; a damaged lse pushes probabilities past
// 1. Neither tile may be shown as the run's map.
TEST_F(TraceHostile, TilesWithImpossibleValuesAreRefused) {
    const fs::path p = copy("qk_huge.h5", true);
    {
        Edit f(p);
        fill_head(f.get(), "layers/00/q", 0, 1e30);
        fill_head(f.get(), "layers/00/k", 0, 1e30);
    }
    const TileRequest logits{0, 0, 0, 4, 0, 4, 1, TileValues::Logit};
    EXPECT_EQ(read_error(p, [&](TraceReader& r) { r.tile(logits); }),
              damaged(p,
                      "layers/00 head 0 (q0 real): the tile has logit +Inf at row 0, column "
                      "0; its stored queries, keys or lse are damaged"));

    const fs::path l = copy("lse_low.h5", true);
    {
        Edit f(l);
        const double v = -1000;
        poke(f.get(), "layers/00/lse", {0, 3}, H5T_NATIVE_DOUBLE, &v);
    }
    const std::string err = read_error(l, [](TraceReader& r) {
        r.tile({0, 0, 0, 4, 0, 4, 1, TileValues::Probability});
    });
    EXPECT_EQ(err, damaged(l,
                           "layers/00 head 0 (q0 real): the tile has probability +Inf at "
                           "row 3, column 0; its stored queries, keys or lse are damaged"));
}

TEST_F(TraceHostile, StoredCurvesOutsideTheirDefinitionAreRefused) {
    struct Case {
        const char* file;
        std::function<void(hid_t)> edit;
        std::string says;
    };
    const double nan = NAN, inf = INFINITY, big = 100, early = 0.5, negative = -1;
    const Case cases[] = {
        {"curves_sum_nan.h5",
         [&](hid_t f) { poke(f, "curves/real_sum", {3}, H5T_NATIVE_DOUBLE, &nan); },
         "dataset 'curves/real_sum' holds NaN at [3]; a sum over 8 rotary frequencies is within ±8"},
        {"curves_sum_big.h5",
         [&](hid_t f) { poke(f, "curves/imag_sum", {0}, H5T_NATIVE_DOUBLE, &big); },
         "dataset 'curves/imag_sum' holds 100 at [0]; a sum over 8 rotary frequencies is within ±8"},
        {"curves_distance.h5",
         [&](hid_t f) { poke(f, "curves/distance", {5}, H5T_NATIVE_DOUBLE, &early); },
         "dataset 'curves/distance' must rise strictly from 1 to 29 (the trace's tokens fix both "
         "ends)"},
        {"curves_base.h5",
         [&](hid_t f) { set_attr(f, "curves", "base", H5T_NATIVE_DOUBLE, &negative); },
         "'curves' attribute 'base' = -1 is outside (0, Inf)"},
        {"curves_closed_inf.h5",
         [&](hid_t f) { poke(f, "curves/imag_closed", {9}, H5T_NATIVE_DOUBLE, &inf); },
         "dataset 'curves/imag_closed' holds +Inf at [9]; the closed form is finite "
         "('curves' attribute 'has_closed_form' = 1)"},
        {"curves_closed_where_none.h5",
         [&](hid_t f) {
             const std::int64_t no = 0;
             set_attr(f, "curves", "has_closed_form", H5T_NATIVE_INT64, &no);
         },
         "dataset 'curves/real_closed' holds 7.79170217 at [0]; without a closed form it is NaN "
         "('curves' attribute 'has_closed_form' = 0)"},
        {"curves_expected.h5",
         [&](hid_t f) { poke(f, "curves/expected_logit", {1, 3, 7}, H5T_NATIVE_DOUBLE, &nan); },
         "dataset 'curves/expected_logit' holds NaN for observed layer 1 head 3 at [7]"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.file);
        const fs::path p = copy(c.file);
        {
            Edit f(p);
            c.edit(f.get());
        }
        EXPECT_EQ(read_error(p, [](TraceReader& r) { r.curves(); }), damaged(p, c.says));
    }
    expect_cli_error({"export", (*dir_ / "curves_sum_nan.h5").string(), "--what", "curves"},
                     damaged(*dir_ / "curves_sum_nan.h5", cases[0].says));
}

TEST_F(TraceHostile, GoodTracesStillOpenWithoutWarnings) {
    for (const char* name : {"good.h5", "good32.h5"}) {
        TraceReader r = TraceReader::open((*dir_ / name).string());
        const int T = r.meta().tokens;
        for (int l = 0; l < r.meta().layers; ++l)
            for (int h = 0; h < r.meta().layout.analysis_heads(); ++h) {
                r.tile({l, h, 0, T, 0, T, 1, TileValues::Probability});
                r.tile({l, h, 0, T, 0, T, 3, TileValues::Logit, TilePooling::Mean});
            }
        r.token_nll();
        r.curves();
        r.noise();
        EXPECT_TRUE(r.warnings().empty()) << name;
    }
}

}  // namespace

// ---- sink-aware and query-bucketed statistics (issue 16) ---------------------------------------

namespace {

void delete_link(hid_t file, const char* path) { ASSERT_GE(H5Ldelete(file, path, H5P_DEFAULT), 0) << path; }

}  // namespace

TEST_F(TraceHostile, NonFiniteBucketStatsAreRefusedExceptInEmptyBuckets) {
    // The good trace itself holds NaN in the empty "beyond" bucket (T = 30 < L = 4096): accepted.
    {
        TraceReader r = TraceReader::open((*dir_ / "good.h5").string());
        ASSERT_TRUE(r.stats().has_buckets());
        EXPECT_EQ(r.stats().buckets.at(2).name, "beyond");
        EXPECT_TRUE(std::isnan(r.stats().head.at(0).buckets.at(2).mean_distance));
    }
    const fs::path p = copy("bucket_nan.h5");
    {
        Edit f(p);
        const double nan = NAN;
        poke(f.get(), "stats/buckets/mean_distance_ex", {1, 3, 0}, H5T_NATIVE_DOUBLE, &nan);
    }
    const std::string msg = damaged(
        p, "dataset 'stats/buckets/mean_distance_ex' holds NaN for observed layer 1 head 3 in bucket 0");
    EXPECT_EQ(test::trace_open_error(p), msg);
    expect_cli_error({"export", p.string(), "--what", "buckets"}, msg);
    const fs::path u = copy("uniform_inf.h5");
    {
        Edit f(u);
        const double inf = INFINITY;
        poke(f.get(), "stats/uniform/sink_mass", {0, 1}, H5T_NATIVE_DOUBLE, &inf);
    }
    EXPECT_EQ(test::trace_open_error(u),
              damaged(u, "dataset 'stats/uniform/sink_mass' holds +Inf in bucket 0 at 1"));
}

TEST_F(TraceHostile, BucketStatsOutsideTheirRangeAreRefused) {
    const std::tuple<const char*, std::vector<hsize_t>, double, const char*> cases[] = {
        {"stats/buckets/sink_mass",
         {1, 3, 0, 1},
         7.5,
         "holds 7.5 for observed layer 1 head 3 in bucket 0 at 1; a mass is in [0, 1]"},
        {"stats/buckets/mean_distance_ex",
         {0, 2, 1},
         -3,
         "holds -3 for observed layer 0 head 2 in bucket 1; a mean attended distance is in [0, T "
         "- 1]"},
        {"stats/uniform/entropy",
         {0},
         3.5,
         "holds 3.5 in bucket 0; a mean entropy over at most T keys is in [0, ln T]"}};
    for (const auto& [dataset, at, value, says] : cases) {
        const fs::path p = poked("bucket_range_value.h5", dataset, at, value);
        EXPECT_EQ(test::trace_open_error(p),
                  damaged(p, "dataset '" + std::string(dataset) + "' " + says));
    }
}

TEST_F(TraceHostile, BucketRangesOutsideTheRunAreRefused) {
    const fs::path p = copy("bucket_range.h5");
    {
        Edit f(p);
        const std::int32_t past = 31;
        poke(f.get(), "stats/buckets/range", {1, 1}, H5T_NATIVE_INT32, &past);
    }
    EXPECT_EQ(test::trace_open_error(p),
              damaged(p, "dataset 'stats/buckets/range' holds [0, 31) for bucket 1, not a range "
                         "of query positions in [0, 30)"));
    const fs::path k = copy("sink_counts_zero.h5");
    {
        Edit f(k);
        const std::int32_t zero = 0;
        poke(f.get(), "stats/sink_counts", {0}, H5T_NATIVE_INT32, &zero);
    }
    EXPECT_EQ(test::trace_open_error(k),
              damaged(k, "dataset 'stats/sink_counts' is not positive and increasing"));
}

TEST_F(TraceHostile, PartialBucketStatsAreRefused) {
    const fs::path p = copy("bucket_missing.h5");
    {
        Edit f(p);
        delete_link(f.get(), "stats/uniform/bin_mass_ex");
    }
    EXPECT_EQ(test::trace_open_error(p),
              damaged(p, "dataset 'stats/uniform/bin_mass_ex' is missing"));
}

TEST_F(TraceHostile, TracesWithoutBucketStatsStillOpen) {
    const fs::path p = copy("before_buckets.h5");
    {
        Edit f(p);
        for (const char* g : {"stats/sink_counts", "stats/buckets", "stats/uniform"})
            delete_link(f.get(), g);
    }
    TraceReader r = TraceReader::open(p.string());
    EXPECT_FALSE(r.stats().has_buckets());
    EXPECT_TRUE(r.stats().head.at(0).buckets.empty());
    auto show = test::run_cli({"show", p.string()});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("training length not stored"), std::string::npos) << show.out;
    EXPECT_NE(show.out.find("not stored"), std::string::npos);
    auto stats = test::run_cli({"export", p.string(), "--what", "stats"});
    ASSERT_EQ(stats.exit_code, 0) << stats.err;
    EXPECT_EQ(stats.out.find("sink_mass"), std::string::npos);
    expect_cli_error({"export", p.string(), "--what", "buckets"},
                     p.string() + ": query-bucket statistics are not stored in this trace (it "
                                  "predates them); re-run `ropescope-cli trace` to get them");
}
