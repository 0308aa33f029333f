// Shared option parsing for checkpoint-reading commands.
#include "app/cli/checkpoint_args.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "core/error.h"

namespace rs::cli {

std::shared_ptr<const Checkpoint> open_checkpoint(const Args& args) {
    CheckpointOptions opt;
    if (auto v = args.get("variant")) {
        opt.variant = parse_variant(*v);
        if (!opt.variant) throw UsageError("--variant must be rope, eh or ec, got '" + *v + "'");
    }
    return std::make_shared<const Checkpoint>(Checkpoint::open(args.positional(0, "checkpoint folder"), opt));
}

std::vector<std::int32_t> parse_ids(const std::string& text) {
    std::vector<std::int32_t> ids;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto comma = text.find(',', pos);
        const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end || errno || v < 0 || v > INT32_MAX)
            throw UsageError("--ids expects comma-separated non-negative integers, got '" + item + "'");
        ids.push_back(static_cast<std::int32_t>(v));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return ids;
}

}  // namespace rs::cli
