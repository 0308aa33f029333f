// Reading RoPE settings from either generation of transformers configs. Both generations are put
// into one table of fields (each with the key it came from); where both wrote a field they must
// agree, because transformers 4 reads only the top-level keys and transformers 5 prefers
// rope_scaling over rope_parameters — a disagreement means the two libraries run different models.
#include "rope_settings.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "error.h"

namespace rs {

namespace {

using json = nlohmann::json;

struct Field {
    json value;
    std::string key;  // full key path in config.json
};
using Fields = std::map<std::string, Field>;

// The field name of the top-level original_max_position_embeddings (a rope_scaling field of the
// same name is a different field: transformers 4 reads them in different places).
constexpr const char* kTopLevelOriginal = "top-level original_max_position_embeddings";

bool listed(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Copies one dict of RoPE fields (rope_scaling, or a rope_parameters dict) into `out`; the legacy
// name "type" is the field rope_type.
void collect(const json& dict, const std::string& prefix, Fields& out, const std::string& path) {
    for (const auto& [k, v] : dict.items()) {
        if (v.is_null()) continue;
        const std::string name = k == "type" ? "rope_type" : k;
        const std::string key = prefix + k;
        if (auto it = out.find(name); it != out.end() && it->second.value != v)
            throw FileError(path, it->second.key + " = " + it->second.value.dump() + " but " + key +
                                      " = " + v.dump() +
                                      "; RoPEScope will not guess which applies");
        out[name] = {v, key};
    }
}

Fields transformers4_fields(const json& j, const std::string& path) {
    Fields f;
    for (const char* key : {"rope_theta", "partial_rotary_factor"})
        if (j.contains(key) && !j[key].is_null()) f[key] = {j[key], key};
    // Phi-3 writes longrope's original length at the top level; only longrope reads it there.
    if (j.contains("original_max_position_embeddings") && !j["original_max_position_embeddings"].is_null())
        f[kTopLevelOriginal] = {j["original_max_position_embeddings"], "original_max_position_embeddings"};
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null()) {
        if (!j["rope_scaling"].is_object())
            throw FileError(path, "\"rope_scaling\" must be an object or null");
        collect(j["rope_scaling"], "rope_scaling.", f, path);
    }
    return f;
}

bool is_layer_type_name(const std::string& k) {
    return k.size() > 10 && k.compare(k.size() - 10, 10, "_attention") == 0;
}

// rope_parameters is one dict for the model, or {"full_attention": {...}, ...} keyed by layer type.
Fields transformers5_fields(const json& j, const std::string& path, const std::string& family,
                            const std::vector<std::string>& layer_types) {
    Fields f;
    if (!j.contains("rope_parameters") || j["rope_parameters"].is_null()) return f;
    const json& rp = j["rope_parameters"];
    if (!rp.is_object()) throw FileError(path, "\"rope_parameters\" must be an object or null");
    const bool per_layer_type =
        !rp.empty() && std::all_of(rp.items().begin(), rp.items().end(),
                                   [](const auto& kv) { return is_layer_type_name(kv.key()); });
    if (!per_layer_type) {
        collect(rp, "rope_parameters.", f, path);
        return f;
    }
    const std::set<std::string> used(layer_types.begin(), layer_types.end());
    for (const auto& t : used)
        if (!rp.contains(t) || !rp[t].is_object())
            throw FileError(path, "rope_parameters has no \"" + t + "\" entry, an attention type the layers use");
    // Gemma 3: full_attention's entry is the global RoPE; sliding_attention's is the local one
    // (gemma3_local_theta).
    if (family == "gemma3_text") {
        if (!rp.contains("full_attention") || !rp["full_attention"].is_object())
            throw FileError(path, "rope_parameters has no \"full_attention\" entry, Gemma 3's global RoPE");
        collect(rp["full_attention"], "rope_parameters.full_attention.", f, path);
        return f;
    }
    // Windowed and full layers may share one RoPE (Qwen2, Mistral); two different ones are Gemma's.
    const std::string& type = *used.begin();
    for (const auto& t : used)
        if (rp[t] != rp[type])
            throw FileError(path, "rope_parameters gives \"" + type + "\" and \"" + t +
                                      "\" layers different RoPE; RoPEScope applies one RoPE to every layer");
    collect(rp[type], "rope_parameters." + type + ".", f, path);
    return f;
}

Fields merge(const Fields& v4, const Fields& v5, const std::string& path) {
    Fields all = v4;
    for (const auto& [name, field] : v5) {
        auto it = all.find(name);
        if (it == all.end()) {
            all[name] = field;
            continue;
        }
        // Compare as numbers where both are numbers: 10000 and 10000.0 are one value.
        const bool same = (it->second.value.is_number() && field.value.is_number())
                              ? it->second.value.get<double>() == field.value.get<double>()
                              : it->second.value == field.value;
        if (!same)
            throw FileError(
                path, it->second.key + " = " + it->second.value.dump() + " but " + field.key +
                          " = " + field.value.dump() +
                          " (transformers 4 reads the first, transformers 5 the second); RoPEScope "
                          "will not guess which applies");
        it->second.key += " and " + field.key + " (agree)";
    }
    return all;
}

class Interpreter {
  public:
    Interpreter(Fields fields, std::string path, const std::vector<std::string>& ignore,
                std::vector<std::string>& ignored)
        : f_(std::move(fields)), path_(std::move(path)), ignore_(ignore), ignored_(ignored) {}

