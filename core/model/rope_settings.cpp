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
Fields transformers5_fields(const json& j, const std::string& path,
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
    if (used.size() != 1)
        throw FileError(path, "rope_parameters has one entry per layer type, and the layers use " +
                                  std::to_string(used.size()) +
                                  " types; RoPEScope applies one RoPE to every layer");
    const std::string& type = *used.begin();
    if (!rp.contains(type) || !rp[type].is_object())
        throw FileError(path, "rope_parameters has no \"" + type +
                                  "\" entry, the attention type of every layer");
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
    void refuse_unread(const std::string& type) {
        for (const auto& [name, field] : f_) {
            if (used_.count(name)) continue;
            if (listed(ignore_, field.key)) {
                ignored_.push_back(field.key);
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

}  // namespace

std::string source_line(const ConfigSource& s) {
    if (s.defaulted) return s.parameter + " absent -> " + s.value + " (" + s.origin + ")";
    return s.parameter + " = " + s.value + " (" + s.origin + ")";
}

RopeSettings read_rope_settings(const json& j, const std::string& path,
                                const std::vector<std::string>& layer_types,
                                const std::vector<std::string>& ignore,
                                std::vector<std::string>& ignored) {
    const Fields v4 = transformers4_fields(j, path);
    const Fields v5 = transformers5_fields(j, path, layer_types);
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
        s.scaling = RopeScaling{"linear", *in.number("factor", true, type), {}};
    } else if (type == "llama3") {
        RopeScaling r{"llama3", *in.number("factor", true, type), {}};
        r.llama3.factor = r.factor;
        // transformers requires all four; a default here would be a silent guess.
        r.llama3.low_freq_factor = *in.number("low_freq_factor", true, type);
        r.llama3.high_freq_factor = *in.number("high_freq_factor", true, type);
        r.llama3.original_max_position_embeddings =
            *in.number("original_max_position_embeddings", true, type);
        if (r.llama3.high_freq_factor <= r.llama3.low_freq_factor)
            in.fail("llama3 high_freq_factor must exceed low_freq_factor");
        s.scaling = r;
    } else if (type != "default") {
        in.fail(in.type_key() + " = \"" + type +
                "\" is not supported yet: RoPEScope computes rope_type default, linear and llama3 "
                "exactly");
    }
    in.refuse_unread(type);
    s.sources = std::move(in.sources());
    return s;
}

}  // namespace rs
