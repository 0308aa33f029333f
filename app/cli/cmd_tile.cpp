// `ropescope-cli tile run.h5 --layer L --head H --rows a:b --cols c:d`: an exact sub-map of any
// head's attention, recomputed from the trace's stored queries, keys and row log-sum-exps.
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "error.h"
#include "trace_reader.h"

namespace rs::cli {
namespace {

int parse_int(const std::string& s, const std::string& what) {
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || errno || v < INT_MIN || v > INT_MAX)
        throw UsageError(what + " expects an integer, got '" + s + "'");
    return int(v);
}

// "a:b" -> [a, b)
std::pair<int, int> parse_range(const Args& args, const std::string& name) {
    const auto v = args.get(name);
    if (!v) throw UsageError("give --" + name + " a:b");
    const auto colon = v->find(':');
    if (colon == std::string::npos)
        throw UsageError("--" + name + " expects a:b, got '" + *v + "'");
    return {parse_int(v->substr(0, colon), "--" + name),
            parse_int(v->substr(colon + 1), "--" + name)};
}

void write_csv(std::ostream& o, const Tile& t) {
    o << "row";
    for (int j = 0; j < t.cols; ++j) o << ',' << t.col(j);
    o << '\n';
    char buf[32];
    for (int i = 0; i < t.rows; ++i) {
        o << t.row(i);
        for (int j = 0; j < t.cols; ++j) {
            std::snprintf(buf, sizeof buf, "%.9g", double(t.at(i, j)));  // round-trips a float
            o << ',' << buf;
        }
        o << '\n';
    }
}

// Seconds of the first (cold: reads and decodes the head's Q/K) call, then the fastest of
// `repeat` further (warm: cached) calls, or NaN without --repeat.
struct Timing {
    double cold = 0.0;
    double warm_min = std::nan("");
};

Timing time_tile(TraceReader& r, const TileRequest& req, long repeat, Tile& out) {
    using clock = std::chrono::steady_clock;
    Timing t;
    auto t0 = clock::now();
    out = r.tile(req);
    t.cold = std::chrono::duration<double>(clock::now() - t0).count();
    for (long i = 0; i < repeat; ++i) {
        t0 = clock::now();
        out = r.tile(req);
        const double s = std::chrono::duration<double>(clock::now() - t0).count();
        if (!(s >= t.warm_min)) t.warm_min = s;
    }
    return t;
}

nlohmann::json tile_json(const TraceReader& r, const Tile& t, const Timing& secs) {
    nlohmann::json rows = nlohmann::json::array(), cols = nlohmann::json::array(),
                   values = nlohmann::json::array();
    for (int i = 0; i < t.rows; ++i) rows.push_back(t.row(i));
    for (int j = 0; j < t.cols; ++j) cols.push_back(t.col(j));
    for (int i = 0; i < t.rows; ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (int j = 0; j < t.cols; ++j) {
            const float v = t.at(i, j);
            row.push_back(std::isfinite(v) ? nlohmann::json(v)
                                           : nlohmann::json());  // -inf (masked) -> null
        }
        values.push_back(std::move(row));
    }
    const auto& m = r.meta();
    return {{"layer", t.request.layer},
            {"head", t.request.head},
            {"label", m.layout.label(t.request.head)},
            {"stride", t.request.stride},
            {"pooling", t.request.pooling == TilePooling::Mean ? "mean" : "subsample"},
            {"values_kind", t.request.values == TileValues::Logit ? "logit" : "probability"},
            {"qk_dtype", qk_precision_name(m.qk_precision)},
            {"logit_error_bound", t.logit_error_bound},
            {"prob_rel_error_bound", t.prob_rel_error_bound},
            {"seconds", secs.cold},
            {"warm_seconds",
             std::isfinite(secs.warm_min) ? nlohmann::json(secs.warm_min) : nlohmann::json()},
            {"rows", rows},
            {"cols", cols},
            {"values", values}};
}

int run(const Args& args) {
    TraceReader r = TraceReader::open(args.positional(0, "trace file"));
    TileRequest req;
    req.layer = parse_int(args.get_or("layer", ""), "--layer");
    req.head = parse_int(args.get_or("head", ""), "--head");
    std::tie(req.row_begin, req.row_end) = parse_range(args, "rows");
    std::tie(req.col_begin, req.col_end) = parse_range(args, "cols");
    req.stride = parse_int(args.get_or("stride", "1"), "--stride");
    req.values = args.flag("logits") ? TileValues::Logit : TileValues::Probability;
    req.pooling = args.flag("pool") ? TilePooling::Mean : TilePooling::Subsample;
    const long repeat = args.get_int("repeat", 0);
    if (repeat < 0 || repeat > 100000) throw UsageError("--repeat must be between 0 and 100000");
    Tile t;
    const Timing secs = time_tile(r, req, repeat, t);
    const std::string out = optional_output_path(args);
    if (!out.empty()) write_output_file(out, [&](std::ostream& f) { write_csv(f, t); });
    if (args.flag("json")) {
        std::cout << tile_json(r, t, secs).dump() << "\n";
    } else if (out.empty()) {
        write_csv(std::cout, t);
    } else {
        std::printf("wrote %s: %d x %d %s of %s, layer %d (%.2f ms; relative error <= %.2g)\n",
                    out.c_str(), t.rows, t.cols,
                    req.values == TileValues::Logit ? "logits" : "probabilities",
                    r.meta().layout.label(req.head).c_str(), req.layer, secs.cold * 1e3,
                    t.prob_rel_error_bound);
        if (repeat > 0)
            std::printf("warm (cached Q/K): %.2f ms, fastest of %ld\n", secs.warm_min * 1e3,
                        repeat);
    }
    print_warnings("tile", r.warnings());
    return 0;
}

const Command::Register reg{Command{
    "tile",
    "run.h5 -o tile.csv",
    "Recompute an exact tile of one head's attention map (probabilities or logits) from a trace; "
    "--stride subsamples, --pool averages stride x stride cells.",
    {{"layer", "L", "the layer", "layer", true},
     {"head", "H", "the head (analysis index)", "head", true},
     {"rows", "a:b", "query positions", "rows", true},
     {"cols", "c:d", "key positions", "cols", true},
     {"stride", "s", "every s-th row and column"},
     {"pool", "", "average stride x stride cells instead of subsampling"},
     {"logits", "", "logits instead of probabilities"},
     {"out", "tile.csv", "the output file (or -o tile.csv)"},
     {"repeat", "N", "recompute N times and report the time (benchmark)"}},
    run}};

}  // namespace
}  // namespace rs::cli
