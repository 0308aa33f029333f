// RoPE overrides (a study's settings): the label syntax, refusals by name, and the run they give
// equals the run of a checkpoint whose config.json was edited to say the same thing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <tuple>

#include <hdf5.h>
#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "error.h"
#include "model.h"
#include "rope_override.h"
#include "tests/test_util.h"
#include "trace_reader.h"

namespace rs {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::vector<float> nll_with(const fs::path& dir, const std::vector<std::int32_t>& ids,
                            const RopeOverride& o = {}) {
    CheckpointOptions options;
    options.config.rope_override = o;
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(dir.string(), options));
    return Model(ck).forward(ids).nll;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(RopeOverride, LabelReadsBackAsTheSameOverride) {
    EXPECT_EQ(parse_rope_override("none"), RopeOverride{});
    EXPECT_EQ(RopeOverride{}.label(), "none");
    const RopeOverride o = parse_rope_override("pi_factor=4,rope_theta=40000.5");
    EXPECT_EQ(o.rope_theta, 40000.5);
    EXPECT_EQ(o.pi_factor, 4.0);
    EXPECT_EQ(o.label(), "rope_theta=40000.5,pi_factor=4");
    EXPECT_EQ(parse_rope_override(o.label()), o);
    EXPECT_EQ(parse_rope_override("yarn_factor=0.1e2").yarn_factor, 10.0);
}

TEST(RopeOverride, NonsenseIsRefusedByName) {
    const auto message = [](const char* label) {
        try {
            parse_rope_override(label);
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message("rope_base=5").find("unknown key 'rope_base'"), std::string::npos);
    EXPECT_NE(message("pi_factor=0.5").find("pi_factor = '0.5': a scaling factor must be at least 1"),
              std::string::npos);
    EXPECT_NE(message("rope_theta=1").find("greater than 1"), std::string::npos);
    EXPECT_NE(message("rope_theta=nan").find("not a finite number"), std::string::npos);
    EXPECT_NE(message("rope_theta=1e400").find("not a finite number"), std::string::npos);
    EXPECT_NE(message("rope_theta=5x").find("not a finite number"), std::string::npos);
    EXPECT_NE(message("pi_factor=2,pi_factor=3").find("given twice"), std::string::npos);
    EXPECT_NE(message("pi_factor=2,yarn_factor=3").find("choose one"), std::string::npos);
    EXPECT_NE(message("pi_factor").find("not key=value"), std::string::npos);
    EXPECT_NE(message("").find("empty"), std::string::npos);
}

// The spectrum an override gives, against the frequencies computed here independently:
// inv_freq_i = base^(-2i/d), divided by the PI factor.
TEST(RopeOverride, SpectrumIsTheOverriddenBaseAndFactor) {
    const fs::path dir = test::fixture_dir("rope_f32");
    CheckpointOptions options;
    options.config.rope_override = parse_rope_override("rope_theta=40000,pi_factor=4");
    const auto ck = Checkpoint::open(dir.string(), options);
    const RopeSpectrum s = make_rope_spectrum(ck.config().rope_params());
    ASSERT_GT(s.half(), 1);
    for (int i = 0; i < s.half(); ++i) {
        const double expected = std::pow(40000.0, -2.0 * i / s.rotary_dim) / 4.0;
        EXPECT_NEAR(s.inv_freq[std::size_t(i)], expected, 1e-15 * expected + 1e-300) << i;
    }
    bool named = false;
    for (const auto& line : provenance_lines(ck.config()))
        named = named || line.find("RoPE override: linear position interpolation") != std::string::npos;
    EXPECT_TRUE(named);
}

// An override and the same edit made in config.json are the same model, bit for bit; and the
// override changes the result (it is not silently dropped).
TEST(RopeOverride, RunEqualsTheEditedCheckpoint) {
    const auto fx = test::load_golden_fixture("rope_f32");
    const fs::path original = test::fixture_dir("rope_f32");
    json config = json::parse(test::read_file(original / "config.json"));
    config["rope_theta"] = 40000.0;
    config["rope_scaling"] = {{"type", "linear"}, {"factor", 4.0}};
    test::TempDir edited;
    test::copy_fixture("rope_f32", edited.path());
    test::write_file(edited / "config.json", config.dump(2));
    const auto overridden = nll_with(original, fx.ids, parse_rope_override("rope_theta=40000,pi_factor=4"));
    EXPECT_TRUE(bit_identical(overridden, nll_with(edited.path(), fx.ids)));
    EXPECT_FALSE(bit_identical(overridden, nll_with(original, fx.ids)));
}

// Upstream YaRN by override equals a RoPE++ config that asks for it in rope_config.
TEST(RopeOverride, YarnEqualsUpstreamRopeConfig) {
    const auto fx = test::load_golden_fixture("rope_pp_ec_f32");
    const fs::path original = test::fixture_dir("rope_pp_ec_f32");
    json config = json::parse(test::read_file(original / "config.json"));
    config["rope_config"]["yarn"] = true;
    config["rope_config"]["factor"] = 8.0;
    test::TempDir edited;
    test::copy_fixture("rope_pp_ec_f32", edited.path());
    test::write_file(edited / "config.json", config.dump(2));
    EXPECT_TRUE(bit_identical(nll_with(original, fx.ids, parse_rope_override("yarn_factor=8")),
                              nll_with(edited.path(), fx.ids)));
}

// The HF-typed overrides of a study: yarn_hf_factor = rope_scaling yarn whose original length is
// the checkpoint's max_position_embeddings; ntk_factor = rope_scaling dynamic. The checkpoint's
// max_position_embeddings is made short (64, 16) so the ramp lies inside the dims and the 24-token
// run crosses the NTK length.
TEST(RopeOverride, HfYarnAndNtkEqualTheEditedCheckpoint) {
    for (const auto& [label, max_pos, scaling] :
         {std::tuple<const char*, int, json>{"yarn_hf_factor=4", 64, {{"rope_type", "yarn"}, {"factor", 4.0}}},
          std::tuple<const char*, int, json>{"ntk_factor=2", 16, {{"rope_type", "dynamic"}, {"factor", 2.0}}}}) {
        SCOPED_TRACE(label);
        const auto fx = test::load_golden_fixture("rope_f32");
        json config = json::parse(test::read_file(test::fixture_dir("rope_f32") / "config.json"));
        config["max_position_embeddings"] = max_pos;
        test::TempDir shortened, edited;
        test::copy_fixture("rope_f32", shortened.path());
        test::write_file(shortened / "config.json", config.dump(2));
        config["rope_scaling"] = scaling;
        test::copy_fixture("rope_f32", edited.path());
        test::write_file(edited / "config.json", config.dump(2));
        const RopeOverride o = parse_rope_override(label);
        EXPECT_EQ(o.label(), label);
        const auto overridden = nll_with(shortened.path(), fx.ids, o);
        EXPECT_TRUE(bit_identical(overridden, nll_with(edited.path(), fx.ids)));
        EXPECT_FALSE(bit_identical(overridden, nll_with(shortened.path(), fx.ids)));
    }
}

TEST(RopeOverride, HfKeysReadBackAndExcludeOtherScalings) {
    const RopeOverride o = parse_rope_override("yarn_hf_factor=4,rope_theta=20000");
    EXPECT_EQ(o.yarn_hf_factor, 4.0);
    EXPECT_EQ(o.label(), "rope_theta=20000,yarn_hf_factor=4");
    EXPECT_EQ(parse_rope_override(o.label()), o);
    EXPECT_EQ(parse_rope_override("ntk_factor=2.5").ntk_factor, 2.5);
    EXPECT_EQ(parse_rope_override("ntk_factor=2.5").label(), "ntk_factor=2.5");
    for (const char* bad : {"yarn_hf_factor=0.5", "ntk_factor=0.9", "yarn_hf_factor=2,pi_factor=2",
                            "yarn_hf_factor=2,yarn_factor=2", "ntk_factor=2,yarn_hf_factor=2"})
        EXPECT_THROW(parse_rope_override(bad), UsageError) << bad;
}

TEST(RopeOverride, CliAppliesAndAnnouncesIt) {
    const std::string dir = test::fixture_dir("rope_f32").string();
    const auto r = test::run_cli({"info", dir, "--rope-theta", "40000", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("RoPE override rope_theta=40000 applied"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("RoPE override (the checkpoint's base is"), std::string::npos) << r.out;
    const auto bad = test::run_cli({"info", dir, "--pi-factor", "2", "--yarn-factor", "2"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("choose one"), std::string::npos) << bad.err;
}

// A trace records the override, so a view recomputing the run's RoPE from config_json applies it;
// a label that is not an override is refused naming the file and the attribute.
TEST(RopeOverride, TraceRecordsItAndRefusesADamagedLabel) {
    test::TempDir dir;
    const auto out = dir / "run.h5";
    const auto r = test::run_cli({"trace", test::fixture_dir("rope_f32").string(), "--ids", "1,2,3,4",
                                  "--pi-factor", "4", "-o", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    {
        auto trace = TraceReader::open(out.string());
        EXPECT_EQ(trace.meta().rope_override.label(), "pi_factor=4");
        EXPECT_EQ(trace.meta().linear_factor, 4.0);
    }
    {
        const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        H5Adelete_by_name(f, "meta", "rope_override", H5P_DEFAULT);
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        const hid_t sp = H5Screate(H5S_SCALAR);
        const hid_t a = H5Acreate_by_name(f, "meta", "rope_override", type, sp, H5P_DEFAULT, H5P_DEFAULT,
                                          H5P_DEFAULT);
        const char* bad = "pi_factor=-3";
        EXPECT_GE(H5Awrite(a, type, &bad), 0);
        H5Aclose(a);
        H5Sclose(sp);
        H5Tclose(type);
        H5Fclose(f);
    }
    try {
        auto trace = TraceReader::open(out.string());
        ADD_FAILURE() << "a damaged override label was accepted";
    } catch (const FileError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(out.string()), std::string::npos) << what;
        EXPECT_NE(what.find("meta attribute 'rope_override' = 'pi_factor=-3'"), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace rs
