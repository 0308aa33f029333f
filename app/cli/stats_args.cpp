// Parsing of the shared statistics options.
#include "app/cli/stats_args.h"

#include <cmath>

#include "error.h"
#include "train_length.h"

namespace rs::cli {

namespace {

// A comma-separated list of integers >= `min`, named by its option in every error.
std::vector<int> int_list(const Args& args, const std::string& name, int min) {
    std::vector<int> out;
    const auto text = args.get(name);
    if (!text) return out;
    for (double v : parse_number_list(*text, name, false)) {
        if (v != std::floor(v) || v < min || v > 2147483647.0)
            throw UsageError("--" + name + " expects integers >= " + std::to_string(min) +
                             ", got '" + *text + "'");
        out.push_back(int(v));
    }
    return out;
}

}  // namespace

const std::vector<Option>& stats_options() {
    static const std::vector<Option> o{
        {"thresholds", "16,64", "distances D of M(D) (default: half-octave grid 1,2,3,4,6,8,11,16,...)"},
        {"sink-counts", "1,4", "k of the sink mass, the mass on the first k keys (default 1,4)"},
        {"sink-exclude", "K", "keys [0, K) left out of the sink-excluded statistics (default 4)"},
        {"train-length", "L", "training length splitting inside/beyond (default max_position_embeddings)"},
        {"query-buckets", "64,128", "edges of the query-position buckets (default 64,128,256,...)"}};
    return o;
}

StatsArgs parse_stats_args(const Args& args) {
    StatsArgs a;
    a.options.thresholds = int_list(args, "thresholds", 0);  // 0 and D >= T are dropped
    if (args.get("sink-counts")) a.options.sink_counts = int_list(args, "sink-counts", 1);
    const auto exclude = int_list(args, "sink-exclude", 0);
    if (exclude.size() > 1) throw UsageError("--sink-exclude takes one number");
    if (!exclude.empty()) a.options.sink_exclude = exclude[0];
    const auto length = int_list(args, "train-length", 1);
    if (length.size() > 1) throw UsageError("--train-length takes one number");
    if (!length.empty()) a.train_length = length[0];
    a.options.bucket_edges = int_list(args, "query-buckets", 1);
    HeadStatsProbe check(true, a.options);  // refuses unsorted bucket edges now, not after the run
    return a;
}

HeadStatsOptions resolve(const StatsArgs& a, const ModelConfig& config) {
    HeadStatsOptions o = a.options;
    const TrainLength L = train_length_of(config, a.train_length);
    o.train_length = L.value;
    o.train_length_source = L.source;
    return o;
}

}  // namespace rs::cli
