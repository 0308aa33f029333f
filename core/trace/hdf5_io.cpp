// Checked HDF5 helpers: each function owns every identifier it opens and names what it was doing
// when HDF5 fails.
#include "hdf5_io.h"

#include <zlib.h>

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

// Refuses whole-dataset reads whose element count would not fit memory sensibly (a damaged or
// hostile file can claim anything); real traces' whole-read datasets stay far below (the large
// Q/K/lse/overview arrays are read one head at a time).
constexpr hsize_t kMaxElements = hsize_t(1) << 27;

// Bytes one element takes in a chunk on disk: a variable-length string is a 16-byte heap ID there.
hsize_t disk_element_size(hid_t dset) {
    Handle t{check_id(H5Dget_type(dset), "dataset type"), H5Tclose};
    if (H5Tget_class(t.get()) == H5T_VLEN ||
        check_tri(H5Tis_variable_str(t.get()), "dataset type") > 0)
        return 16;
    return H5Tget_size(t.get());
}

// Inflates a zlib stream into at most `limit` bytes; false when it would need more (or is not a
// valid stream). Output is discarded: this only measures.
bool inflates_within(const std::vector<unsigned char>& in, hsize_t limit) {
    z_stream z{};
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = uInt(in.size());
    if (inflateInit(&z) != Z_OK) return false;
    std::vector<unsigned char> out(1 << 16);
    int status = Z_OK;
    while (status == Z_OK && z.total_out <= limit) {
        z.next_out = out.data();
        z.avail_out = uInt(out.size());
        status = inflate(&z, Z_NO_FLUSH);
        if (status == Z_BUF_ERROR && z.avail_in == 0) break;  // the stream ended early
    }
    const bool ok = status == Z_STREAM_END && z.total_out <= limit;
    inflateEnd(&z);
    return ok;
}

// HDF5's deflate filter inflates a chunk into a buffer it doubles until the stream ends, however
// large, so a 16 MB chunk of zeros can make it allocate 16 GiB before anything is checked (and
// a predefined filter cannot be replaced). So before HDF5 reads chunks of a deflated dataset, each
// chunk the block [offset, offset + count) touches is inflated here into a bounded scratch buffer
// and refused if it holds more than its raw size. Costs one extra inflate per chunk read.
void verify_chunks(hid_t dset, const Dims& offset, const Dims& count) {
    Handle dcpl{check_id(H5Dget_create_plist(dset), "dataset creation properties"), H5Pclose};
    if (H5Pget_layout(dcpl.get()) != H5D_CHUNKED) return;
    const int nf = check(H5Pget_nfilters(dcpl.get()), "dataset filters");
    int deflate_at = -1, fletcher_at = -1;
    for (int i = 0; i < nf; ++i) {
        unsigned flags = 0;
        std::size_t ncd = 0;
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl.get(), unsigned(i), &flags, &ncd, nullptr, 0, nullptr, nullptr);
        if (id == H5Z_FILTER_DEFLATE) deflate_at = i;
        if (id == H5Z_FILTER_FLETCHER32) fletcher_at = i;
        if (id == H5Z_FILTER_SHUFFLE && deflate_at >= 0)
            throw Failure("dataset '" + object_name(dset) +
                          "' shuffles after deflating, an order traces never use");
    }
    if (deflate_at < 0) return;
    const std::size_t rank = offset.size();
    Dims chunk(rank, 0);
    if (rank) check(H5Pget_chunk(dcpl.get(), int(rank), chunk.data()), "dataset chunk shape");
    hsize_t raw = disk_element_size(dset);
    for (hsize_t c : chunk) raw *= c;
    Dims first(rank), last(rank), at(rank);
    for (std::size_t i = 0; i < rank; ++i) {
        if (count[i] == 0) return;
        first[i] = offset[i] / chunk[i];
        last[i] = (offset[i] + count[i] - 1) / chunk[i];
    }
    Dims idx = first;
    std::vector<unsigned char> bytes;
    while (true) {
        for (std::size_t i = 0; i < rank; ++i) at[i] = idx[i] * chunk[i];
        hsize_t stored = 0;
        check(H5Dget_chunk_storage_size(dset, at.data(), &stored), "chunk size");
        std::string where;
        for (std::size_t i = 0; i < rank; ++i) where += (i ? ", " : "") + std::to_string(at[i]);
        if (stored > compressBound(uLong(raw)) + 4)  // check_storage's bound, for any dataset
            throw Failure("dataset '" + object_name(dset) + "' has a chunk at [" + where + "] of " +
                          std::to_string(stored) + " bytes, more than any encoding of its " +
                          std::to_string(raw) + " raw bytes takes");
        bytes.resize(stored);
        std::uint32_t mask = 0;
        if (stored)
            check(H5Dread_chunk(dset, H5P_DEFAULT, at.data(), &mask, bytes.data()), "read chunk");
        // Filters undo in reverse order; a fletcher32 applied after deflate is a 4-byte suffix.
        if (fletcher_at > deflate_at && !(mask & (1u << fletcher_at)) && bytes.size() >= 4)
            bytes.resize(bytes.size() - 4);
        if (stored && !(mask & (1u << deflate_at)) && !inflates_within(bytes, raw))
            throw Failure("dataset '" + object_name(dset) + "' has a deflate chunk at [" + where +
                          "] that does not inflate to its raw size of " + std::to_string(raw) +
                          " bytes (a compression bomb, or damaged)");
        // Next chunk index, last dimension fastest.
        std::size_t i = rank;
        while (i > 0 && idx[i - 1] == last[i - 1]) {
            idx[i - 1] = first[i - 1];
            --i;
        }
        if (i == 0) break;
        ++idx[i - 1];
    }
}

