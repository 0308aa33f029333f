// libFuzzer target: the trace reader, structure-aware. Raw byte mutations of an HDF5 file mostly
// exercise libhdf5's own parser (fuzzed upstream, and not instrumented here), so instead the input
// is a list of edits applied through HDF5 to a valid trace — attributes deleted or rewritten with
// other types and values, datasets deleted or replaced with other shapes, types and contents, the
// file truncated; since issue 18 also soft, external and duplicate hard links, other element types
// (big-endian, bfloat16), fuzzed chunk layouts, unwritten data and single non-finite or garbage
// values — and the edited file is opened and read everywhere a viewer would read it.
// Base traces (the input's first choice picks one): tests/corpus/trace/valid.h5 (make_corpus.py:
// RoPE, f16 Q/K) and tests/fuzz/bases/ (make_trace_bases.sh: Gemma 3 with local RoPE, f32 Q/K,
// noise sweeps, query buckets and sink counts; RoPE++_EC with a noise sweep), so the readers of
// every optional part are fuzzed too; $ROPESCOPE_FUZZ_TRACE_BASE replaces them with one file.
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "error.h"
#include "hdf5_io.h"
#include "trace_reader.h"

namespace {

struct Base {
    std::string bytes;
    std::vector<std::pair<std::string, std::string>> attrs;  // (object path, attribute name)
    std::vector<std::string> datasets;
};

herr_t collect_attr(hid_t, const char* name, const H5A_info_t*, void* op) {
    auto* out = static_cast<std::pair<Base*, std::string>*>(op);
    out->first->attrs.emplace_back(out->second, name);
    return 0;
}

void collect_attrs(Base& base, hid_t obj, const std::string& path) {
    std::pair<Base*, std::string> op{&base, path};
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attr, &op);
}

herr_t collect_link(hid_t file, const char* name, const H5L_info_t*, void* op) {
    auto& base = *static_cast<Base*>(op);
    const hid_t obj = H5Oopen(file, name, H5P_DEFAULT);
    if (obj < 0) return 0;
    if (H5Iget_type(obj) == H5I_DATASET) base.datasets.emplace_back(name);
    collect_attrs(base, obj, name);
    H5Oclose(obj);
    return 0;
}

// Each H5Fopen callocs HDF5's per-file structures (the metadata cache's index alone is 512 KiB),
// and by default HDF5's free lists hand any list over 64 KiB back to the system: under ASan every
// input then mapped, faulted in and zeroed fresh pages at each file open (the edit's, the
// reader's), most of a run's time. Letting the lists keep up to 64 MiB makes HDF5 reuse the
// blocks: 2.7 times the executions per second (docs/robustness.md). Only libhdf5's own recycling
// changes (it is not instrumented); what is written and read, and how, stays the same.
void keep_hdf5_blocks() {
    constexpr int global = 64 << 20, per_list = 16 << 20;
    H5set_free_list_limits(global, per_list, global, per_list, global, per_list);
}

Base load_base(const std::string& path) {
    Base base;
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    base.bytes = ss.str();
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (base.bytes.empty() || file < 0) {
        std::fprintf(stderr, "fuzz_trace: cannot read the base trace %s\n", path.c_str());
        std::abort();
    }
    collect_attrs(base, file, ".");
    H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, collect_link, &base);
    H5Fclose(file);
    return base;
}

std::vector<Base> load_bases() {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    keep_hdf5_blocks();
    if (const char* env = std::getenv("ROPESCOPE_FUZZ_TRACE_BASE")) return {load_base(env)};
    const std::string root = ROPESCOPE_SOURCE_DIR;
    std::vector<Base> bases;
    for (const char* file : {"/tests/corpus/trace/valid.h5", "/tests/fuzz/bases/gemma3_rich.h5",
                             "/tests/fuzz/bases/ec_noise.h5"})
        bases.push_back(load_base(root + file));
    return bases;
}

// Each fuzzing process edits its own work file; it goes when the process ends normally.
struct WorkFile {
    std::string path;
    WorkFile() {
        const char* shm = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        path = std::string(shm) + "/ropescope-fuzz-trace-" + std::to_string(getpid()) + ".h5";
    }
    ~WorkFile() { std::remove(path.c_str()); }
};

const std::vector<Base>& bases() {
    static const std::vector<Base> b = load_bases();
    return b;
}

const std::string& work_path() {
    static const WorkFile w;
    return w.path;
}

void write_scalar_attr(hid_t file, const std::string& obj, const std::string& name, hid_t type,
                       const void* value) {
    H5Adelete_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate_by_name(file, obj.c_str(), name.c_str(), type, space, H5P_DEFAULT,
                                      H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        H5Awrite(a, type, value);
        H5Aclose(a);
    }
    H5Sclose(space);
}

