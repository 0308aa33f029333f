// Parsing and printing of RoPE overrides; applying them to a config is in model_config.cpp.
#include "rope_override.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "error.h"
#include "csv_writer.h"

namespace rs {

namespace {

constexpr const char* kKnownKeys = "rope_theta, pi_factor, yarn_factor, yarn_hf_factor, ntk_factor";

bool is_factor_key(std::string_view key) {
    return key == "pi_factor" || key == "yarn_factor" || key == "yarn_hf_factor" || key == "ntk_factor";
}

void check_combination(const RopeOverride& o) {
    const int scalings = int(bool(o.pi_factor)) + int(bool(o.yarn_factor)) + int(bool(o.yarn_hf_factor)) +
                         int(bool(o.ntk_factor));
    if (scalings > 1)
        throw UsageError("RoPE override: " + o.label() +
                         " sets more than one position scaling (pi_factor, yarn_factor, "
                         "yarn_hf_factor and ntk_factor are alternatives); choose one");
}

std::optional<double>& slot_of(RopeOverride& o, std::string_view key) {
    if (key == "rope_theta") return o.rope_theta;
    if (key == "pi_factor") return o.pi_factor;
    if (key == "yarn_factor") return o.yarn_factor;
    if (key == "yarn_hf_factor") return o.yarn_hf_factor;
    return o.ntk_factor;
}

}  // namespace

double checked_override_value(std::string_view key, std::string_view text) {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    const std::string what = "RoPE override " + std::string(key) + " = '" + std::string(text) + "'";
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
        throw UsageError(what + ": not a finite number");
    if (key == "rope_theta") {
        if (!(v > 1)) throw UsageError(what + ": the RoPE base must be greater than 1");
    } else if (is_factor_key(key)) {
        if (!(v >= 1)) throw UsageError(what + ": a scaling factor must be at least 1");
    } else {
        throw UsageError("RoPE override: unknown key '" + std::string(key) +
                         "' (known: " + kKnownKeys + ")");
    }
    return v;
}

RopeOverride parse_rope_override(std::string_view label) {
    RopeOverride o;
    if (label == "none") return o;
    if (label.empty()) throw UsageError("RoPE override: empty (write 'none' for no override)");
    std::size_t pos = 0;
    while (pos <= label.size()) {
        const auto comma = label.find(',', pos);
        const std::string_view item =
            label.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos)
            throw UsageError("RoPE override: '" + std::string(item) + "' is not key=value");
        const std::string_view key = item.substr(0, eq);
        const double v = checked_override_value(key, item.substr(eq + 1));
        std::optional<double>& slot = slot_of(o, key);
        if (slot) throw UsageError("RoPE override: " + std::string(key) + " given twice");
        slot = v;
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    check_combination(o);
    return o;
}

std::string RopeOverride::label() const {
    if (empty()) return "none";
    std::string out;
    const auto add = [&out](const char* key, const std::optional<double>& v) {
        if (!v) return;
        if (!out.empty()) out += ',';
        out += std::string(key) + "=" + csv_number(*v);
    };
    add("rope_theta", rope_theta);
    add("pi_factor", pi_factor);
    add("yarn_factor", yarn_factor);
    add("yarn_hf_factor", yarn_hf_factor);
    add("ntk_factor", ntk_factor);
    return out;
}

}  // namespace rs
