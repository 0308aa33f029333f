// Reader for the safetensors format, over a memory map, validating everything before use.
//
// File layout: u64 little-endian N | N bytes of UTF-8 JSON header | data buffer.
// Header: {"__metadata__": {str: str}?, "<name>": {"dtype": "BF16", "shape": [..],
//          "data_offsets": [begin, end]}, ...}; offsets are relative to the data buffer.
// Checked on open: N fits the file, JSON is an object, no duplicate names, known dtypes,
// non-negative shapes whose element count * dtype size == end - begin without overflow,
// end within the data buffer, and no two tensors overlapping.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dtype.h"
#include "mapped_file.h"

namespace rs {

struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::uint8_t> bytes;  // raw little-endian data inside the map
    std::string file;                     // for error messages

    std::int64_t numel() const;
    std::string shape_string() const;  // "[1024, 4096]"
};

class SafetensorsFile {
  public:
    // Maps and validates `path`; throws FileError naming it and the first problem found.
    explicit SafetensorsFile(const std::string& path);

    const std::string& path() const { return map_.path(); }
    std::size_t mapped_bytes() const { return map_.size(); }
    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
    // Throws FileError if absent.
    const TensorView& tensor(const std::string& name) const;
    const std::map<std::string, TensorView>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

  private:
    void parse_header();

    MappedFile map_;
    std::map<std::string, TensorView> tensors_;
    std::map<std::string, std::string> metadata_;
};

// Parses only the header (no map), for fuzzing and tests: same checks as SafetensorsFile.
// `file_bytes` is the whole file; throws FileError tagged with `path`.
std::map<std::string, TensorView> parse_safetensors(std::span<const std::uint8_t> file_bytes,
                                                    const std::string& path,
                                                    std::map<std::string, std::string>* metadata);

}  // namespace rs
