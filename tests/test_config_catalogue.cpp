// Issue 21 catalogue: config.json files of real public checkpoints (tests/data/configs, sources in
// SOURCES.md). Each is either accepted with exactly the RoPE facts written from the models'
// documentation and the transformers code (facts.json), or refused with the message in
// outcomes.json — and none is accepted with a setting RoPEScope does not apply.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "error.h"
#include "model_config.h"
#include "rope.h"
#include "tests/test_util.h"

namespace rs {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

fs::path catalogue() {
    return test::source_dir() / "tests" / "data" / "configs";
}

std::map<std::string, json> by_file(const fs::path& p) {
    std::map<std::string, json> out;
    for (const auto& e : json::parse(test::read_file(p))) out[e["file"].get<std::string>()] = e;
    return out;
}

// Facts that describe something RoPEScope does not compute; an accepted config must have none.
// A sliding window in use is applied as a mask, in the layers the family windows, of exactly the
// window's size.
void expect_nothing_unapplied(const json& f, const ModelConfig& c, const std::string& file) {
    const bool windowed = std::any_of(c.layer_window.begin(), c.layer_window.end(), [](int w) { return w > 0; });
    if (f.value("sliding_window_used", false)) {
        ASSERT_TRUE(windowed) << file;
        for (int w : c.layer_window)
            if (w) {
                EXPECT_EQ(w, f["sliding_window"].get<int>()) << file;
            }
    } else if (windowed) {
        // Written but never masking: a window at least the model's length (Phi-3.5's 262144 over
        // 131072 positions) masks no key in a run the model is meant for.
        for (int w : c.layer_window)
            if (w) {
                EXPECT_GE(w, f["max_position_embeddings"].get<int>()) << file;
            }
    }
    // Soft-caps are applied exactly as written (Gemma 2), or absent.
    const json& cap = f["softcapping"];
    EXPECT_EQ(c.attn_logit_softcap, cap.is_null() ? 0.0 : cap["attn"].get<double>()) << file;
    EXPECT_EQ(c.final_logit_softcap, cap.is_null() ? 0.0 : cap["final"].get<double>()) << file;
    EXPECT_FALSE(f.value("mla", false)) << file;
    EXPECT_EQ(f.value("pairing", "rotate_half"), "rotate_half") << file;
}

void expect_rope_facts(const ModelConfig& c, const json& f, const std::string& file) {
    const RopeParams p = c.rope_params();
    EXPECT_EQ(p.theta, f["rope_theta"].get<double>()) << file;
    EXPECT_EQ(c.head_dim, f["head_dim"].get<int>()) << file;
    EXPECT_EQ(make_rope_spectrum(p).rotary_dim, f["rotary_dim"].get<int>()) << file;
    EXPECT_EQ(c.max_position_embeddings, f["max_position_embeddings"].get<int>()) << file;
    EXPECT_EQ(c.qkv_bias, f["qkv_bias"].get<bool>()) << file;
    EXPECT_EQ(c.qk_norm, f["qk_norm"].get<bool>()) << file;
    std::vector<int> nope;
    for (int l = 0; l < c.num_hidden_layers; ++l)
        if (!c.layer_has_rope(l)) nope.push_back(l);
    EXPECT_EQ(nope, f["nope_layers"].get<std::vector<int>>()) << file;
    const json& s = f["scaling"];
    const std::string type = s["type"];
    if (type == "none") {
        EXPECT_FALSE(c.rope_scaling) << file;
        EXPECT_EQ(p.linear_factor, 1.0) << file;
        EXPECT_FALSE(p.llama3) << file;
    } else if (type == "llama3") {
        ASSERT_TRUE(p.llama3) << file;
        EXPECT_EQ(p.llama3->factor, s["factor"].get<double>()) << file;
        EXPECT_EQ(p.llama3->low_freq_factor, s["low_freq_factor"].get<double>()) << file;
        EXPECT_EQ(p.llama3->high_freq_factor, s["high_freq_factor"].get<double>()) << file;
        EXPECT_EQ(p.llama3->original_max_position_embeddings,
                  s["original_max_position_embeddings"].get<double>())
            << file;
    } else if (type == "linear") {
        EXPECT_EQ(p.linear_factor, s["factor"].get<double>()) << file;
    } else if (type == "longrope") {
        ASSERT_TRUE(p.longrope) << file;
        EXPECT_EQ(p.longrope->short_factor, s["short_factor"].get<std::vector<double>>()) << file;
        EXPECT_EQ(p.longrope->long_factor, s["long_factor"].get<std::vector<double>>()) << file;
        EXPECT_EQ(p.longrope->original_max_position_embeddings,
                  s["original_max_position_embeddings"].get<double>())
            << file;
        // The facts' attention factor: sqrt(1 + ln(max / original) / ln(original)).
        const double f_ratio = f["max_position_embeddings"].get<double>() / s["original_max_position_embeddings"].get<double>();
        EXPECT_NEAR(p.longrope->attention_factor,
                    std::sqrt(1 + std::log(f_ratio) / std::log(s["original_max_position_embeddings"].get<double>())),
                    1e-15)
            << file;
    } else {
        ADD_FAILURE() << file << ": accepted with scaling " << type
                      << ", which RoPEScope does not compute";
    }
}

TEST(ConfigCatalogue, EveryRealConfigIsAppliedExactlyOrRefusedByName) {
    const auto facts = by_file(catalogue() / "facts.json");
    const auto outcomes = by_file(catalogue() / "outcomes.json");
    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(catalogue()))
        if (entry.path().extension() == ".json" && entry.path().filename() != "facts.json" &&
            entry.path().filename() != "outcomes.json")
            files.insert(entry.path().filename().string());
    EXPECT_GE(files.size(), 18u);
    int accepted = 0, refused = 0;
    for (const auto& file : files) {
        ASSERT_TRUE(facts.count(file)) << file << " has no facts.json entry";
        ASSERT_TRUE(outcomes.count(file)) << file << " has no outcomes.json entry";
        const json& f = facts.at(file);
        const json& o = outcomes.at(file);
        std::string why;
        try {
            const ModelConfig c = load_model_config((catalogue() / file).string());
            ++accepted;
            EXPECT_TRUE(o.value("accepted", false))
                << file << " was accepted; expected: " << o.dump();
            expect_nothing_unapplied(f, c, file);
            expect_rope_facts(c, f, file);
            // A wrapper config (multimodal gemma3) names itself; its language model's family is read.
            EXPECT_EQ(c.language_model_of.empty() ? c.family : c.model_type,
                      f["model_type"].get<std::string>())
                << file;
        } catch (const Error& e) {
            ++refused;
            const std::string message = e.what();
            const std::string prefix = (catalogue() / file).string() + ": ";
            ASSERT_EQ(message.rfind(prefix, 0), 0u) << message;
            EXPECT_EQ(message.substr(prefix.size()), o.value("refused", std::string("(accepted)")))
                << file;
        }
    }
    EXPECT_GT(accepted, 0);
    EXPECT_GT(refused, 0);
}

