// Per-layer sliding windows as each family's transformers configuration and modeling code set
// them: Mistral and Phi-3 window every layer by sliding_window; Qwen2/Qwen3 window the layers from
// max_window_layers on when use_sliding_window is true; SmolLM3 its NoPE layers; Gemma 2 every
// other layer, Gemma 3 all but every sliding_window_pattern-th; an explicit layer_types (transformers 4.53+/5) names each layer's type.
#include "attention_window.h"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "config_key_policy.h"

namespace rs {

namespace {

using json = nlohmann::json;

bool listed(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// A key as the model reads it: null when absent, null or ignored at the user's request.
json read(const json& j, const char* key, const std::vector<std::string>& ignored) {
    if (!j.contains(key) || listed(ignored, key)) return nullptr;
    return j[key];
}

std::string layer_list(const std::vector<int>& layers) {
    std::string s;
    for (int l : layers) s += (s.empty() ? "" : ", ") + std::to_string(l);
    return s;
}

// Layers whose layer_types entry is sliding_attention (entries already checked by the policy).
std::vector<int> sliding_in(const json& types) {
    std::vector<int> out;
    for (std::size_t l = 0; l < types.size(); ++l)
        if (types[l] == "sliding_attention") out.push_back(int(l));
    return out;
}

// Mistral, Phi-3: the model picks the sliding-window mask for every layer when sliding_window is
// set, and reads neither use_sliding_window nor layer_types; a use_sliding_window = false is
// refused (it cannot mean what the model does), a layer_types saying otherwise is noted.
std::vector<int> every_layer(const json& sw, const json& use, const json& types, const std::string& family,
                             int num_layers, std::vector<ConfigSource>& notes) {
    if (!sw.is_null() && use.is_boolean() && !use.get<bool>())
        throw std::invalid_argument("use_sliding_window = false, but transformers' " + family +
                                    " does not read it and windows every layer by sliding_window = " +
                                    sw.dump() + "; RoPEScope will not guess which was meant");
    const std::size_t sliding = types.is_array() ? sliding_in(types).size() : 0;
    if (types.is_array() && sliding != (sw.is_null() ? 0 : std::size_t(num_layers)))
        notes.push_back({"layer_types", "not read", "transformers' " + family + " windows " +
                                                        (sw.is_null() ? "no layer" : "every layer") +
                                                        " by sliding_window, whatever layer_types says"});
    if (sw.is_null()) return {};
    return std::vector<int>(std::size_t(num_layers), sw.get<int>());
}

// Qwen2, Qwen3, SmolLM3: the window is in use only with use_sliding_window true (default false).
std::vector<int> chosen_layers(const json& j, const json& sw, const json& use, const json& types,
                               const std::string& family, int num_layers, const std::vector<char>& rope_layers,
                               const std::vector<std::string>& ignored) {
    const bool in_use = use.is_boolean() && use.get<bool>() && !sw.is_null();
    std::vector<int> layers;
    if (types.is_array()) {
        layers = sliding_in(types);
        if (!layers.empty() && !in_use)
            throw std::invalid_argument(
                "layer_types asks for sliding_attention in layers " + layer_list(layers) +
                ", but no window is in use (use_sliding_window " + use.dump() + ", sliding_window " + sw.dump() +
                "); transformers refuses this too");
    } else if (in_use && family == "smollm3") {
        for (int l = 0; l < num_layers; ++l)
            if (!rope_layers.empty() && !rope_layers[std::size_t(l)]) layers.push_back(l);
    } else if (in_use) {
        const json mwl = read(j, "max_window_layers", ignored);
        const long first = mwl.is_number_integer() ? mwl.get<long>() : 28;  // the config class default
        for (long l = first; l < num_layers; ++l) layers.push_back(int(l));
    }
    std::vector<int> window(std::size_t(num_layers), 0);
    for (int l : layers) window[std::size_t(l)] = sw.get<int>();
    return window;
}

// Gemma 2/3: layer_types as written, else layer l is full iff (l + 1) % period == 0: every other
// layer slides from layer 0 in Gemma2Config (period 2), five of each six in Gemma3TextConfig
// (sliding_window_pattern, default 6). The window is sliding_window, 4096 (both config classes'
// default) when the key is absent. `sliding` gets the layers whose type is sliding_attention.
std::vector<int> patterned_layers(const json& j, const json& types, int num_layers, int period,
                                  const std::string& config_class,
                                  const std::vector<std::string>& ignored,
                                  std::vector<ConfigSource>& notes, std::vector<int>& layers) {
    if (types.is_array()) {
        layers = sliding_in(types);
    } else {
        for (int l = 0; l < num_layers; ++l)
            if ((l + 1) % period != 0) layers.push_back(l);
        if (period == 2)
            notes.push_back({"layer_types", "sliding_attention in even layers, full_attention in odd ones",
                             "the " + config_class + " default", true});
        else
            notes.push_back({"layer_types",
                             "full_attention in layers l with (l + 1) % " + std::to_string(period) +
                                 " == 0, sliding_attention in the others",
                             "the " + config_class + " default from sliding_window_pattern", true});
    }
    int w = 4096;
    if (listed(ignored, "sliding_window")) {
        w = 0;  // run without it: every layer full
    } else if (!j.contains("sliding_window")) {
        notes.push_back({"sliding_window", "4096", "the " + config_class + " default", true});
    } else if (j["sliding_window"].is_null()) {
        if (!layers.empty())
            throw std::invalid_argument("sliding_window is null, but layers " + layer_list(layers) +
                                        " are sliding_attention layers; RoPEScope will not guess the window");
        w = 0;
    } else {
        w = j["sliding_window"].get<int>();
    }
    std::vector<int> window(std::size_t(num_layers), 0);
    for (int l : layers) window[std::size_t(l)] = w;
    return window;
}

// Gemma3TextConfig's sliding_window_pattern (type-checked by the key policy), 6 when absent;
// layer_types, when given, wins over it.
int gemma3_period(const json& j, const json& types, const std::vector<std::string>& ignored,
                  std::vector<ConfigSource>& notes) {
    const json p = read(j, "sliding_window_pattern", ignored);
    if (types.is_array()) {
        if (!p.is_null())
            notes.push_back({"sliding_window_pattern", p.dump(), "not read: layer_types names each layer's type"});
        return 0;
    }
    if (p.is_null()) {
        notes.push_back({"sliding_window_pattern", "6", "the Gemma3TextConfig default", true});
        return 6;
    }
    return int(std::min<long long>(p.get<long long>(), 1 << 20));
}

bool any_window(const std::vector<int>& w) {
    return std::any_of(w.begin(), w.end(), [](int v) { return v > 0; });
}

}  // namespace

std::string window_summary(const std::vector<int>& window) {
    // Grouped by width, so Gemma's every-sixth-layer-global pattern reads as one list of ranges.
    std::vector<int> widths;
    for (int w : window)
        if (w > 0 && std::find(widths.begin(), widths.end(), w) == widths.end()) widths.push_back(w);
    std::sort(widths.begin(), widths.end());
    std::string s;
    for (int w : widths) {
        std::string ranges;
        int count = 0;
        for (std::size_t l = 0; l < window.size(); ++l) {
            if (window[l] != w) continue;
            std::size_t e = l;
            while (e + 1 < window.size() && window[e + 1] == w) ++e;
            ranges += (ranges.empty() ? "" : ", ") + std::to_string(l) +
                      (e > l ? "-" + std::to_string(e) : "");
            count += int(e - l + 1);
            l = e;
        }
        s += (s.empty() ? "" : "; ") + std::string(count > 1 ? "layers " : "layer ") + ranges +
             ": " + std::to_string(w) + " tokens";
    }
    return s.empty() ? "none" : s;
}

LayerWindows resolve_layer_windows(const json& j, const std::string& family, int num_layers,
                                   const std::vector<char>& rope_layers, const std::vector<std::string>& ignored) {
    const json sw = read(j, "sliding_window", ignored), use = read(j, "use_sliding_window", ignored),
               types = read(j, "layer_types", ignored);
    LayerWindows out;
    if (family == "mistral" || family == "phi3") {
        out.window = every_layer(sw, use, types, family, num_layers, out.notes);
    } else if (family == "qwen2" || family == "qwen3" || family == "smollm3") {
        out.window = chosen_layers(j, sw, use, types, family, num_layers, rope_layers, ignored);
    } else if (is_gemma_family(family)) {
        if (!use.is_null())
            out.notes.push_back({"use_sliding_window", use.dump(), "not read by transformers' " + family});
        const bool gemma3 = family == "gemma3_text";
        const int period = gemma3 ? gemma3_period(j, types, ignored, out.notes) : 2;
        std::vector<int> sliding;
        out.window = patterned_layers(j, types, num_layers, period,
                                      config_class_name(family), ignored, out.notes, sliding);
        if (gemma3) {
            out.sliding_type.assign(std::size_t(num_layers), 0);
            for (int l : sliding) out.sliding_type[std::size_t(l)] = 1;
        }
    } else {  // llama: LlamaModel builds the causal mask only
        if (types.is_array() && !sliding_in(types).empty())
            throw std::invalid_argument("layer_types asks for sliding_attention in layers " +
                                        layer_list(sliding_in(types)) + ", but transformers' " + family +
                                        " has no sliding-window attention");
        if (!sw.is_null())
            out.notes.push_back({"sliding_window", sw.dump(), "not read by transformers' " + family + ": full attention"});
    }
    if (!any_window(out.window)) out.window.clear();
    // The types whose rope_parameters entries apply: as written, else as the windows make them.
    if (types.is_array()) {
        for (const auto& t : types)
            if (!listed(out.layer_types, t.get<std::string>())) out.layer_types.push_back(t.get<std::string>());
    } else {
        if (std::count(out.window.begin(), out.window.end(), 0) > 0 || out.window.empty())
            out.layer_types.push_back("full_attention");
        if (any_window(out.window)) out.layer_types.push_back("sliding_attention");
    }
    if (any_window(out.window)) {
        const std::string w = std::to_string(*std::max_element(out.window.begin(), out.window.end()));
        out.notes.push_back({"sliding_window", w,
                             "query t sees keys t - " + w + " < s <= t in " + window_summary(out.window) +
                                 " (" + std::to_string(num_layers - std::count(out.window.begin(), out.window.end(), 0)) +
                                 " of " + std::to_string(num_layers) + " layers)"});
    } else if (!sw.is_null() && family != "llama") {
        out.notes.push_back({"sliding_window", sw.dump(), "not used: use_sliding_window = " + (use.is_null() ? std::string("false (absent)") : use.dump())});
    }
    return out;
}

}  // namespace rs
