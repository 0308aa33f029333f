// Safetensors header parsing and validation; see the format summary in safetensors.h.
#include "safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "error.h"
#include "json_depth.h"

namespace rs {

namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100u << 20;  // same bound the reference library uses

using json = nlohmann::json;

// Parses JSON, rejecting duplicate keys in the top-level object (nlohmann silently keeps the last).
json parse_header_json(std::string_view text, const std::string& path) {
    std::set<std::string> seen;
    std::string duplicate;
    json::parser_callback_t cb = [&](int depth, json::parse_event_t ev, json& parsed) {
        if (ev == json::parse_event_t::key && depth == 1) {
            auto name = parsed.get<std::string>();
            if (!seen.insert(name).second && duplicate.empty()) duplicate = name;
        }
        return true;
    };
    if (!json_depth_within(text))
        throw FileError(path, "header JSON is nested more than " + std::to_string(kMaxJsonDepth) +
                                  " levels deep");
    json j;
    try {
        j = json::parse(text.begin(), text.end(), cb);
    } catch (const json::exception& e) {
        throw FileError(path, std::string("header is not valid JSON (") + e.what() + ")");
    }
    if (!duplicate.empty()) throw FileError(path, "tensor '" + duplicate + "' is listed twice");
    if (!j.is_object()) throw FileError(path, "header is not a JSON object");
    return j;
}

std::uint64_t checked_numel(const std::vector<std::int64_t>& shape, const std::string& where) {
    std::uint64_t n = 1;
    for (auto s : shape) {
        if (s < 0) throw FileError(where, "negative dimension");
        if (s != 0 && n > std::numeric_limits<std::uint64_t>::max() / std::uint64_t(s))
            throw FileError(where, "shape overflows");
        n *= std::uint64_t(s);
    }
    return n;
}

TensorView parse_entry(const std::string& name, const json& e, std::span<const std::uint8_t> data,
                       const std::string& path) {
    const std::string where = path + ": tensor '" + name + "'";
    auto fail = [&](const std::string& why) { return FileError(path, "tensor '" + name + "' " + why); };
    if (!e.is_object()) throw fail("entry is not an object");
    if (!e.contains("dtype") || !e["dtype"].is_string()) throw fail("has no dtype");
    auto dt = parse_dtype(e["dtype"].get<std::string>());
    if (!dt) throw fail("has unknown dtype '" + e["dtype"].get<std::string>() + "'");
    if (!e.contains("shape") || !e["shape"].is_array()) throw fail("has no shape");
    TensorView v;
    v.name = name;
    v.dtype = *dt;
    v.file = path;
    for (const auto& s : e["shape"]) {
        if (!s.is_number_integer()) throw fail("has a non-integer dimension");
        if (s.is_number_unsigned() && s.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
            throw fail("has a dimension too large");
        auto d = s.get<std::int64_t>();
        if (d < 0) throw fail("has a negative dimension");
        v.shape.push_back(d);
    }
    const auto& off = e.value("data_offsets", json());
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
        !off[1].is_number_unsigned())
        throw fail("has no valid data_offsets");
    const auto begin = off[0].get<std::uint64_t>();
    const auto end = off[1].get<std::uint64_t>();
    if (begin > end) throw fail("has data_offsets with begin > end");
    if (end > data.size())
        throw fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                   ") exceed the data size " + std::to_string(data.size()) +
                   " (file truncated?)");
    std::uint64_t numel;
    try {
        numel = checked_numel(v.shape, where);
    } catch (const FileError&) {
        throw fail("has a shape whose element count overflows");
    }
    const std::uint64_t bytes = end - begin;
    const auto esize = dtype_size(v.dtype);
    if (numel > std::numeric_limits<std::uint64_t>::max() / esize || numel * esize != bytes)
        throw fail("shape " + v.shape_string() + " of " + dtype_name(v.dtype) + " needs " +
                   std::to_string(numel) + " elements but data_offsets span " +
                   std::to_string(bytes) + " bytes");
    v.bytes = data.subspan(begin, bytes);
    return v;
}

}  // namespace

std::int64_t TensorView::numel() const {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
}

std::string TensorView::shape_string() const {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::map<std::string, TensorView> parse_safetensors(std::span<const std::uint8_t> file,
                                                    const std::string& path,
                                                    std::map<std::string, std::string>* metadata) {
    if (file.size() < 8)
        throw FileError(path, "too short to be a safetensors file (" + std::to_string(file.size()) +
                                  " bytes)");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | file[i];
    if (n > file.size() - 8)
        throw FileError(path, "header length " + std::to_string(n) + " is larger than the file (" +
                                  std::to_string(file.size()) + " bytes)");
    if (n > kMaxHeaderBytes) throw FileError(path, "header length " + std::to_string(n) + " is implausibly large");
    std::string_view text(reinterpret_cast<const char*>(file.data() + 8), n);
    const json header = parse_header_json(text, path);
    auto data = file.subspan(8 + n);

    std::map<std::string, TensorView> tensors;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (!entry.is_object()) throw FileError(path, "__metadata__ is not an object");
            if (metadata)
                for (const auto& [k, val] : entry.items())
                    (*metadata)[k] = val.is_string() ? val.get<std::string>() : val.dump();
            continue;
        }
        tensors.emplace(name, parse_entry(name, entry, data, path));
    }
    // Overlap check on sorted extents (zero-sized tensors cannot overlap anything).
    std::vector<const TensorView*> order;
    for (const auto& [_, v] : tensors)
        if (!v.bytes.empty()) order.push_back(&v);
    std::sort(order.begin(), order.end(),
              [](auto* a, auto* b) { return a->bytes.data() < b->bytes.data(); });
    for (std::size_t i = 1; i < order.size(); ++i) {
        const auto* prev = order[i - 1];
        if (prev->bytes.data() + prev->bytes.size() > order[i]->bytes.data())
            throw FileError(path, "tensors '" + prev->name + "' and '" + order[i]->name +
                                      "' overlap in the data buffer");
    }
    return tensors;
}

SafetensorsFile::SafetensorsFile(const std::string& path) : map_(path) {
    tensors_ = parse_safetensors(map_.bytes(), map_.path(), &metadata_);
}

const TensorView& SafetensorsFile::tensor(const std::string& name) const {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw FileError(path(), "has no tensor '" + name + "'");
    return it->second;
}

}  // namespace rs
