// `ropescope-cli show run.h5`: what a trace holds — model, variant, tokens — and per layer and
// head the real vs imaginary long-range mass M(D), mean attended distance, entropy and sink mass
// ("not stored" for traces written before the sink-aware statistics), then by query bucket.
#include <chrono>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/stats_tables.h"
#include "noise_summary.h"
#include "trace_reader.h"

namespace rs::cli {
namespace {

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

// Layers run without RoPE (SmolLM3): no imaginary part, so their imaginary heads are absent.
std::vector<int> nope_layers(const TraceMeta& m) {
    std::vector<int> out;
    for (int l = 0; l < m.layers; ++l)
        if (!m.layer_has_rope(l)) out.push_back(l);
    return out;
}

// One entry per sink count (null for an unobserved head); empty when the trace has none.
nlohmann::json sink_json(const RunStats& st, const HeadStats& s, bool seen) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < st.sink_counts.size(); ++i)
        out.push_back(seen ? number(s.buckets.at(0).sink_mass.at(i)) : nlohmann::json());
    return out;
}

// The stored noise sweeps grouped into experiments (one design over seeds, noise_summary.h).
nlohmann::json noise_experiments(TraceReader& r) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : summarize_noise(r.noise())) {
        std::vector<double> sigmas;
        for (const auto& p : s.points)
            if (std::find(sigmas.begin(), sigmas.end(), p.sigma) == sigmas.end()) sigmas.push_back(p.sigma);
        out.push_back({{"seeds", s.seeds}, {"sigmas", sigmas}, {"points", s.points.size()},
                       {"buckets", !s.first->position_edges.empty()}});
    }
    return out;
}

nlohmann::json show_json(TraceReader& r, double open_seconds) {
    const TraceMeta& m = r.meta();
    const RunStats& st = r.stats();
    nlohmann::json heads = nlohmann::json::array();
    for (int l = 0; l < m.layers; ++l)
        for (const auto& h : m.layout.heads) {
            const HeadStats& s = st.at(l, h.index);
            const bool seen = st.observed[std::size_t(l) * st.heads + h.index];
            // One entry per threshold even for an unobserved head (its stats hold no values),
            // so the table keeps its columns and JSON readers can index by threshold.
            nlohmann::json lrm = nlohmann::json::array();
            for (std::size_t i = 0; i < st.thresholds.size(); ++i)
                lrm.push_back(seen && i < s.long_range_mass.size() ? number(s.long_range_mass[i])
                                                                   : nlohmann::json());
            heads.push_back({{"layer", l},
                             {"head", h.index},
                             {"label", m.layout.label(h.index)},
                             {"part", h.imag ? "imag" : "real"},
                             {"virtual", h.is_virtual},
                             {"query_head", h.query_head},
                             {"kv_head", h.kv_head},
                             {"twin", h.twin},
                             {"observed", seen},
                             {"long_range_mass", lrm},
                             {"mean_distance", seen ? number(s.mean_distance) : nlohmann::json()},
                             {"entropy", seen ? number(s.entropy) : nlohmann::json()},
                             {"sink_mass", sink_json(st, s, seen)},
                             {"mean_distance_ex", seen && st.has_buckets()
                                                      ? number(s.buckets.at(0).mean_distance_ex)
                                                      : nlohmann::json()}});
        }
    return {{"path", r.path()},
            {"schema_version", m.schema_version},
            {"created_by", m.created_by},
            {"created_at", m.created_at},
            {"checkpoint", m.checkpoint_path},
            {"variant", variant_key(m.layout.variant)},
            {"variant_name", variant_name(m.layout.variant)},
            {"tokens", m.tokens},
            {"layers", m.layers},
            {"head_dim", m.layout.head_dim},
            {"query_heads", m.layout.query_heads},
            {"kv_heads", m.layout.kv_heads},
            {"analysis_heads", m.layout.analysis_heads()},
            {"rope_theta", m.rope_theta},
            {"rotary_dim", m.rope.rotary_dim},
            {"rope_sources", m.rope_sources},
            {"nope_layers", nope_layers(m)},
            {"ignored_config_keys", m.ignored_config_keys},
            {"rope_override", m.rope_override.label()},
            {"qk_dtype", qk_precision_name(m.qk_precision)},
            {"overview_cells", m.overview_cells},
            {"has_text", !m.input.text.empty()},
            {"mean_nll", r.mean_nll()},
            {"noise_sweeps", r.noise().size()},
            {"noise_experiments", noise_experiments(r)},
            {"thresholds", st.thresholds},
            {"sink_stats_stored", st.has_buckets()},
            {"sink_counts", st.sink_counts},
            {"sink_exclude", st.sink_exclude},
            {"train_length", st.train_length},
            {"train_length_source", st.train_length_source},
            {"train_length_line", train_length_line(st)},
            {"open_seconds", open_seconds},
            {"heads", heads}};
}

