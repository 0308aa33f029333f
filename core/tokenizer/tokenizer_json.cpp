// JsonView: checked member access that throws rs::Error with the component path.
#include "tokenizer_json.h"

#include "error.h"

namespace rs {

bool JsonView::has(const char* key) const {
    if (!node_->is_object()) return false;
    auto it = node_->find(key);
    return it != node_->end() && !it->is_null();
}

JsonView JsonView::at(const char* key) const {
    if (!node_->is_object()) fail("expected a JSON object");
    auto it = node_->find(key);
    if (it == node_->end()) fail(std::string("missing field '") + key + "'");
    return JsonView(*it, where_ + "." + key);
}

JsonView JsonView::at(std::size_t index) const {
    if (!node_->is_array()) fail("expected a JSON array");
    if (index >= node_->size()) fail("index " + std::to_string(index) + " out of range");
    return JsonView((*node_)[index], where_ + "[" + std::to_string(index) + "]");
}

std::optional<JsonView> JsonView::get(const char* key) const {
    if (!has(key)) return std::nullopt;
    return JsonView(node_->at(key), where_ + "." + key);
}

std::size_t JsonView::array_size() const {
    if (!node_->is_array()) fail("expected a JSON array");
    return node_->size();
}

std::string JsonView::as_string() const {
    if (!node_->is_string()) fail("expected a string");
    return node_->get<std::string>();
}

std::string JsonView::string(const char* key) const {
    return at(key).as_string();
}

std::optional<std::string> JsonView::opt_string(const char* key) const {
    auto v = get(key);
    if (!v) return std::nullopt;
    return v->as_string();
}

bool JsonView::boolean(const char* key, bool fallback) const {
    auto v = get(key);
    if (!v) return fallback;
    if (!v->raw().is_boolean()) v->fail("expected true or false");
    return v->raw().get<bool>();
}

std::int64_t JsonView::integer(const char* key) const {
    JsonView v = at(key);
    if (!v.raw().is_number_integer()) v.fail("expected an integer");
    return v.raw().get<std::int64_t>();
}

void JsonView::fail(const std::string& problem) const {
    throw Error(where_ + ": " + problem);
}

void JsonView::unsupported(const std::string& kind, const std::string& type,
                           const std::string& supported) const {
    fail(kind + " type '" + type + "' is not supported (RoPEScope supports: " + supported + ")");
}

}  // namespace rs
