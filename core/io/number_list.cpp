// Parser of comma-separated number lists with k/M/G suffixes and bounds (grammar in the header).
#include "number_list.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "error.h"

namespace rs {

namespace {

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

double suffix_multiplier(char c) {
    switch (c) {
        case 'k': case 'K': return 1e3;
        case 'm': case 'M': return 1e6;
        case 'g': case 'G': return 1e9;
        default: return 1.0;
    }
}

// One item, or nothing when it is not a finite number in the grammar.
std::optional<double> parse_item(std::string_view item) {
    if (item.empty()) return std::nullopt;
    const double multiplier = suffix_multiplier(item.back());
    if (multiplier != 1.0) item.remove_suffix(1);
    if (item.size() > 1 && item.front() == '+' && item[1] != '-') item.remove_prefix(1);
    double v = 0.0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size()) return std::nullopt;
    v *= multiplier;
    if (!std::isfinite(v)) return std::nullopt;
    return v;
}

std::string bound_text(const NumberListBounds& b) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, b.min);
    return std::string(b.min_exclusive ? "> " : ">= ") + std::string(buf, r.ptr);
}

bool in_bounds(double v, const NumberListBounds& b) {
    return b.min_exclusive ? v > b.min : v >= b.min;
}

}  // namespace

std::vector<double> parse_number_list(std::string_view text, const std::string& name,
                                      const NumberListBounds& bounds) {
    if (trimmed(text).empty()) throw UsageError(name + " expects at least one number");
    std::vector<double> out;
    for (std::size_t pos = 0;;) {
        const std::size_t comma = text.find(',', pos);
        const std::string_view item = trimmed(text.substr(pos, comma - pos));
        const auto v = parse_item(item);
        if (!v)
            throw UsageError(name + " expects comma-separated numbers, got '" + std::string(item) +
                             "'");
        if (!in_bounds(*v, bounds))
            throw UsageError(name + " expects numbers " + bound_text(bounds) + ", got '" +
                             std::string(item) + "'");
        out.push_back(*v);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    if (out.size() > bounds.max_count)
        throw UsageError(name + " takes at most " + std::to_string(bounds.max_count) +
                         " numbers, got " + std::to_string(out.size()));
    return out;
}

}  // namespace rs
