// Typed, path-aware access to tokenizer.json components: every error names the component and
// field (e.g. "pre_tokenizer.pretokenizers[1].pattern") so a bad file is easy to diagnose.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace rs {

class JsonView {
  public:
    JsonView(const nlohmann::json& node, std::string where)
        : node_(&node), where_(std::move(where)) {}

    const nlohmann::json& raw() const { return *node_; }
    const std::string& where() const { return where_; }
    bool is_null() const { return node_->is_null(); }
    bool has(const char* key) const;  // present and not null

    JsonView at(const char* key) const;                  // required member
    JsonView at(std::size_t index) const;                // required element
    std::optional<JsonView> get(const char* key) const;  // absent or null -> nullopt
    std::size_t array_size() const;                      // throws unless an array

    std::string as_string() const;
    std::string string(const char* key) const;
    std::optional<std::string> opt_string(const char* key) const;
    bool boolean(const char* key, bool fallback) const;
    std::int64_t integer(const char* key) const;
    // The component's "type" member (required).
    std::string type() const { return string("type"); }

    [[noreturn]] void fail(const std::string& problem) const;
    // "<where>: <kind> type 'X' is not supported (RoPEScope supports: ...)".
    [[noreturn]] void unsupported(const std::string& kind, const std::string& type,
                                  const std::string& supported) const;

  private:
    const nlohmann::json* node_;
    std::string where_;
};

}  // namespace rs