    [[noreturn]] void fail(const std::string& why) const { throw FileError(path_, why); }

    // A required or optional positive number; records where it came from.
    std::optional<double> number(const std::string& name, bool required, const std::string& type) {
        auto it = f_.find(name);
        if (it == f_.end()) {
            if (required)
                fail("rope_type \"" + type + "\" needs \"" + name +
                     "\", which the config does not give");
            return std::nullopt;
        }
        const auto& v = it->second.value;
        if (!v.is_number() || !std::isfinite(v.get<double>()) || !(v.get<double>() > 0))
            fail(it->second.key + " = " + v.dump() + " must be a positive number");
        used_.insert(name);
        sources_.push_back({name, v.dump(), it->second.key});
        return v.get<double>();
    }

    bool has(const std::string& name) const { return f_.count(name) > 0; }
    const std::string& key_of(const std::string& name) const { return f_.at(name).key; }
    std::string text_of(const std::string& name) const { return f_.at(name).value.dump(); }

    std::optional<bool> boolean(const std::string& name) {
        auto it = f_.find(name);
        if (it == f_.end()) return std::nullopt;
        if (!it->second.value.is_boolean())
            fail(it->second.key + " = " + it->second.value.dump() + " must be true or false");
        used_.insert(name);
        sources_.push_back({name, it->second.value.dump(), it->second.key});
        return it->second.value.get<bool>();
    }

    // A list of `size` positive numbers (longrope's factor lists).
    std::vector<double> number_list(const std::string& name, std::size_t size, const std::string& type) {
        auto it = f_.find(name);
        if (it == f_.end())
            fail("rope_type \"" + type + "\" needs \"" + name + "\", which the config does not give");
        const auto& v = it->second.value;
        if (!v.is_array() || v.size() != size)
            fail(it->second.key + " must be a list of rotary_dim/2 = " + std::to_string(size) +
                 " numbers, got " + (v.is_array() ? std::to_string(v.size()) + " entries" : v.dump()));
        std::vector<double> out;
        for (const auto& x : v) {
            if (!x.is_number() || !std::isfinite(x.get<double>()) || !(x.get<double>() > 0))
                fail(it->second.key + " has " + x.dump() + "; every entry must be a positive number");
            out.push_back(x.get<double>());
        }
        used_.insert(name);
        sources_.push_back({name, v.dump(), it->second.key});
        return out;
    }

    // A line on how a value is applied (not a key of the config).
    void note(const std::string& name, const std::string& value, const std::string& why) {
        sources_.push_back({name, value, why});
    }

    void defaulted(const std::string& name, const std::string& value, const std::string& why) {
        sources_.push_back({name, value, why, true});
    }

    std::string rope_type() {
        auto it = f_.find("rope_type");
        if (it == f_.end()) {
            if (f_.count("factor"))
                fail(f_.at("factor").key +
                     " is given without a rope_type; RoPEScope will not guess the scaling");
            return "default";
        }
        if (!it->second.value.is_string())
            fail(it->second.key + " = " + it->second.value.dump() + " must be a string");
        used_.insert("rope_type");
        sources_.push_back({"rope_type", it->second.value.dump(), it->second.key});
        type_key_ = it->second.key;
        return it->second.value.get<std::string>();
    }