void print_table(const nlohmann::json& j) {
    std::printf("trace       %s (schema %d, %s, %s)\n", j["path"].get<std::string>().c_str(),
                int(j["schema_version"]), j["created_by"].get<std::string>().c_str(),
                j["created_at"].get<std::string>().c_str());
    std::printf("checkpoint  %s\n", j["checkpoint"].get<std::string>().c_str());
    std::printf("variant     %s   layers %d   heads %d query / %d KV / %d analysed   head_dim %d\n",
                j["variant_name"].get<std::string>().c_str(), int(j["layers"]),
                int(j["query_heads"]), int(j["kv_heads"]), int(j["analysis_heads"]),
                int(j["head_dim"]));
    std::printf("rope        theta %g, rotary dim %d    Q/K stored as %s\n",
                double(j["rope_theta"]), int(j["rotary_dim"]),
                j["qk_dtype"].get<std::string>().c_str());
    // Where the run's RoPE settings came from, one line each (traces before provenance: none).
    for (const auto& line : j["rope_sources"]) std::printf("  %s\n", line.get<std::string>().c_str());
    if (!j["nope_layers"].empty())
        std::printf("NoPE layers %s (no RoPE, so no imaginary heads)\n", j["nope_layers"].dump().c_str());
    std::printf("tokens      %d%s   mean NLL %.4f   noise sweeps %d\n", int(j["tokens"]),
                j["has_text"].get<bool>() ? " (with text)" : "", double(j["mean_nll"]),
                int(j["noise_sweeps"]));
    std::printf("queries     %s\n\n", j["train_length_line"].get<std::string>().c_str());
    for (const auto& e : j["noise_experiments"])
        std::printf("noise       %zu seeds, sigma %s, %d points%s (export --what noise)\n",
                    e["seeds"].size(), e["sigmas"].dump().c_str(), int(e["points"]),
                    e["buckets"].get<bool>() ? ", ΔNLL by position and distance" : "");
    std::printf("layer  head  %-18s", "label");
    for (const auto& D : j["thresholds"])
        std::printf("  M(%d)%*s", int(D), int(6 - std::to_string(int(D)).size()), "");
    std::printf("  mean_dist   entropy");
    const bool sinks = j["sink_stats_stored"];
    if (sinks) {
        for (const auto& k : j["sink_counts"]) std::printf("  %9s", ("sink(" + std::to_string(int(k)) + ")").c_str());
        std::printf("  %9s", ("dist_ex" + std::to_string(int(j["sink_exclude"]))).c_str());
    } else {
        std::printf("  sink mass");
    }
    std::printf("\n");
    auto cell = [](const nlohmann::json& v, const char* fmt) {
        if (v.is_null())
            std::printf("  %9s", "-");
        else
            std::printf(fmt, double(v));
    };
    for (const auto& h : j["heads"]) {
        std::printf("%5d  %4d  %-18s", int(h["layer"]), int(h["head"]),
                    h["label"].get<std::string>().c_str());
        for (const auto& v : h["long_range_mass"]) cell(v, "  %9.4f");
        cell(h["mean_distance"], "  %9.2f");
        cell(h["entropy"], "  %9.4f");
        for (const auto& v : h["sink_mass"]) cell(v, "  %9.4f");
        if (sinks)
            cell(h["mean_distance_ex"], "  %9.2f");
        else
            std::printf("  not stored");
        std::printf("\n");
    }
}

int run(const Args& args) {
    const auto t0 = std::chrono::steady_clock::now();
    TraceReader r = TraceReader::open(args.positional(0, "trace file"));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto j = show_json(r, secs);
    if (args.flag("json"))
        std::cout << j.dump() << "\n";
    else {
        print_table(j);
        if (r.stats().has_buckets()) print_bucket_summary(r.stats(), r.meta().layout);
    }
    print_warnings("show", r.warnings());
    return 0;
}

const Command::Register reg{Command{
    "show",
    "run.h5",
    "Summarise a trace: model, variant, tokens, and per head real/imaginary M(D), mean distance, "
    "entropy and sink mass, then by query position.",
    {},
    run}};

}  // namespace
}  // namespace rs::cli