double fuzzed_double(FuzzedDataProvider& fdp) {
    switch (fdp.ConsumeIntegralInRange(0, 3)) {
        case 0:
            return std::numeric_limits<double>::quiet_NaN();
        case 1:
            return fdp.ConsumeBool() ? INFINITY : -INFINITY;
        case 2:
            return fdp.ConsumeIntegralInRange(-4, 70000);
        default:
            return fdp.ConsumeFloatingPoint<double>();
    }
}

// Replaces a dataset with one of fuzzed rank, extents, element type and bytes.
void replace_dataset(hid_t file, const std::string& path, FuzzedDataProvider& fdp) {
    H5Ldelete(file, path.c_str(), H5P_DEFAULT);
    const int rank = fdp.ConsumeIntegralInRange(0, 3);
    hsize_t dims[3] = {1, 1, 1};
    std::size_t n = 1;
    for (int i = 0; i < rank; ++i) {
        dims[i] = fdp.ConsumeIntegralInRange<hsize_t>(0, 40);
        n *= dims[i];
    }
    const rs::h5::Handle half = rs::h5::half_type();
    const hid_t types[] = {H5T_NATIVE_INT32,  H5T_NATIVE_UINT8, H5T_NATIVE_FLOAT,
                           H5T_NATIVE_DOUBLE, H5T_NATIVE_INT64, half.get()};
    const hid_t type = types[fdp.ConsumeIntegralInRange(0, 5)];
    std::vector<std::uint8_t> data(n * H5Tget_size(type));
    const auto bytes = fdp.ConsumeBytes<std::uint8_t>(data.size());
    std::copy(bytes.begin(), bytes.end(), data.begin());
    const hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, nullptr);
    const hid_t d =
        H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0) {
        if (n) H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
        H5Dclose(d);
    }
    H5Sclose(space);
}

