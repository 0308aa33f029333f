// Shared option parsing for checkpoint-reading commands.
#include "app/cli/checkpoint_args.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "error.h"
#include "rope_override.h"

namespace rs::cli {

namespace {

std::vector<std::string> split_names(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        std::string item =
            text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (item.empty()) throw UsageError("--ignore-config-key expects comma-separated key names");
        out.push_back(std::move(item));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

RopeOverride parse_override_options(const Args& args) {
    RopeOverride o;
    if (auto v = args.get("rope-theta")) o.rope_theta = checked_override_value("rope_theta", *v);
    if (auto v = args.get("pi-factor")) o.pi_factor = checked_override_value("pi_factor", *v);
    if (auto v = args.get("yarn-factor")) o.yarn_factor = checked_override_value("yarn_factor", *v);
    return parse_rope_override(o.label());  // the one place combinations are checked
}

}  // namespace

CheckpointChoice parse_checkpoint(const Args& args) {
    CheckpointChoice c;
    if (auto v = args.get("variant")) {
        c.options.variant = parse_variant(*v);
        if (!c.options.variant)
            throw UsageError("--variant must be rope, eh or ec, got '" + *v + "'");
    }
    if (auto keys = args.get("ignore-config-key"))
        c.options.config.ignore_keys = split_names(*keys);
    c.options.config.rope_override = parse_override_options(args);
    c.dir = args.positional(0, "checkpoint folder");
    return c;
}

std::shared_ptr<const Checkpoint> open_checkpoint(const Args& args) {
    return open_checkpoint(parse_checkpoint(args));
}

std::shared_ptr<const Checkpoint> open_checkpoint(const CheckpointChoice& choice) {
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(choice.dir, choice.options));
    // Every run without a setting says so, however its output is read later.
    for (const auto& key : ck->config().ignored_keys)
        std::fprintf(
            stderr,
            "warning: %s: config key %s is NOT applied (--ignore-config-key); results differ "
            "from the model as configured\n",
            ck->config().path.c_str(), key.c_str());
    if (!ck->config().rope_override.empty())
        std::fprintf(stderr, "note: %s: RoPE override %s applied (the checkpoint's own values are in `info`)\n",
                     ck->config().path.c_str(), ck->config().rope_override.label().c_str());
    return ck;
}

std::vector<std::int32_t> parse_ids(const std::string& text) {
    std::vector<std::int32_t> ids;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        const std::string item =
            text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end || errno || v < 0 || v > INT32_MAX)
            throw UsageError("--ids expects comma-separated non-negative integers, got '" + item +
                             "'");
        ids.push_back(static_cast<std::int32_t>(v));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return ids;
}

}  // namespace rs::cli