    // Every field the chosen rope_type does not read is refused by name (or ignored on request).
    // `phi3`: the config is a Phi-3's, whose top-level original length is a model attribute.
    void refuse_unread(const std::string& type, bool phi3) {
        for (const auto& [name, field] : f_) {
            if (used_.count(name)) continue;
            if (listed(ignore_, field.key)) {
                ignored_.push_back(field.key);
                continue;
            }
            // Phi-3 keeps the pre-extension length as a model attribute whatever its scaling; a
            // rope_type that does not read it computes the same model with or without it.
            if (name == kTopLevelOriginal && phi3) {
                sources_.push_back({"original_max_position_embeddings", field.value.dump(),
                                    field.key + ", not used: rope_type \"" + type + "\" does not read it"});
                continue;
            }
            fail(field.key + " = " + field.value.dump() + " is not read for rope_type \"" + type +
                 "\", and RoPEScope applies every RoPE setting exactly or not at all (pass "
                 "--ignore-config-key " +
                 field.key + " to run without it)");
        }
    }

    std::vector<ConfigSource>& sources() { return sources_; }
    const std::string& type_key() const { return type_key_; }

  private:
    Fields f_;
    std::string path_;
    const std::vector<std::string>& ignore_;
    std::vector<std::string>& ignored_;
    std::set<std::string> used_;
    std::vector<ConfigSource> sources_;
    std::string type_key_;
};

std::string number_text(double v) { return json(v).dump(); }

// transformers' get_mscale: the YaRN attention factor for a scale and an mscale weight.
double yarn_mscale(double scale, double weight) {
    return scale <= 1 ? 1.0 : 0.1 * weight * std::log(scale) + 1.0;
}

// The attention factor: explicit, else the mscale / mscale_all_dim ratio when both are given,
// else 0.1 ln(factor) + 1. An mscale that would not change it is refused, not dropped.
double yarn_attention_factor(Interpreter& in, double factor) {
    const bool has_m = in.has("mscale"), has_all = in.has("mscale_all_dim");
    if (auto a = in.number("attention_factor", false, "yarn")) {
        if (has_m || has_all)
            in.fail(in.key_of(has_m ? "mscale" : "mscale_all_dim") +
                    " is given with an explicit attention_factor, which transformers uses instead; "
                    "RoPEScope will not carry a setting that changes nothing");
        return *a;
    }
    if (has_m != has_all)
        in.fail(in.key_of(has_m ? "mscale" : "mscale_all_dim") + " is given without " +
                (has_m ? "mscale_all_dim" : "mscale") +
                "; transformers then ignores it (attention factor 0.1 ln(factor) + 1), and RoPEScope "
                "will not carry a setting that changes nothing");
    if (has_m) {
        const double m = *in.number("mscale", false, "yarn");
        const double all = *in.number("mscale_all_dim", false, "yarn");
        const double a = yarn_mscale(factor, m) / yarn_mscale(factor, all);
        in.defaulted("attention_factor", number_text(a),
                     "absent -> (0.1 mscale ln(factor) + 1) / (0.1 mscale_all_dim ln(factor) + 1)");
        return a;
    }
    const double a = yarn_mscale(factor, 1.0);
    in.defaulted("attention_factor", number_text(a), "absent -> 0.1 ln(factor) + 1");
    return a;
}

// HF rope_type "yarn" with the semantics of transformers' current main. Where earlier
// transformers releases compute the same fields differently, the config is refused unless the
// results agree (docs/config-keys.md, "yarn").
RopeScaling read_yarn(Interpreter& in, const json& j, int head_dim, double theta,
                      double partial_rotary_factor) {
    RopeScaling r;
    r.type = "yarn";
    r.factor = *in.number("factor", true, "yarn");
    if (r.factor < 1) in.fail("yarn factor must be at least 1, got " + number_text(r.factor));
    HfYarn& y = r.yarn;
    y.factor = r.factor;
    const bool has_max = j.contains("max_position_embeddings") && j["max_position_embeddings"].is_number();
    const double max_pos = has_max ? j["max_position_embeddings"].get<double>() : 0.0;
    const std::string max_text = has_max ? j["max_position_embeddings"].dump() : "absent";
    if (auto orig = in.number("original_max_position_embeddings", false, "yarn")) {
        y.original_max_position_embeddings = *orig;
        // transformers 4.x releases that read this key for yarn replace factor by
        // max_position_embeddings / original_max_position_embeddings; current main keeps factor.
        if (!has_max || max_pos / *orig != r.factor)
            in.fail(in.key_of("original_max_position_embeddings") + " = " +
                    in.text_of("original_max_position_embeddings") + " with factor " + in.text_of("factor") + " and max_position_embeddings " + max_text +
                    ": transformers 4.x releases replace factor by max_position_embeddings / "
                    "original_max_position_embeddings, current transformers keeps factor; the two "
                    "differ, and RoPEScope will not guess which applies");
    } else {
        if (!has_max)
            in.fail("rope_type \"yarn\" without original_max_position_embeddings uses "
                    "max_position_embeddings, which the config does not give");
        y.original_max_position_embeddings = max_pos;
        in.defaulted("original_max_position_embeddings", max_text,
                     "absent -> max_position_embeddings");
    }
    y.attention_factor = yarn_attention_factor(in, r.factor);
    if (auto b = in.number("beta_fast", false, "yarn")) y.beta_fast = *b;
    else in.defaulted("beta_fast", "32", "absent -> the transformers default");
    if (auto b = in.number("beta_slow", false, "yarn")) y.beta_slow = *b;
    else in.defaulted("beta_slow", "1", "absent -> the transformers default");
    if (auto t = in.boolean("truncate")) y.truncate = *t;
    else in.defaulted("truncate", "true", "absent -> the transformers default");
    if (!y.truncate) {
        // Releases before `truncate` always floor/ceil the correction dims.
        HfYarn rounded = y;
        rounded.truncate = true;
        const int rotary = static_cast<int>(head_dim * partial_rotary_factor);
        if (hf_yarn_correction_range(y, rotary, theta) != hf_yarn_correction_range(rounded, rotary, theta))
            in.fail(in.key_of("truncate") +
                    " = false: transformers releases before this key round the correction range, "
                    "current transformers does not, and here the two differ; RoPEScope will not "
                    "guess which applies");
    }
    return r;
}

int rotary_half(int head_dim, double partial_rotary_factor) {
    return static_cast<int>(head_dim * partial_rotary_factor) / 2;
}

// HF rope_type "longrope" (Phi-3). Transformers 4 takes the original length from the top-level
// key (Phi-3's layout) and then replaces factor by max_position_embeddings / original; where a
// config could be read another way by another release, it is refused.
RopeScaling read_longrope(Interpreter& in, const json& j, int head_dim, double partial_rotary_factor) {
    RopeScaling r;
    r.type = "longrope";
    LongRope& l = r.longrope;
    const std::size_t half = std::size_t(rotary_half(head_dim, partial_rotary_factor));
    l.short_factor = in.number_list("short_factor", half, "longrope");
    l.long_factor = in.number_list("long_factor", half, "longrope");
    const bool has_max = j.contains("max_position_embeddings") && j["max_position_embeddings"].is_number();
    const double max_pos = has_max ? j["max_position_embeddings"].get<double>() : 0.0;
    const std::string max_text = has_max ? j["max_position_embeddings"].dump() : "absent";
    const auto top = in.number(kTopLevelOriginal, false, "longrope");
    const auto nested = in.number("original_max_position_embeddings", false, "longrope");
    if (nested && (top ? *nested != *top : *nested != max_pos))
        in.fail(in.key_of("original_max_position_embeddings") + " = " + in.text_of("original_max_position_embeddings") +
                (top ? " but the top-level original_max_position_embeddings = " + in.text_of(kTopLevelOriginal)
                     : " without a top-level original_max_position_embeddings: transformers 4 then uses "
                       "max_position_embeddings = " + max_text) +
                "; RoPEScope will not guess which applies");
    if (!has_max) in.fail("rope_type \"longrope\" needs max_position_embeddings, which the config does not give");
    const auto given = in.number("factor", false, "longrope");
    if (top) {
        l.original_max_position_embeddings = *top;
        r.factor = max_pos / *top;
        if (given && *given != r.factor)
            in.fail(in.key_of("factor") + " = " + in.text_of("factor") +
                    ", but transformers 4 replaces it by max_position_embeddings / "
                    "original_max_position_embeddings = " + number_text(r.factor) +
                    "; RoPEScope will not guess which applies");
        if (!given) in.defaulted("factor", number_text(r.factor), "absent -> max_position_embeddings / original_max_position_embeddings");
    } else {
        l.original_max_position_embeddings = max_pos;
        if (!nested) in.defaulted("original_max_position_embeddings", max_text, "absent -> max_position_embeddings");
        if (given) r.factor = *given;
    }
    if (auto a = in.number("attention_factor", false, "longrope")) {
        l.attention_factor = *a;
    } else {
        if (!top && !given)
            in.fail("rope_type \"longrope\" needs factor or attention_factor (or a top-level "
                    "original_max_position_embeddings), which the config does not give");
        l.attention_factor = r.factor <= 1 ? 1.0
                                           : std::sqrt(1 + std::log(r.factor) /
                                                               std::log(l.original_max_position_embeddings));
        in.defaulted("attention_factor", number_text(l.attention_factor),
                     "absent -> sqrt(1 + ln(factor) / ln(original_max_position_embeddings))");
    }
    in.note("long_factor used", "in runs of more than " + number_text(l.original_max_position_embeddings) + " tokens",
            "transformers' longrope_frequency_update; shorter runs use short_factor");
    return r;
}

// HF rope_type "dynamic" (NTK): the base grows with a run longer than max_position_embeddings.
RopeScaling read_dynamic(Interpreter& in, const json& j) {
    RopeScaling r;
    r.type = "dynamic";
    r.factor = *in.number("factor", true, "dynamic");
    if (r.factor < 1) in.fail("dynamic factor must be at least 1, got " + number_text(r.factor));
    if (!j.contains("max_position_embeddings") || !j["max_position_embeddings"].is_number())
        in.fail("rope_type \"dynamic\" needs max_position_embeddings, which the config does not give");
    r.dynamic.factor = r.factor;
    r.dynamic.max_position_embeddings = j["max_position_embeddings"].get<double>();
    in.note("dynamic NTK base", "rope_theta * (factor T / " + j["max_position_embeddings"].dump() +
                                         " - (factor - 1))^(d/(d-2)) for a run of T > " +
                                         j["max_position_embeddings"].dump() + " tokens",
                 "transformers' dynamic_rope_update, one forward pass over the whole run");
    return r;
}

bool numbers_equal(const json& a, const json& b) {
    return a.is_number() && b.is_number() && a.get<double>() == b.get<double>();
}

// Gemma 3's local RoPE: transformers 4 reads rope_local_base_freq, transformers 5 the
// sliding_attention entry of a per-layer-type rope_parameters; both are an unscaled default RoPE.
double gemma3_local_theta(const json& j, const std::string& path, const std::vector<std::string>& ignore,
                          std::vector<ConfigSource>& sources) {
    const json top = (j.contains("rope_local_base_freq") && !listed(ignore, "rope_local_base_freq"))
                         ? j["rope_local_base_freq"] : json(nullptr);  // type-checked by the key policy
    json v5 = nullptr;
    std::string v5_key;
    if (j.contains("rope_parameters") && j["rope_parameters"].is_object() &&
        j["rope_parameters"].contains("sliding_attention") && j["rope_parameters"]["sliding_attention"].is_object()) {
        const json& e = j["rope_parameters"]["sliding_attention"];
        for (const auto& [k, v] : e.items()) {
            const std::string key = "rope_parameters.sliding_attention." + k;
            if (v.is_null()) continue;
            if ((k == "rope_type" || k == "type") && v != "default")
                throw FileError(path, key + " = " + v.dump() +
                                          ": transformers' Gemma 3 rotates its sliding layers with rope_type "
                                          "\"default\" only; RoPEScope will not guess what else was meant");
            if (k == "rope_theta") {
                if (!v.is_number() || !(v.get<double>() > 1) || !std::isfinite(v.get<double>()))
                    throw FileError(path, key + " = " + v.dump() + ": must be a number greater than 1");
                v5 = v;
                v5_key = key;
            } else if (k != "rope_type" && k != "type") {
                throw FileError(path, key + " = " + v.dump() +
                                          " is not read by the default RoPE of Gemma 3's sliding layers; "
                                          "RoPEScope will not guess what it was meant to change");
            }
        }
    }
    const std::string what = "default RoPE of the sliding_attention layers (unscaled)";
    if (!top.is_null() && !v5.is_null() && !numbers_equal(top, v5))
        throw FileError(path, "rope_local_base_freq = " + top.dump() + " but " + v5_key + " = " + v5.dump() +
                                  " (transformers 4 reads the first, transformers 5 the second); RoPEScope "
                                  "will not guess which applies");
    if (!top.is_null() && !v5.is_null()) {
        sources.push_back({"rope_local_base_freq", top.dump(), "rope_local_base_freq and " + v5_key + " (agree); " + what});
        return top.get<double>();
    }
    if (!top.is_null() || !v5.is_null()) {
        const json& v = top.is_null() ? v5 : top;
        sources.push_back({"rope_local_base_freq", v.dump(), (top.is_null() ? v5_key : "rope_local_base_freq") + "; " + what});
        return v.get<double>();
    }
    sources.push_back({"rope_local_base_freq", "10000", "the Gemma3TextConfig default; " + what, true});
    return 10000.0;
}

}  // namespace

std::string source_line(const ConfigSource& s) {
    if (s.defaulted) return s.parameter + " absent -> " + s.value + " (" + s.origin + ")";
    return s.parameter + " = " + s.value + " (" + s.origin + ")";
}

RopeSettings read_rope_settings(const json& j, const std::string& path, const std::string& family,
                                const std::vector<std::string>& layer_types, int head_dim,
                                const std::vector<std::string>& ignore,
                                std::vector<std::string>& ignored) {
    const Fields v4 = transformers4_fields(j, path);
    const Fields v5 = transformers5_fields(j, path, family, layer_types);
    RopeSettings s;
    s.format = v4.empty() ? (v5.empty() ? "none" : "transformers 5 (rope_parameters)")
                          : (v5.empty() ? "transformers 4 (rope_theta / rope_scaling)"
                                        : "transformers 4 and 5 keys, agreeing");
    Interpreter in(merge(v4, v5, path), path, ignore, ignored);

    const std::string type = in.rope_type();
    if (auto theta = in.number("rope_theta", false, type)) {
        if (!(*theta > 1))
            in.fail("rope_theta must be greater than 1, got " + std::to_string(*theta));
        s.rope_theta = *theta;
    } else if (family == "gemma3_text") {  // Gemma3TextConfig's own default
        s.rope_theta = 1e6;
        in.sources().push_back({"rope_theta", "1000000", "the Gemma3TextConfig default", true});
    } else {
        in.sources().push_back({"rope_theta", "10000", "the transformers default", true});
    }
    if (auto p = in.number("partial_rotary_factor", false, type)) {
        if (*p > 1) in.fail("partial_rotary_factor must be in (0, 1], got " + std::to_string(*p));
        s.partial_rotary_factor = *p;
    } else {
        in.sources().push_back(
            {"partial_rotary_factor", "1", "every head dimension rotates", true});
    }

    if (type == "linear") {
        s.scaling.emplace();
        s.scaling->type = "linear";
        s.scaling->factor = *in.number("factor", true, type);
    } else if (type == "llama3") {
        RopeScaling r;
        r.type = "llama3";
        r.factor = *in.number("factor", true, type);
        r.llama3.factor = r.factor;
        // transformers requires all four; a default here would be a silent guess.
        r.llama3.low_freq_factor = *in.number("low_freq_factor", true, type);
        r.llama3.high_freq_factor = *in.number("high_freq_factor", true, type);
        r.llama3.original_max_position_embeddings =
            *in.number("original_max_position_embeddings", true, type);
        if (r.llama3.high_freq_factor <= r.llama3.low_freq_factor)
            in.fail("llama3 high_freq_factor must exceed low_freq_factor");
        s.scaling = r;
    } else if (type == "yarn") {
        s.scaling = read_yarn(in, j, head_dim, s.rope_theta, s.partial_rotary_factor);
    } else if (type == "longrope") {
        s.scaling = read_longrope(in, j, head_dim, s.partial_rotary_factor);
    } else if (type == "dynamic") {
        s.scaling = read_dynamic(in, j);
    } else if (type != "default") {
        in.fail(in.type_key() + " = \"" + type +
                "\" is not supported yet: RoPEScope computes rope_type default, linear, llama3, yarn, "
                "longrope and dynamic exactly");
    }
    in.refuse_unread(type, family == "phi3");
    s.sources = std::move(in.sources());
    if (family == "gemma3_text") s.local_theta = gemma3_local_theta(j, path, ignore, s.sources);
    return s;
}

}  // namespace rs
