// HF rope_scaling types beyond linear/llama3 (yarn, longrope, dynamic; issue 19): every field
// applied or refused by name, the spectrum (per run where it depends on the run length) against a
// per-frequency computation written here, provenance naming each field, and the study overrides
// that select them equal to an edited config.json.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "error.h"
#include "model.h"
#include "model_config.h"
#include "rope_override.h"
#include "tests/test_util.h"
#include "trace_reader.h"

namespace rs {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

json golden_config(const std::string& name) {
    return json::parse(test::read_file(test::fixture_dir(name) / "config.json"));
}

// A golden fixture's config with rope_scaling fields replaced (null erases one).
json edited_scaling(const std::string& name, const json& changes) {
    json c = golden_config(name);
    for (const auto& [k, v] : changes.items()) {
        if (v.is_null()) c["rope_scaling"].erase(k);
        else c["rope_scaling"][k] = v;
    }
    return c;
}

json yarn_config(const json& changes) { return edited_scaling("rope_yarn_hf", changes); }
json longrope_config(const json& changes) { return edited_scaling("rope_longrope", changes); }

std::string refusal(const json& config) {
    try {
        parse_model_config(config.dump(), "config.json");
    } catch (const FileError& e) {
        return e.what();
    }
    return "accepted";
}

std::string provenance_text(const json& config) {
    std::string all;
    for (const auto& line : provenance_lines(parse_model_config(config.dump(), "config.json"))) all += line + "\n";
    return all;
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// HF yarn, one frequency at a time: a share g of the original frequency is kept and 1 − g is
// divided by the factor; g falls from 1 to 0 between the dims turning beta_fast and beta_slow
// times over the original length (rounded outwards).
std::vector<double> yarn_by_hand(double base, int rot, double factor, double original, double fast,
                                 double slow) {
    const auto dim_turning = [&](double turns) {
        return rot * std::log(original / (2 * std::numbers::pi * turns)) / (2 * std::log(base));
    };
    const double low = std::max(0.0, std::floor(dim_turning(fast)));
    const double high = std::min(rot - 1.0, std::ceil(dim_turning(slow)));
    std::vector<double> out;
    for (int i = 0; i < rot / 2; ++i) {
        const double g = 1 - std::clamp((i - low) / (high - low), 0.0, 1.0);
        out.push_back(std::pow(base, -2.0 * i / rot) * (g + (1 - g) / factor));
    }
    return out;
}

TEST(HfYarn, SpectrumAndAttentionFactorAreTheFormulas) {
    const ModelConfig c = parse_model_config(golden_config("rope_yarn_hf").dump(), "config.json");
    const RopeSpectrum s = make_rope_spectrum(c.rope_params());
    const auto expected = yarn_by_hand(10000.0, 16, 4.0, 256.0, 32.0, 1.0);
    ASSERT_EQ(s.inv_freq.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_NEAR(s.inv_freq[i], expected[i], 1e-14 * expected[i]) << i;
        EXPECT_NEAR(s.inv_freq_f32[i], expected[i], 2e-7 * expected[i]) << i;
    }
    EXPECT_DOUBLE_EQ(s.inv_freq[0], 1.0);                                  // kept
    EXPECT_DOUBLE_EQ(s.inv_freq[7], std::pow(10000.0, -14.0 / 16) / 4.0);  // divided by the factor
    const double attention = (0.1 * 0.707 * std::log(4.0) + 1) / (0.1 * std::log(4.0) + 1);
    EXPECT_FLOAT_EQ(s.cos_sin_scale, float(attention));

    const json explicit_factor = yarn_config({{"attention_factor", 1.5}, {"mscale", nullptr},
                                              {"mscale_all_dim", nullptr}, {"beta_fast", 8.0}});
    const RopeSpectrum e = make_rope_spectrum(parse_model_config(explicit_factor.dump(), "c").rope_params());
    EXPECT_EQ(e.cos_sin_scale, 1.5f);
    const auto fast8 = yarn_by_hand(10000.0, 16, 4.0, 256.0, 8.0, 1.0);
    for (std::size_t i = 0; i < fast8.size(); ++i) EXPECT_NEAR(e.inv_freq[i], fast8[i], 1e-14 * fast8[i]) << i;
    const json plain = yarn_config({{"mscale", nullptr}, {"mscale_all_dim", nullptr}});
    EXPECT_FLOAT_EQ(make_rope_spectrum(parse_model_config(plain.dump(), "c").rope_params()).cos_sin_scale,
                    float(0.1 * std::log(4.0) + 1));
}

TEST(HfYarn, ProvenanceNamesEveryField) {
    const std::string all = provenance_text(golden_config("rope_yarn_hf"));
    for (const char* part :
         {"rope_type = \"yarn\" (rope_scaling.rope_type)", "factor = 4.0 (rope_scaling.factor)",
          "original_max_position_embeddings = 256 (rope_scaling.original_max_position_embeddings)",
          "beta_fast = 32.0 (rope_scaling.beta_fast)", "beta_slow = 1.0 (rope_scaling.beta_slow)",
          "mscale = 0.707 (rope_scaling.mscale)", "mscale_all_dim = 1.0 (rope_scaling.mscale_all_dim)",
          "attention_factor absent -> 0.96432", "truncate absent -> true"})
        EXPECT_TRUE(mentions(all, part)) << part << "\n" << all;
    const json defaults = yarn_config({{"original_max_position_embeddings", nullptr}, {"factor", 0.25 * 16}});
    json d = defaults;
    d["max_position_embeddings"] = 64;
    const std::string lines = provenance_text(d);
    EXPECT_TRUE(mentions(lines, "original_max_position_embeddings absent -> 64")) << lines;
}

// Fields transformers versions compute differently are refused unless the results agree.
TEST(HfYarn, VersionDependentAndUnappliedFieldsAreRefusedByName) {
    EXPECT_TRUE(mentions(refusal(yarn_config({{"factor", 8.0}})),
                         "rope_scaling.original_max_position_embeddings = 256 with factor 8.0 and "
                         "max_position_embeddings 1024: transformers 4.x releases replace factor"));
    json no_max = yarn_config({{"original_max_position_embeddings", nullptr}});
    no_max.erase("max_position_embeddings");
    EXPECT_TRUE(mentions(refusal(no_max), "uses max_position_embeddings, which the config does not give"));
    EXPECT_TRUE(mentions(refusal(yarn_config({{"truncate", false}})),
                         "rope_scaling.truncate = false: transformers releases before this key round"));
    EXPECT_TRUE(mentions(refusal(yarn_config({{"mscale_all_dim", nullptr}})),
                         "rope_scaling.mscale is given without mscale_all_dim"));
    EXPECT_TRUE(mentions(refusal(yarn_config({{"attention_factor", 1.2}})),
                         "rope_scaling.mscale is given with an explicit attention_factor"));
    EXPECT_TRUE(mentions(refusal(yarn_config({{"factor", 0.5}, {"original_max_position_embeddings", nullptr}})),
                         "yarn factor must be at least 1"));
    EXPECT_TRUE(mentions(refusal(yarn_config({{"low_freq_factor", 1.0}})),
                         "rope_scaling.low_freq_factor = 1.0 is not read for rope_type \"yarn\""));
    EXPECT_TRUE(mentions(refusal(yarn_config({{"beta_fast", "32"}})), "must be a positive number"));
    EXPECT_EQ(refusal(yarn_config({{"truncate", true}})), "accepted");
}


// The fixture's run (24 tokens) is longer than the original 16: long factors; 16 tokens: short.
TEST(HfLongrope, SpectrumFollowsTheRunLength) {
    const auto fx = test::load_golden_fixture("rope_longrope");
    const Model model(fx.checkpoint);
    const json s = golden_config("rope_longrope")["rope_scaling"];
    const double attention = std::sqrt(1 + std::log(64.0 / 16.0) / std::log(16.0));
    for (const long T : {0L, 16L, 17L, 24L}) {
        const RopeSpectrum r = model.rope_for(T);
        const json& factors = T > 16 ? s["long_factor"] : s["short_factor"];
        for (int i = 0; i < r.half(); ++i) {
            const double expected = std::pow(10000.0, -2.0 * i / 16) / factors[i].get<double>();
            EXPECT_NEAR(r.inv_freq[std::size_t(i)], expected, 1e-14 * expected) << T << " " << i;
            EXPECT_NEAR(r.inv_freq_f32[std::size_t(i)], expected, 2e-7 * expected) << T << " " << i;
        }
        EXPECT_FLOAT_EQ(r.cos_sin_scale, float(attention)) << T;
    }
    EXPECT_EQ(model.rope().inv_freq_f32, model.rope_for(16).inv_freq_f32);
    EXPECT_NE(model.rope().inv_freq_f32, model.rope_for(24).inv_freq_f32);
}

TEST(HfLongrope, FieldsAreAppliedOrRefusedByName) {
    const std::string lines = provenance_text(golden_config("rope_longrope"));
    for (const char* part : {"short_factor = [1.0,1.1", "(rope_scaling.short_factor)", "(rope_scaling.long_factor)",
                             "top-level original_max_position_embeddings = 16 (original_max_position_embeddings)",
                             "factor absent -> 4.0 (absent -> max_position_embeddings / original_max_position_embeddings)",
                             "attention_factor absent -> 1.2247", "long_factor used = in runs of more than 16.0 tokens"})
        EXPECT_TRUE(mentions(lines, part)) << part << "\n" << lines;
    EXPECT_TRUE(mentions(refusal(longrope_config({{"short_factor", {1.0, 2.0}}})),
                         "rope_scaling.short_factor must be a list of rotary_dim/2 = 8 numbers, got 2 entries"));
    EXPECT_TRUE(mentions(refusal(longrope_config({{"long_factor", {1, 1, 1, 1, 1, 1, 1, -1}}})),
                         "rope_scaling.long_factor has -1; every entry must be a positive number"));
    EXPECT_TRUE(mentions(refusal(longrope_config({{"factor", 8.0}})),
                         "rope_scaling.factor = 8.0, but transformers 4 replaces it by max_position_embeddings"));
    EXPECT_EQ(refusal(longrope_config({{"factor", 4.0}})), "accepted");
    EXPECT_TRUE(mentions(refusal(longrope_config({{"original_max_position_embeddings", 32}})),
                         "rope_scaling.original_max_position_embeddings = 32 but the top-level"));
    json nested = longrope_config({{"original_max_position_embeddings", 16}});
    nested.erase("original_max_position_embeddings");
    EXPECT_TRUE(mentions(refusal(nested), "without a top-level original_max_position_embeddings"));
    json no_factor = golden_config("rope_longrope");
    no_factor.erase("original_max_position_embeddings");
    EXPECT_TRUE(mentions(refusal(no_factor), "needs factor or attention_factor"));
    no_factor["rope_scaling"]["factor"] = 4.0;
    EXPECT_EQ(refusal(no_factor), "accepted");
    json elsewhere = golden_config("rope_f32");
    elsewhere["original_max_position_embeddings"] = 16;
    EXPECT_TRUE(mentions(refusal(elsewhere), "original_max_position_embeddings = 16 is not read for rope_type \"default\""));
}

// HF dynamic NTK: base·(factor·T/max − (factor − 1))^(d/(d−2)) for T > max, else the base.
TEST(HfDynamic, SpectrumFollowsTheRunLength) {
    const auto fx = test::load_golden_fixture("rope_dynamic");
    const Model model(fx.checkpoint);
    for (const long T : {0L, 16L, 17L, 24L, 1000L}) {
        const double base = T > 16 ? 10000.0 * std::pow(2.0 * T / 16 - 1, 16.0 / 14) : 10000.0;
        const RopeSpectrum r = model.rope_for(T);
        for (int i = 0; i < r.half(); ++i) {
            const double expected = std::pow(base, -2.0 * i / 16);
            EXPECT_NEAR(r.inv_freq_f32[std::size_t(i)], expected, 1e-6 * expected) << T << " " << i;
        }
        EXPECT_EQ(r.cos_sin_scale, 1.0f);
    }
    std::string lines = provenance_text(golden_config("rope_dynamic"));
    EXPECT_TRUE(mentions(lines, "factor = 2.0 (rope_scaling.factor)")) << lines;
    EXPECT_TRUE(mentions(lines, "dynamic NTK base = rope_theta * (factor T / 16 - (factor - 1))^(d/(d-2)) "
                                "for a run of T > 16 tokens")) << lines;
    json c = golden_config("rope_dynamic");
    c["rope_scaling"]["original_max_position_embeddings"] = 16;
    EXPECT_TRUE(mentions(refusal(c), "rope_scaling.original_max_position_embeddings = 16 is not read for rope_type \"dynamic\""));
    c = golden_config("rope_dynamic");
    c.erase("max_position_embeddings");
    EXPECT_TRUE(mentions(refusal(c), "needs max_position_embeddings"));
}

// A trace keeps the spectrum its run used, not the one config.json gives at load time.
TEST(HfDynamic, TraceStoresTheRunsSpectrum) {
    const auto fx = test::load_golden_fixture("rope_dynamic");
    std::string ids;
    for (auto id : fx.ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    test::TempDir dir;
    const auto out = dir / "run.h5";
    const auto r = test::run_cli({"trace", test::fixture_dir("rope_dynamic").string(), "--ids", ids, "-o", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Model model(fx.checkpoint);
    auto trace = TraceReader::open(out.string());
    EXPECT_EQ(trace.meta().rope.inv_freq_f32, model.rope_for(long(fx.ids.size())).inv_freq_f32);
    EXPECT_NE(trace.meta().rope.inv_freq_f32, model.rope().inv_freq_f32);
}

}  // namespace
}  // namespace rs
