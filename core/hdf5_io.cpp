// Checked HDF5 helpers: each function owns every identifier it opens and names what it was doing
// when HDF5 fails.
#include "core/hdf5_io.h"

#include <cstdlib>
#include <functional>
#include <numeric>
#include <type_traits>

namespace rs::h5 {

namespace {

Handle space(const Dims& dims) {
    if (dims.empty()) return {check_id(H5Screate(H5S_SCALAR), "create dataspace"), H5Sclose};
    return {check_id(H5Screate_simple(int(dims.size()), dims.data(), nullptr), "create dataspace"),
            H5Sclose};
}

hsize_t elements(const Dims& dims) {
    return std::accumulate(dims.begin(), dims.end(), hsize_t(1), std::multiplies<>());
}

// Refuses datasets whose element count would not fit memory sensibly (a damaged or hostile
// file can claim anything); real traces stay far below.
constexpr hsize_t kMaxElements = hsize_t(1) << 34;

Handle attr_open(hid_t obj, const std::string& name) {
    return {check_id(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "open attribute '" + name + "'"),
            H5Aclose};
}

void attr_write(hid_t obj, const std::string& name, hid_t type, const void* value) {
    if (check_tri(H5Aexists(obj, name.c_str()), "look up attribute '" + name + "'") > 0)
        check(H5Adelete(obj, name.c_str()), "replace attribute '" + name + "'");
    Handle sp = space({});
    Handle a{check_id(H5Acreate2(obj, name.c_str(), type, sp.get(), H5P_DEFAULT, H5P_DEFAULT),
                      "create attribute '" + name + "'"),
             H5Aclose};
    check(H5Awrite(a.get(), type, value), "write attribute '" + name + "'");
}

// Reads a one-element numeric attribute of the given class as `mem_type`.
void attr_read_scalar(hid_t obj, const std::string& name, H5T_class_t want, hid_t mem_type,
                      void* out) {
    Handle a = attr_open(obj, name);
    Handle t{check_id(H5Aget_type(a.get()), "type of attribute '" + name + "'"), H5Tclose};
    if (H5Tget_class(t.get()) != want) throw Failure("attribute '" + name + "' has the wrong type");
    Handle sp{check_id(H5Aget_space(a.get()), "dataspace of attribute '" + name + "'"), H5Sclose};
    if (H5Sget_simple_extent_npoints(sp.get()) != 1)
        throw Failure("attribute '" + name + "' is not a single value");
    check(H5Aread(a.get(), mem_type, out), "read attribute '" + name + "'");
}

}  // namespace

template <>
hid_t native_type<float>() {
    return H5T_NATIVE_FLOAT;
}
template <>
hid_t native_type<double>() {
    return H5T_NATIVE_DOUBLE;
}
template <>
hid_t native_type<std::int32_t>() {
    return H5T_NATIVE_INT32;
}
template <>
hid_t native_type<std::int64_t>() {
    return H5T_NATIVE_INT64;
}
template <>
hid_t native_type<std::uint8_t>() {
    return H5T_NATIVE_UINT8;
}
template <>
hid_t file_type<float>() {
    return H5T_IEEE_F32LE;
}
template <>
hid_t file_type<double>() {
    return H5T_IEEE_F64LE;
}
template <>
hid_t file_type<std::int32_t>() {
    return H5T_STD_I32LE;
}
template <>
hid_t file_type<std::int64_t>() {
    return H5T_STD_I64LE;
}
template <>
hid_t file_type<std::uint8_t>() {
    return H5T_STD_U8LE;
}

Handle half_type() {
    // binary16: sign bit 15, exponent bits 10..14 (bias 15), mantissa bits 0..9. Fields must be
    // narrowed before the size shrinks from the f32 template.
    Handle t{check_id(H5Tcopy(H5T_IEEE_F32LE), "copy float type"), H5Tclose};
    check(H5Tset_fields(t.get(), 15, 10, 5, 0, 10), "define half float fields");
    check(H5Tset_size(t.get(), 2), "define half float size");
    check(H5Tset_precision(t.get(), 16), "define half float precision");
    check(H5Tset_ebias(t.get(), 15), "define half float exponent bias");
    return t;
}

Handle string_type() {
    Handle t{check_id(H5Tcopy(H5T_C_S1), "copy string type"), H5Tclose};
    check(H5Tset_size(t.get(), H5T_VARIABLE), "define string type");
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "define string encoding");
    return t;
}

Handle create_file(const std::string& path, bool stdio_driver) {
    Handle fapl{check_id(H5Pcreate(H5P_FILE_ACCESS), "create file access list"), H5Pclose};
    if (stdio_driver) check(H5Pset_fapl_stdio(fapl.get()), "select the stdio file driver");
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18), "set format version");
    // Closing with objects still open is a bug here (the file would stay open): make it an error.
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "set close behaviour");
    return {check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                     "create HDF5 file"),
            H5Fclose};
}

Handle open_file_read(const std::string& path) {
    return {check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open HDF5 file"),
            H5Fclose};
}