// Each component of `path` under loc must be a hard link; returns the last one's info.
H5L_info_t hard_link_info(hid_t loc, const std::string& path, bool* found) {
    H5L_info_t info{};
    std::size_t pos = 0;
    while (true) {
        const auto slash = path.find('/', pos);
        const std::string prefix = path.substr(0, slash);
        // H5Lget_info resolves every component but the last: checking prefix by prefix means no
        // soft or external link is ever traversed. Asked first, as the components of a trace's
        // paths are nearly always there; only its failure is looked into (missing, or damaged).
        if (H5Lget_info(loc, prefix.c_str(), &info, H5P_DEFAULT) < 0) {
            if (check_tri(H5Lexists(loc, prefix.c_str(), H5P_DEFAULT),
                          "look up '" + prefix + "'") <= 0) {
                *found = false;
                return info;
            }
            check(H5Lget_info(loc, prefix.c_str(), &info, H5P_DEFAULT),
                  "look up link '" + prefix + "'");
        }
        if (info.type == H5L_TYPE_SOFT) {
            std::string target(info.u.val_size + 1, '\0');
            H5Lget_val(loc, prefix.c_str(), target.data(), target.size(), H5P_DEFAULT);
            throw Failure("'" + prefix + "' is a soft link to '" + target.c_str() +
                          "': a trace holds no links, and following one would read another "
                          "object's data as this one's");
        }
        if (info.type != H5L_TYPE_HARD) {
            std::string value(info.u.val_size + 1, '\0');
            const char* file = nullptr;
            const char* object = nullptr;
            std::string where;
            if (info.type == H5L_TYPE_EXTERNAL &&
                H5Lget_val(loc, prefix.c_str(), value.data(), value.size(), H5P_DEFAULT) >= 0 &&
                H5Lunpack_elink_val(value.data(), value.size(), nullptr, &file, &object) >= 0)
                where =
                    std::string(" to '") + (file ? file : "") + ":" + (object ? object : "") + "'";
            throw Failure("'" + prefix + "' is an external link" + where +
                          ": links to other files are never followed");
        }
        if (slash == std::string::npos) {
            *found = true;
            return info;
        }
        pos = slash + 1;
    }
}

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
    bool found = false;
    hard_link_info(loc, name, &found);
    return {check_id(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), "open group '" + name + "'"),
            H5Gclose};
}

bool exists(hid_t loc, const std::string& path) {
    bool found = false;
    hard_link_info(loc, path, &found);
    return found;
}

