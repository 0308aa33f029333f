// `ropescope-cli info DIR`: what a checkpoint is — variant, head layout, RoPE, size, KV cache.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "rope.h"

namespace rs::cli {
namespace {

std::string scaling_text(const ModelConfig& c) {
    std::string s;
    if (c.rope_config.scaling_factor) s += "theta x" + std::to_string(*c.rope_config.scaling_factor) + " ";
    if (c.rope_config.yarn) s += "upstream YaRN factor " + std::to_string(*c.rope_config.factor) + " ";
    else if (c.rope_config.factor) s += "linear PI factor " + std::to_string(*c.rope_config.factor) + " ";
    if (c.rope_scaling) s += "rope_scaling " + c.rope_scaling->type + " factor " + std::to_string(c.rope_scaling->factor);
    return s.empty() ? "none" : s;
}

nlohmann::json info_json(const Checkpoint& ck) {
    const auto& c = ck.config();
    const auto& l = ck.layout();
    const auto spec = make_rope_spectrum(c.rope_params());
    nlohmann::json heads = nlohmann::json::array();
    for (const auto& h : l.heads)
        heads.push_back({{"index", h.index}, {"part", h.imag ? "imag" : "real"}, {"virtual", h.is_virtual},
                         {"query_head", h.query_head}, {"kv_head", h.kv_head}, {"twin", h.twin},
                         {"label", l.label(h.index)}});
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& src : c.sources)
        sources.push_back({{"parameter", src.parameter}, {"value", src.value}, {"from", src.origin},
                           {"default", src.defaulted}});
    return {{"path", ck.dir()},
            {"family", c.family},
            {"model_type", c.model_type},
            {"rope_keys", c.rope_format},
            {"rope_sources", sources},
            {"ignored_config_keys", c.ignored_keys},
            {"variant", variant_key(l.variant)},
            {"variant_name", variant_name(l.variant)},
            {"variant_source", ck.variant_source()},
            {"layers", c.num_hidden_layers},
            {"hidden_size", c.hidden_size},
            {"intermediate_size", c.intermediate_size},
            {"vocab_size", c.vocab_size},
            {"head_dim", c.head_dim},
            {"query_heads", l.query_heads},
            {"kv_heads", l.kv_heads},
            {"attention_heads", l.model_heads},
            {"rope_theta", spec.inv_freq.empty() ? c.rope_theta : c.rope_params().theta},
            {"rotary_dim", spec.rotary_dim},
            {"rope_scaling", scaling_text(c)},
            {"parameters", ck.parameter_count()},
            {"weight_dtype", ck.weight_dtype()},
            {"kv_cache_bytes_per_token", kv_cache_bytes_per_token(c, l)},
            {"files", ck.files()},
            {"heads", heads}};
}

const char* c_str(const nlohmann::json& v) { return v.get_ref<const std::string&>().c_str(); }

int run(const Args& args) {
    const auto ck = open_checkpoint(args);
    const auto j = info_json(*ck);
    if (args.flag("json")) {
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("checkpoint      %s\n", ck->dir().c_str());
    std::printf("variant         %s (from %s)\n", j["variant_name"].get<std::string>().c_str(),
                ck->variant_source().c_str());
    std::printf("layers          %d   hidden %d   intermediate %d   vocab %d\n", int(j["layers"]),
                int(j["hidden_size"]), int(j["intermediate_size"]), int(j["vocab_size"]));
    std::printf("heads           %d query, %d KV, %d attention (head_dim %d)\n", int(j["query_heads"]),
                int(j["kv_heads"]), int(j["attention_heads"]), int(j["head_dim"]));
    std::printf("rope            theta %g, rotary dim %d, scaling: %s\n", double(j["rope_theta"]),
                int(j["rotary_dim"]), j["rope_scaling"].get<std::string>().c_str());
    std::printf("family          %s (model_type %s)\n", c_str(j["family"]),
                j["model_type"].get<std::string>().empty() ? "absent" : c_str(j["model_type"]));
    std::printf("rope keys       %s\n", c_str(j["rope_keys"]));
    for (const auto& line : provenance_lines(ck->config())) std::printf("  %s\n", line.c_str());
    std::printf("parameters      %ld (%s)\n", long(j["parameters"]), j["weight_dtype"].get<std::string>().c_str());
    std::printf("KV cache        %ld bytes per token (fp16)\n", long(j["kv_cache_bytes_per_token"]));
    std::printf("\nhead  part  query  kv  twin\n");
    for (const auto& h : j["heads"])
        std::printf("%4d  %-4s%s %5d  %2d  %4d\n", int(h["index"]), h["part"].get<std::string>().c_str(),
                    h["virtual"].get<bool>() ? "*" : " ", int(h["query_head"]), int(h["kv_head"]), int(h["twin"]));
    if (ck->variant() == Variant::Rope)
        std::printf("(* virtual imaginary head: the -pi/2 rotated query the model discards; analysis only)\n");
    return 0;
}

const Command::Register reg{Command{
    "info",
    "DIR",
    "Describe a checkpoint: family, variant, real/imaginary head layout, RoPE and the key each "
    "setting came from, size, KV cache.",
    checkpoint_options(),
    run}};

}  // namespace
}  // namespace rs::cli