Handle open_file_write(const std::string& path) {
    Handle fapl{check_id(H5Pcreate(H5P_FILE_ACCESS), "create file access list"), H5Pclose};
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "set close behaviour");
    return {check_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()), "open HDF5 file for writing"),
            H5Fclose};
}

Handle create_group(hid_t loc, const std::string& name) {
    return {check_id(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                     "create group '" + name + "'"),
            H5Gclose};
}

Handle open_group(hid_t loc, const std::string& name) {
    return {check_id(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), "open group '" + name + "'"),
            H5Gclose};
}

bool exists(hid_t loc, const std::string& path) {
    std::size_t pos = 0;
    while (true) {
        const auto slash = path.find('/', pos);
        const std::string prefix = path.substr(0, slash);
        if (check_tri(H5Lexists(loc, prefix.c_str(), H5P_DEFAULT), "look up '" + prefix + "'") <= 0)
            return false;
        if (slash == std::string::npos) return true;
        pos = slash + 1;
    }
}

bool has_attr(hid_t obj, const std::string& name) {
    return check_tri(H5Aexists(obj, name.c_str()), "look up attribute '" + name + "'") > 0;
}

void write_attr(hid_t obj, const std::string& name, const std::string& value) {
    Handle t = string_type();
    const char* p = value.c_str();
    attr_write(obj, name, t.get(), &p);
}

void write_attr(hid_t obj, const std::string& name, std::int64_t value) {
    attr_write(obj, name, H5T_STD_I64LE, &value);  // file type == memory type on little-endian
}

void write_attr(hid_t obj, const std::string& name, double value) {
    attr_write(obj, name, H5T_IEEE_F64LE, &value);
}

void write_attr_f32(hid_t obj, const std::string& name, float value) {
    attr_write(obj, name, H5T_IEEE_F32LE, &value);
}

std::string read_attr_string(hid_t obj, const std::string& name) {
    Handle a = attr_open(obj, name);
    Handle t{check_id(H5Aget_type(a.get()), "type of attribute '" + name + "'"), H5Tclose};
    if (H5Tget_class(t.get()) != H5T_STRING)
        throw Failure("attribute '" + name + "' is not a string");
    Handle sp{check_id(H5Aget_space(a.get()), "dataspace of attribute '" + name + "'"), H5Sclose};
    if (H5Sget_simple_extent_npoints(sp.get()) != 1)
        throw Failure("attribute '" + name + "' is not a single string");
    if (check_tri(H5Tis_variable_str(t.get()), "type of attribute '" + name + "'") > 0) {
        Handle mt = string_type();
        char* p = nullptr;
        check(H5Aread(a.get(), mt.get(), &p), "read attribute '" + name + "'");
        std::string s = p ? p : "";
        H5free_memory(p);
        return s;
    }
    const std::size_t n = H5Tget_size(t.get());
    std::string s(n, '\0');
    check(H5Aread(a.get(), t.get(), s.data()), "read attribute '" + name + "'");
    return s.substr(0, s.find('\0'));
}

std::int64_t read_attr_int(hid_t obj, const std::string& name) {
    std::int64_t v = 0;
    attr_read_scalar(obj, name, H5T_INTEGER, H5T_NATIVE_INT64, &v);
    return v;
}

double read_attr_double(hid_t obj, const std::string& name) {
    double v = 0;
    attr_read_scalar(obj, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, &v);
    return v;
}

void write_attr_u64(hid_t obj, const std::string& name, std::uint64_t value) {
    attr_write(obj, name, H5T_STD_U64LE, &value);
}

std::uint64_t read_attr_u64(hid_t obj, const std::string& name) {
    std::uint64_t v = 0;
    attr_read_scalar(obj, name, H5T_INTEGER, H5T_NATIVE_UINT64, &v);
    return v;
}

float read_attr_f32(hid_t obj, const std::string& name) {
    float v = 0;
    attr_read_scalar(obj, name, H5T_FLOAT, H5T_NATIVE_FLOAT, &v);
    return v;
}

Handle create_dataset(hid_t loc, const std::string& name, hid_t type, const Dims& dims,
                      const Storage& s) {
    Handle dcpl{check_id(H5Pcreate(H5P_DATASET_CREATE), "create dataset property list"), H5Pclose};
    if (!s.chunk.empty()) {
        check(H5Pset_chunk(dcpl.get(), int(s.chunk.size()), s.chunk.data()),
              "chunk '" + name + "'");
        if (s.shuffle) check(H5Pset_shuffle(dcpl.get()), "shuffle filter on '" + name + "'");
        if (s.deflate >= 0)
            check(H5Pset_deflate(dcpl.get(), unsigned(s.deflate)),
                  "deflate filter on '" + name + "'");
    }
    Handle sp = space(dims);
    return {check_id(
                H5Dcreate2(loc, name.c_str(), type, sp.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                "create dataset '" + name + "'"),
            H5Dclose};
}

Handle open_dataset(hid_t loc, const std::string& name) {
    return {check_id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "open dataset '" + name + "'"),
            H5Dclose};
}