// The hostile edits of issue 18: another name for a dataset (soft, external or second hard
// link), the same values in another element type or in fuzzed chunks, one value overwritten.
void hostile_edit(hid_t file, const std::string& path, const std::string& other,
                  FuzzedDataProvider& fdp) {
    switch (fdp.ConsumeIntegralInRange(0, 5)) {
        case 0:
            H5Ldelete(file, path.c_str(), H5P_DEFAULT);
            H5Lcreate_soft(("/" + other).c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
            return;
        case 1:  // a file that does not exist: never a FIFO here, the tests cover that
            H5Ldelete(file, path.c_str(), H5P_DEFAULT);
            H5Lcreate_external("/nonexistent/ropescope-fuzz.h5", ("/" + path).c_str(), file,
                               path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
            return;
        case 2:
            H5Ldelete(file, path.c_str(), H5P_DEFAULT);
            H5Lcreate_hard(file, other.c_str(), file, path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
            return;
        default:
            break;
    }
    const hid_t old = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
    if (old < 0) return;
    const hid_t space = H5Dget_space(old);
    const int rank = H5Sget_simple_extent_ndims(space);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    const hid_t old_type = H5Dget_type(old);
    const bool numeric =
        H5Tget_class(old_type) == H5T_FLOAT || H5Tget_class(old_type) == H5T_INTEGER;
    H5Tclose(old_type);
    std::vector<double> v(std::size_t(std::max<hssize_t>(n, 0)));
    const bool ok = numeric && rank > 0 && n > 0 && n <= (1 << 20) &&
                    H5Dread(old, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0;
    H5Dclose(old);
    if (!ok) {
        H5Sclose(space);
        return;
    }
    const int kind = fdp.ConsumeIntegralInRange(3, 5);
    if (kind == 3) {  // one value: non-finite, negative, zero or fuzzed
        v[fdp.ConsumeIntegralInRange<std::size_t>(0, v.size() - 1)] = fuzzed_double(fdp);
    } else if (kind == 4 && fdp.ConsumeBool()) {
        std::fill(v.begin(), v.end(), 0.0);
    }
    // Another element type (byte order, float layout) or fuzzed chunks, for every kind.
    hid_t type = H5Tcopy(H5T_IEEE_F32LE);
    switch (fdp.ConsumeIntegralInRange(0, 4)) {
        case 0:  // binary16
            H5Tset_fields(type, 15, 10, 5, 0, 10);
            H5Tset_size(type, 2);
            H5Tset_precision(type, 16);
            H5Tset_ebias(type, 15);
            break;
        case 1:  // bfloat16
            H5Tset_fields(type, 15, 7, 8, 0, 7);
            H5Tset_size(type, 2);
            H5Tset_precision(type, 16);
            break;
        case 2:
            H5Tclose(type);
            type = H5Tcopy(H5T_IEEE_F64LE);
            break;
        default:
            break;
    }
    if (fdp.ConsumeBool()) H5Tset_order(type, H5T_ORDER_BE);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), chunk(dims.size());
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    if (kind == 5) {
        for (int i = 0; i < rank; ++i)
            chunk[i] = fdp.ConsumeIntegralInRange<hsize_t>(1, std::max<hsize_t>(dims[i], 1));
        H5Pset_chunk(dcpl, rank, chunk.data());
        if (fdp.ConsumeBool()) H5Pset_shuffle(dcpl);
        if (fdp.ConsumeBool()) H5Pset_deflate(dcpl, 1);
    }
    H5Ldelete(file, path.c_str(), H5P_DEFAULT);
    const hid_t d = H5Dcreate2(file, path.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d >= 0) {
        if (fdp.ConsumeIntegralInRange(0, 15) != 0)  // sometimes never written: unallocated
            H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
        H5Dclose(d);
    }
    H5Pclose(dcpl);
    H5Tclose(type);
    H5Sclose(space);
}

// Writes the base trace the input picks to the work file and applies the edits it describes.
void make_edited_trace(FuzzedDataProvider& fdp) {
    const Base& b = bases()[fdp.ConsumeIntegralInRange<std::size_t>(0, bases().size() - 1)];
    {
        std::ofstream out(work_path(), std::ios::binary | std::ios::trunc);
        out.write(b.bytes.data(), std::streamsize(b.bytes.size()));
    }
    const hid_t file = H5Fopen(work_path().c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0) std::abort();
    const int edits = fdp.ConsumeIntegralInRange(1, 4);
    for (int e = 0; e < edits && fdp.remaining_bytes() > 0; ++e) {
        const int kind = fdp.ConsumeIntegralInRange(0, 6);
        if (kind <= 3) {
            const auto& [obj, name] =
                b.attrs[fdp.ConsumeIntegralInRange<std::size_t>(0, b.attrs.size() - 1)];
            if (kind == 0) {
                H5Adelete_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT);
            } else if (kind == 1) {
                const std::int64_t v = fdp.ConsumeBool() ? fdp.ConsumeIntegralInRange(-4, 70000)
                                                         : fdp.ConsumeIntegral<std::int64_t>();
                write_scalar_attr(file, obj, name, H5T_NATIVE_INT64, &v);
            } else if (kind == 2) {
                const double v = fuzzed_double(fdp);
                write_scalar_attr(file, obj, name, H5T_NATIVE_DOUBLE, &v);
            } else {
                const std::string v = fdp.ConsumeRandomLengthString(64);
                const char* p = v.c_str();
                const rs::h5::Handle t = rs::h5::string_type();
                write_scalar_attr(file, obj, name, t.get(), &p);
            }
        } else {
            const auto& path =
                b.datasets[fdp.ConsumeIntegralInRange<std::size_t>(0, b.datasets.size() - 1)];
            if (kind == 4)
                H5Ldelete(file, path.c_str(), H5P_DEFAULT);
            else if (kind == 5)
                replace_dataset(file, path, fdp);
            else
                hostile_edit(
                    file, path,
                    b.datasets[fdp.ConsumeIntegralInRange<std::size_t>(0, b.datasets.size() - 1)],
                    fdp);
        }
    }
    H5Fclose(file);
    if (fdp.ConsumeIntegralInRange(0, 7) == 0)
        truncate(work_path().c_str(),
                 off_t(fdp.ConsumeIntegralInRange<std::size_t>(0, std::size_t(b.bytes.size()))));
}

// Everything a viewer reads: the lazy parts, every overview level, arrays and a few tiles.
void read_everything(const std::string& path) {
    rs::TraceReader r = rs::TraceReader::open(path);
    const rs::TraceMeta& m = r.meta();
    const auto attempt = [](auto&& f) {
        try {
            f();
        } catch (const rs::Error&) {
            // Damage found lazily is reported like damage found on open.
        }
    };
    attempt([&] { (void)r.token_nll(); });
    attempt([&] { (void)r.mean_nll(); });
    attempt([&] { (void)r.curves(); });
    attempt([&] { (void)r.noise(); });
    const int heads = m.layout.analysis_heads();
    for (const int layer : {0, m.layers - 1})
        for (const int head : {0, heads - 1}) {
            for (const int cells : m.overview_cells)
                attempt([&] { (void)r.overview(layer, head, cells); });
            attempt([&] { (void)r.lse(layer, head); });
            attempt([&] { (void)r.queries(layer, m.layout.heads[head].query_head); });
            attempt([&] { (void)r.keys(layer, m.layout.heads[head].kv_head); });
            for (const auto values : {rs::TileValues::Probability, rs::TileValues::Logit})
                for (const auto pooling : {rs::TilePooling::Subsample, rs::TilePooling::Mean})
                    attempt([&] {
                        const int T = m.tokens;
                        (void)r.tile(
                            {layer, head, 0, T, 0, T, std::max(1, T / 4), values, pooling});
                    });
        }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider fdp(data, size);
    make_edited_trace(fdp);
    try {
        read_everything(work_path());
    } catch (const rs::Error&) {
        // FileError naming the trace: the expected outcome for a damaged one.
    }
    return 0;
}
