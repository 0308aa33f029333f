// Small typed helpers over the HDF5 C API for the trace store: files, groups, attributes,
// datasets (whole and hyperslab), UTF-8 strings and IEEE half floats. Every call is checked and
// every identifier is owned by an h5::Handle. Internal to the trace store.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hdf5_error.h"
#include "hdf5_handle.h"

namespace rs::h5 {

using Dims = std::vector<hsize_t>;

// ---- element types ---------------------------------------------------------------------------
// Memory type of a C++ element type, and the little-endian type it is stored as in the file.
template <class T>
hid_t native_type();
template <class T>
hid_t file_type();
// IEEE 754 binary16, little-endian: h5py and numpy read it as float16.
Handle half_type();
// Variable-length UTF-8 string.
Handle string_type();

// ---- files and groups ------------------------------------------------------------------------
// Bounds on how a dataset may be stored, so that reading one costs what its shape says: raw
// chunks of at most kMaxChunkBytes, at most kMaxChunks chunks per dataset, and (checked by
// read_block / read_array before HDF5 inflates anything) no deflate chunk holding more than its
// raw size. Values documented in docs/trace-format.md ("Limits").
constexpr std::uint64_t kMaxChunkBytes = std::uint64_t(16) << 20;
constexpr std::uint64_t kMaxChunks = 65536;

// Truncates; readable by HDF5 >= 1.8. `stdio_driver`: use HDF5's stdio file driver, needed for a
// "/proc/self/fd/N" path (the default sec2 driver insists on realpath() of symbolic links, which
// fails for an unnamed O_TMPFILE file; stdio does not resolve names).
Handle create_file(const std::string& path, bool stdio_driver = false);
Handle open_file_read(const std::string& path);
Handle open_file_write(const std::string& path);  // an existing file, read-write
Handle create_group(hid_t loc, const std::string& name);
Handle open_group(hid_t loc, const std::string& name);
// True when every component of a relative path ("a/b/c") exists under loc. Throws Failure when a
// component is a soft or external link: files from elsewhere are never followed out of (an
// external link may name a FIFO or a file on a hung mount) nor aliased inside (a soft link would
// make one object's data read as another's). open_dataset / open_group check the same.
bool exists(hid_t loc, const std::string& path);
// The dataset a relative path of hard links leads to, opened, with its identity (its file
// address) so callers can refuse two names for one dataset; nullopt when a component is missing.
// One walk of the path does what exists + open_dataset would do in two.
struct LinkedDataset {
    Handle dset;
    std::string identity;
};
std::optional<LinkedDataset> find_dataset(hid_t loc, const std::string& path);

// ---- attributes ------------------------------------------------------------------------------
bool has_attr(hid_t obj, const std::string& name);
void write_attr(hid_t obj, const std::string& name, const std::string& value);
void write_attr(hid_t obj, const std::string& name, std::int64_t value);
void write_attr(hid_t obj, const std::string& name, double value);
void write_attr_f32(hid_t obj, const std::string& name, float value);
void write_attr_u64(hid_t obj, const std::string& name, std::uint64_t value);
std::string read_attr_string(hid_t obj, const std::string& name);
std::int64_t read_attr_int(hid_t obj, const std::string& name);
double read_attr_double(hid_t obj, const std::string& name);
float read_attr_f32(hid_t obj, const std::string& name);
std::uint64_t read_attr_u64(hid_t obj, const std::string& name);

// ---- datasets --------------------------------------------------------------------------------
struct Storage {
    Dims chunk;  // empty: contiguous (no filters possible)
    bool shuffle = false;
    int deflate = -1;  // zlib level 0-9, -1: none
};

Handle create_dataset(hid_t loc, const std::string& name, hid_t type, const Dims& dims,
                      const Storage& storage = {});
Handle open_dataset(hid_t loc, const std::string& name);
// A dataset whose path find_dataset has already walked in this open file (a reader's second
// look at what it validated): opened without walking its links again.
Handle reopen_dataset(hid_t loc, const std::string& name);
Dims shape(hid_t dset);
H5T_class_t type_class(hid_t dset);
std::size_t type_size(hid_t dset);
// "16-bit float (5 exponent, 10 mantissa bits, little-endian)", "32-bit signed integer,
// big-endian": how an element type is laid out, for messages about a type that is not the
// documented one.
std::string describe_type(hid_t type);
// True when the dataset's element type is exactly `type` (class, size, byte order, float fields).
bool type_is(hid_t dset, hid_t type);
// Throws Failure (without the dataset's name: callers add it) unless the dataset keeps all its
// data inside this file, in the space its shape needs: no external raw-data files or virtual
// mappings, contiguous data allocated and within the file, every chunk stored, no larger than its
// raw size and within kMaxChunkBytes, and only the shuffle, deflate and fletcher32 filters.
void check_storage(hid_t file, hid_t dset);
// HDF5's name of an open object ("/layers/00/q"), for messages.
std::string object_name(hid_t obj);

// Throws Failure naming the dataset when one of its deflate chunks inflates past its raw size
// (read_block, read_array and the string readers check the chunks they read themselves).
void check_chunks(hid_t dset);

// Writes/reads the block [offset, offset + count) of a dataset from/to a dense buffer.
void write_block(hid_t dset, hid_t mem_type, const Dims& offset, const Dims& count,
                 const void* data);
void read_block(hid_t dset, hid_t mem_type, const Dims& offset, const Dims& count, void* data);

// Writes a whole existing dataset from a dense buffer of T (converted to the file type); throws
// when the buffer size is not the dataset's element count.
template <class T>
void write_whole(hid_t dset, std::span<const T> data);
void write_whole_raw(hid_t dset, hid_t mem_type, std::size_t elements, const void* data);
void write_whole_strings(hid_t dset, const std::vector<std::string>& values);  // rank 0 or 1
// Reads a whole numeric dataset converted to T (float kinds to floating T, integers to integer T).
template <class T>
std::vector<T> read_array(hid_t dset);
std::string read_string_dataset(hid_t dset);        // scalar
std::vector<std::string> read_strings(hid_t dset);  // 1-D

}  // namespace rs::h5