Dims shape(hid_t dset) {
    Handle sp{check_id(H5Dget_space(dset), "dataset dataspace"), H5Sclose};
    const int rank = check(H5Sget_simple_extent_ndims(sp.get()), "dataset rank");
    Dims d(std::size_t(rank), 0);
    if (rank > 0)
        check(H5Sget_simple_extent_dims(sp.get(), d.data(), nullptr), "dataset dimensions");
    return d;
}

H5T_class_t type_class(hid_t dset) {
    Handle t{check_id(H5Dget_type(dset), "dataset type"), H5Tclose};
    return H5Tget_class(t.get());
}

std::size_t type_size(hid_t dset) {
    Handle t{check_id(H5Dget_type(dset), "dataset type"), H5Tclose};
    return H5Tget_size(t.get());
}

void write_block(hid_t dset, hid_t mem_type, const Dims& offset, const Dims& count,
                 const void* data) {
    if (elements(count) == 0) return;
    Handle file_space{check_id(H5Dget_space(dset), "dataset dataspace"), H5Sclose};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offset.data(), nullptr,
                              count.data(), nullptr),
          "select block to write");
    Handle mem_space = space(count);
    check(H5Dwrite(dset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
          "write dataset");
}

void read_block(hid_t dset, hid_t mem_type, const Dims& offset, const Dims& count, void* data) {
    if (elements(count) == 0) return;
    Handle file_space{check_id(H5Dget_space(dset), "dataset dataspace"), H5Sclose};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offset.data(), nullptr,
                              count.data(), nullptr),
          "select block to read");
    Handle mem_space = space(count);
    check(H5Dread(dset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
          "read dataset");
}

void write_whole_raw(hid_t dset, hid_t mem_type, std::size_t count, const void* data) {
    if (elements(shape(dset)) != count)
        throw Failure("internal: buffer size does not match the dataset");
    if (count == 0) return;
    check(H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset");
}

template <class T>
void write_whole(hid_t dset, std::span<const T> data) {
    write_whole_raw(dset, native_type<T>(), data.size(), data.data());
}

template <class T>
std::vector<T> read_array(hid_t dset) {
    const H5T_class_t want = std::is_floating_point_v<T> ? H5T_FLOAT : H5T_INTEGER;
    if (type_class(dset) != want)
        throw Failure(std::string("dataset holds ") +
                      (want == H5T_FLOAT ? "non-float" : "non-integer") + " data");
    const hsize_t n = elements(shape(dset));
    if (n > kMaxElements) throw Failure("dataset is implausibly large");
    std::vector<T> out(n);
    if (n)
        check(H5Dread(dset, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
              "read dataset");
    return out;
}

template void write_whole<float>(hid_t, std::span<const float>);
template void write_whole<double>(hid_t, std::span<const double>);
template void write_whole<std::int32_t>(hid_t, std::span<const std::int32_t>);
template void write_whole<std::int64_t>(hid_t, std::span<const std::int64_t>);
template void write_whole<std::uint8_t>(hid_t, std::span<const std::uint8_t>);
template std::vector<float> read_array<float>(hid_t);
template std::vector<double> read_array<double>(hid_t);
template std::vector<std::int32_t> read_array<std::int32_t>(hid_t);
template std::vector<std::int64_t> read_array<std::int64_t>(hid_t);
template std::vector<std::uint8_t> read_array<std::uint8_t>(hid_t);

void write_whole_strings(hid_t dset, const std::vector<std::string>& values) {
    std::vector<const char*> ptrs;  // [n]
    ptrs.reserve(values.size());
    for (const auto& v : values) ptrs.push_back(v.c_str());
    Handle t = string_type();
    write_whole_raw(dset, t.get(), ptrs.size(), ptrs.data());
}

namespace {

// Reads n variable-length strings of a string dataset (rank 0 or 1).
std::vector<std::string> read_vlen_strings(hid_t dset, hsize_t n) {
    if (type_class(dset) != H5T_STRING) throw Failure("dataset does not hold strings");
    Handle ft{check_id(H5Dget_type(dset), "dataset type"), H5Tclose};
    if (check_tri(H5Tis_variable_str(ft.get()), "dataset type") <= 0)
        throw Failure("dataset holds fixed-length strings, expected variable-length UTF-8");
    Handle mt = string_type();
    std::vector<char*> ptrs(n, nullptr);  // [n], owned by HDF5 until reclaimed
    std::vector<std::string> out;
    if (n == 0) return out;
    check(H5Dread(dset, mt.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "read strings");
    out.reserve(n);
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle sp{check_id(H5Dget_space(dset), "dataset dataspace"), H5Sclose};
    check(H5Dvlen_reclaim(mt.get(), sp.get(), H5P_DEFAULT, ptrs.data()), "release strings");
    return out;
}

}  // namespace

std::string read_string_dataset(hid_t dset) {
    if (!shape(dset).empty()) throw Failure("expected a single string");
    return read_vlen_strings(dset, 1).front();
}

std::vector<std::string> read_strings(hid_t dset) {
    const Dims d = shape(dset);
    if (d.size() != 1) throw Failure("expected a list of strings");
    if (d[0] > kMaxElements) throw Failure("dataset is implausibly large");
    return read_vlen_strings(dset, d[0]);
}

}  // namespace rs::h5