// A transformers-5 re-save reads as the same RoPE as its 4.x original (or both are refused).
TEST(ConfigCatalogue, Transformers5ResavesMatchTheirOriginals) {
    int pairs = 0;
    for (const auto& entry : fs::directory_iterator(catalogue())) {
        const std::string name = entry.path().filename().string();
        const auto at = name.find(".tf5.json");
        if (at == std::string::npos) continue;
        const fs::path original = catalogue() / (name.substr(0, at) + ".json");
        ASSERT_TRUE(fs::exists(original)) << name;
        ++pairs;
        std::optional<ModelConfig> a, b;
        try {
            a = load_model_config(original.string());
        } catch (const Error&) {
        }
        try {
            b = load_model_config(entry.path().string());
        } catch (const Error&) {
        }
        ASSERT_EQ(a.has_value(), b.has_value()) << name;
        if (!a) continue;
        const RopeParams pa = a->rope_params(), pb = b->rope_params();
        EXPECT_EQ(pa.theta, pb.theta) << name;
        EXPECT_EQ(pa.linear_factor, pb.linear_factor) << name;
        EXPECT_EQ(pa.partial_rotary_factor, pb.partial_rotary_factor) << name;
        EXPECT_EQ(pa.llama3.has_value(), pb.llama3.has_value()) << name;
        if (pa.llama3 && pb.llama3) {
            EXPECT_EQ(pa.llama3->factor, pb.llama3->factor) << name;
        }
        EXPECT_EQ(b->rope_format, "transformers 5 (rope_parameters)") << name;
    }
    EXPECT_GE(pairs, 4);
}

}  // namespace
}  // namespace rs