std::optional<LinkedDataset> find_dataset(hid_t loc, const std::string& path) {
    bool found = false;
    const H5L_info_t info = hard_link_info(loc, path, &found);
    if (!found) return std::nullopt;
#if H5_VERSION_GE(1, 12, 0)
    std::string identity(reinterpret_cast<const char*>(&info.u.token), sizeof info.u.token);
#else
    std::string identity(reinterpret_cast<const char*>(&info.u.address), sizeof info.u.address);
#endif
    Handle d{check_id(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), "open dataset '" + path + "'"),
             H5Dclose};
    return LinkedDataset{std::move(d), std::move(identity)};
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
    bool found = false;
    hard_link_info(loc, name, &found);
    return {check_id(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "open dataset '" + name + "'"),
            H5Dclose};
}

Handle reopen_dataset(hid_t loc, const std::string& name) {
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

std::string describe_type(hid_t t) {
    const std::string bits = std::to_string(H5Tget_size(t) * 8) + "-bit ";
    const std::string order = H5Tget_order(t) == H5T_ORDER_BE ? "big-endian" : "little-endian";
    switch (H5Tget_class(t)) {
        case H5T_FLOAT: {
            std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
            H5Tget_fields(t, &spos, &epos, &esize, &mpos, &msize);
            return bits + "float (" + std::to_string(esize) + " exponent, " +
                   std::to_string(msize) + " mantissa bits, " + order + ")";
        }
        case H5T_INTEGER:
            return bits + (H5Tget_sign(t) == H5T_SGN_NONE ? "unsigned" : "signed") + " integer, " +
                   order;
        case H5T_STRING:
            return "string";
        case H5T_ENUM:
            return "enumeration";
        case H5T_COMPOUND:
            return "compound";
        default:
            return bits + "non-numeric data";
    }
}

bool type_is(hid_t dset, hid_t type) {
    Handle t{check_id(H5Dget_type(dset), "dataset type"), H5Tclose};
    return check_tri(H5Tequal(t.get(), type), "compare dataset type") > 0;
}

std::string object_name(hid_t obj) {
    const ssize_t n = H5Iget_name(obj, nullptr, 0);
    if (n <= 0) return "?";
    std::string name(std::size_t(n) + 1, '\0');
    H5Iget_name(obj, name.data(), name.size());
    name.resize(std::size_t(n));
    return name;
}

void check_storage(hid_t file, hid_t dset) {
    Handle dcpl{check_id(H5Dget_create_plist(dset), "dataset creation properties"), H5Pclose};
    if (check(H5Pget_external_count(dcpl.get()), "external storage") > 0)
        throw Failure("keeps its data in external files, which are never read");
    const H5D_layout_t layout = H5Pget_layout(dcpl.get());
    const Dims dims = shape(dset);
    const hsize_t n = elements(dims);
    const hsize_t raw = n * type_size(dset);  // shapes are bounded by the caller: no overflow
    if (layout == H5D_COMPACT) return;        // the data lives in the object header itself
    if (layout == H5D_CONTIGUOUS) {
        if (n == 0) return;
        const hsize_t stored = H5Dget_storage_size(dset);
        const haddr_t at = H5Dget_offset(dset);
        hsize_t eof = 0;
        check(H5Fget_filesize(file, &eof), "file size");
        if (stored < raw || at == HADDR_UNDEF)
            throw Failure("declares " + std::to_string(raw) + " bytes of data but stores " +
                          std::to_string(stored) + " (the file has " + std::to_string(eof) + ")");
        if (at > eof || raw > eof - at)
            throw Failure("has its data at bytes " + std::to_string(at) + ".." +
                          std::to_string(at + raw) + ", beyond the end of the file (" +
                          std::to_string(eof) + " bytes)");
        return;
    }
    if (layout != H5D_CHUNKED) throw Failure("has a storage layout traces never use (virtual?)");
    const int nf = check(H5Pget_nfilters(dcpl.get()), "dataset filters");
    hsize_t slack = 0;
    bool deflate = false;
    for (int i = 0; i < nf; ++i) {
        unsigned flags = 0, cd[8];
        std::size_t ncd = 8;
        char name[64] = {};
        const H5Z_filter_t id =
            H5Pget_filter2(dcpl.get(), unsigned(i), &flags, &ncd, cd, sizeof name, name, nullptr);
        if (id == H5Z_FILTER_FLETCHER32) slack += 4;  // its checksum follows the data
        deflate = deflate || id == H5Z_FILTER_DEFLATE;
        if (id != H5Z_FILTER_FLETCHER32 && id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_SHUFFLE)
            throw Failure("uses HDF5 filter " + std::to_string(id) + " ('" + name +
                          "'); traces use only shuffle, deflate and fletcher32");
    }
    Dims chunk(dims.size(), 0);
    if (!dims.empty())
        check(H5Pget_chunk(dcpl.get(), int(chunk.size()), chunk.data()), "dataset chunk shape");
    hsize_t chunk_raw = disk_element_size(dset), count = 1;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (chunk[i] == 0) throw Failure("has an empty chunk shape");
        chunk_raw *= chunk[i];
        count *= (dims[i] + chunk[i] - 1) / chunk[i];
        if (chunk_raw > kMaxChunkBytes)
            throw Failure("is stored in chunks of more than " +
                          std::to_string(kMaxChunkBytes >> 20) +
                          " MiB, the most a trace chunk may hold");
        if (count > kMaxChunks)
            throw Failure("is stored in more than " + std::to_string(kMaxChunks) + " chunks");
    }
    if (n == 0) return;
    // Every chunk must be stored (an absent one reads as fill values: data the file never held)
    // and no larger than its raw size, plus what deflate adds at worst to incompressible data
    // (tiny chunks do grow: a 36-byte overview map is stored in 37).
    const hsize_t max_stored = (deflate ? compressBound(uLong(chunk_raw)) : chunk_raw) + slack;
    Dims at(dims.size(), 0);
    for (hsize_t c = 0; c < count; ++c) {
        hsize_t rest = c;
        for (std::size_t i = dims.size(); i-- > 0;) {
            const hsize_t per = (dims[i] + chunk[i] - 1) / chunk[i];
            at[i] = (rest % per) * chunk[i];
            rest /= per;
        }
        hsize_t bytes = 0;
        if (H5Dget_chunk_storage_size(dset, at.data(), &bytes) < 0) {
            H5Eclear2(H5E_DEFAULT);
            bytes = 0;
        }
        std::string where;
        for (std::size_t i = 0; i < at.size(); ++i)
            where += (i ? ", " : "") + std::to_string(at[i]);
        if (bytes == 0) throw Failure("has no data stored for its chunk at [" + where + "]");
        if (bytes > max_stored)
            throw Failure("has a chunk at [" + where + "] of " + std::to_string(bytes) +
                          " bytes, more than any encoding of its " + std::to_string(chunk_raw) +
                          " raw bytes takes");
    }
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

void check_chunks(hid_t dset) {
    const Dims d = shape(dset);
    verify_chunks(dset, Dims(d.size(), 0), d);
}

void read_block(hid_t dset, hid_t mem_type, const Dims& offset, const Dims& count, void* data) {
    if (elements(count) == 0) return;
    verify_chunks(dset, offset, count);
    Handle file_space{check_id(H5Dget_space(dset), "dataset dataspace"), H5Sclose};
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, offset.data(), nullptr,
                              count.data(), nullptr),
          "select block to read");
    Handle mem_space = space(count);
    check(H5Dread(dset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
          "read dataset '" + object_name(dset) + "'");
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
    if (n > kMaxElements)
        throw Failure("dataset '" + object_name(dset) + "' is implausibly large (" +
                      std::to_string(n) + " elements)");
    std::vector<T> out(n);
    if (n) verify_chunks(dset, Dims(shape(dset).size(), 0), shape(dset));
    if (n)
        check(H5Dread(dset, native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()),
              "read dataset '" + object_name(dset) + "'");
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
    verify_chunks(dset, Dims(shape(dset).size(), 0), shape(dset));
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
