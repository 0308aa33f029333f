// Every malformed checkpoint input gives one clear error naming the file and the problem, both
// from the core (FileError) and from the CLI (non-zero exit, message on stderr). Nothing crashes.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "checkpoint.h"
#include "error.h"
#include "safetensors.h"
#include "tests/test_util.h"

using namespace rs;
namespace fs = std::filesystem;

namespace {

std::string f32_bytes(std::size_t n) { return std::string(n * 4, '\0'); }

// Expects opening `path` as safetensors to fail with a message containing `phrase` and the path.
void expect_safetensors_error(const fs::path& path, const std::string& phrase) {
    try {
        SafetensorsFile f(path.string());
        FAIL() << "no error for " << path << " (expected: " << phrase << ")";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    }
}

// Expects Checkpoint::open(dir) to fail naming `file` with `phrase`, and the CLI to exit 1 saying the same.
void expect_checkpoint_error(const fs::path& dir, const std::string& file, const std::string& phrase) {
    try {
        Checkpoint::open(dir.string());
        FAIL() << "no error for " << dir << " (expected: " << phrase << ")";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    }
    const auto r = test::run_cli({"info", dir.string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(phrase), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
}

struct Damaged : ::testing::Test {
    test::TempDir tmp;
    fs::path dir = tmp / "ckpt";
    void SetUp() override { test::copy_fixture("rope_f32", dir); }
    fs::path weights() const { return dir / "model.safetensors"; }
    void set_config(const std::string& from, const std::string& to) {
        auto text = test::read_file(dir / "config.json");
        const auto pos = text.find(from);
        ASSERT_NE(pos, std::string::npos) << from;
        text.replace(pos, from.size(), to);
        test::write_file(dir / "config.json", text);
    }
    // The fixture's tensors re-read as raw, so tests can drop or alter one and write them back.
    std::vector<test::RawTensor> raw_tensors() const {
        SafetensorsFile f(weights().string());
        std::vector<test::RawTensor> out;
        for (const auto& [name, t] : f.tensors())
            out.push_back({name, dtype_name(t.dtype), t.shape,
                           std::string(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size())});
        return out;
    }
};

TEST(BadSafetensors, ShorterThanTheLengthPrefix) {
    test::TempDir tmp;
    test::write_file(tmp / "a.safetensors", "abc");
    expect_safetensors_error(tmp / "a.safetensors", "too short");
}

TEST(BadSafetensors, HeaderLengthLargerThanFile) {
    test::TempDir tmp;
    std::string bytes(8, '\0');
    bytes[0] = char(0xff);
    bytes[1] = char(0xff);
    test::write_file(tmp / "a.safetensors", bytes + "{}");
    expect_safetensors_error(tmp / "a.safetensors", "header length 65535 is larger than the file");
}

TEST(BadSafetensors, HeaderLengthNearUint64Max) {
    test::TempDir tmp;
    test::write_file(tmp / "a.safetensors", std::string(8, char(0xff)) + "{}");
    expect_safetensors_error(tmp / "a.safetensors", "larger than the file");
}

TEST(BadSafetensors, HeaderNotJson) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors", "{\"a\": [1, 2", "");
    expect_safetensors_error(tmp / "a.safetensors", "header is not valid JSON");
}

TEST(BadSafetensors, OffsetsBeyondData) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", f32_bytes(2));
    expect_safetensors_error(tmp / "a.safetensors", "exceed the data size 8");
}

TEST(BadSafetensors, OffsetsReversed) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", f32_bytes(2));
    expect_safetensors_error(tmp / "a.safetensors", "begin > end");
}

TEST(BadSafetensors, OverlappingTensors) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                R"("b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}})",
                                f32_bytes(6));
    expect_safetensors_error(tmp / "a.safetensors", "overlap");
}

TEST(BadSafetensors, UnknownDtype) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"w":{"dtype":"F24","shape":[1],"data_offsets":[0,3]}})", "abc");
    expect_safetensors_error(tmp / "a.safetensors", "unknown dtype 'F24'");
}

TEST(BadSafetensors, ShapeDisagreesWithByteCount) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"w":{"dtype":"BF16","shape":[3,3],"data_offsets":[0,16]}})", f32_bytes(4));
    expect_safetensors_error(tmp / "a.safetensors", "needs 9 elements but data_offsets span 16 bytes");
}

TEST(BadSafetensors, ShapeOverflowsUint64) {
    test::TempDir tmp;
    test::write_safetensors_raw(
        tmp / "a.safetensors",
        R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", f32_bytes(4));
    expect_safetensors_error(tmp / "a.safetensors", "overflows");
}

TEST(BadSafetensors, DuplicateTensorName) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                f32_bytes(2));
    expect_safetensors_error(tmp / "a.safetensors", "listed twice");
}

TEST(BadSafetensors, NegativeDimension) {
    test::TempDir tmp;
    test::write_safetensors_raw(tmp / "a.safetensors",
                                R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", f32_bytes(1));
    expect_safetensors_error(tmp / "a.safetensors", "negative dimension");
}

TEST_F(Damaged, TruncatedWeights) {
    auto bytes = test::read_file(weights());
    test::write_file(weights(), bytes.substr(0, bytes.size() / 2));
    expect_checkpoint_error(dir, "model.safetensors", "file truncated?");
}

TEST_F(Damaged, MissingTensor) {
    auto t = raw_tensors();
    t.erase(std::remove_if(t.begin(), t.end(), [](auto& x) { return x.name == "model.layers.1.mlp.up_proj.weight"; }),
            t.end());
    test::write_safetensors(weights(), t);
    expect_checkpoint_error(dir, "ckpt", "tensor 'model.layers.1.mlp.up_proj.weight' is missing");
}

TEST_F(Damaged, TensorShapeDisagreesWithConfig) {
    auto t = raw_tensors();
    for (auto& x : t)
        if (x.name == "model.layers.0.mlp.down_proj.weight") x.shape = {96, 64};  // transposed
    test::write_safetensors(weights(), t);
    expect_checkpoint_error(dir, "model.safetensors",
                            "'model.layers.0.mlp.down_proj.weight' has shape [96, 64] but RoPE with this config.json needs [64, 96]");
}

TEST_F(Damaged, IntegerWeights) {
    auto t = raw_tensors();
    for (auto& x : t)
        if (x.name == "model.norm.weight") x.dtype = "I32";
    test::write_safetensors(weights(), t);
    expect_checkpoint_error(dir, "model.safetensors", "has dtype I32; weights must be BF16, F16 or F32");
}

TEST_F(Damaged, ConfigNotJson) {
    test::write_file(dir / "config.json", "{\"hidden_size\": 64,,}");
    expect_checkpoint_error(dir, "config.json", "not valid JSON");
}

TEST_F(Damaged, ConfigMissingField) {
    set_config("\"num_hidden_layers\"", "\"num_hidden_layers_typo\"");
    expect_checkpoint_error(dir, "config.json", "missing required field \"num_hidden_layers\"");
}

TEST_F(Damaged, ConfigHeadsNotDivisibleByKvHeads) {
    set_config("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 3");
    expect_checkpoint_error(dir, "config.json", "is not a multiple of num_key_value_heads 3");
}

TEST_F(Damaged, ConfigNegativeSize) {
    set_config("\"hidden_size\": 64", "\"hidden_size\": -64");
    expect_checkpoint_error(dir, "config.json", "\"hidden_size\" must be a positive integer");
}

TEST_F(Damaged, ConfigUnknownImagMode) {
    set_config("\"model_type\"", "\"rope_config\": {\"imag\": true, \"imag_mode\": \"imagz\"}, \"model_type\"");
    expect_checkpoint_error(dir, "config.json", "imag_mode \"imagz\" is not supported");
}

TEST_F(Damaged, ConfigClaimsVariantTheWeightsDoNotHave) {
    set_config("\"model_type\"", "\"rope_config\": {\"imag\": true, \"imag_mode\": \"imag2\"}, \"model_type\"");
    expect_checkpoint_error(dir, "model.safetensors", "RoPE++_EC with this config.json needs [64, 128]");
}

TEST_F(Damaged, ConfigUnsupportedRopeScaling) {
    set_config("\"rope_scaling\": null", "\"rope_scaling\": {\"rope_type\": \"mrope\", \"factor\": 2}");
    expect_checkpoint_error(dir, "config.json", "rope_scaling.rope_type = \"mrope\" is not supported yet");
}

TEST_F(Damaged, MissingConfig) {
    fs::remove(dir / "config.json");
    expect_checkpoint_error(dir, "config.json", "missing: every checkpoint folder needs config.json");
}

TEST_F(Damaged, PickleOnlyFolder) {
    fs::remove(weights());
    test::write_file(dir / "pytorch_model.bin", "PK\x03\x04 not really");
    expect_checkpoint_error(dir, "ckpt", "has only pytorch_model.bin");
}

TEST_F(Damaged, ShardIndexNamesMissingShard) {
    fs::remove(weights());
    test::write_file(dir / "model.safetensors.index.json",
                     R"({"metadata":{},"weight_map":{"model.norm.weight":"model-00001-of-00002.safetensors"}})");
    expect_checkpoint_error(dir, "model-00001-of-00002.safetensors", "missing (listed in model.safetensors.index.json)");
}

TEST_F(Damaged, ShardIndexEscapesTheFolder) {
    fs::remove(weights());
    test::write_file(dir / "model.safetensors.index.json",
                     R"({"metadata":{},"weight_map":{"model.norm.weight":"../../etc/passwd"}})");
    expect_checkpoint_error(dir, "model.safetensors.index.json", "not a file inside the checkpoint folder");
}

TEST_F(Damaged, TensorInTwoShards) {
    auto t = raw_tensors();
    test::write_safetensors(dir / "a.safetensors", t);
    test::write_safetensors(dir / "b.safetensors", {t.front()});
    fs::remove(weights());
    test::write_file(dir / "model.safetensors.index.json",
                     R"({"weight_map":{"x":"a.safetensors","y":"b.safetensors"}})");
    expect_checkpoint_error(dir, "b.safetensors", "also appears in");
}

TEST(BadCheckpoint, NotAFolder) {
    test::TempDir tmp;
    test::write_file(tmp / "file.txt", "x");
    EXPECT_THROW(Checkpoint::open((tmp / "file.txt").string()), FileError);
    const auto r = test::run_cli({"info", (tmp / "nowhere").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no such file or folder"), std::string::npos) << r.err;
}

TEST(BadCheckpoint, VariantOverrideThatContradictsTheWeights) {
    const auto r = test::run_cli({"info", test::fixture_dir("rope_pp_ec_f32").string(), "--variant", "eh"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("RoPE++_EH with this config.json needs"), std::string::npos) << r.err;
}

TEST(BadCli, BadIdsAreUsageErrors) {
    const auto dir = test::fixture_dir("rope_f32").string();
    auto r = test::run_cli({"forward", dir, "--ids", "1,x,3"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("comma-separated"), std::string::npos) << r.err;
    r = test::run_cli({"forward", dir, "--ids", "1,500"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("token id 500 is outside the vocabulary [0, 97)"), std::string::npos) << r.err;
    r = test::run_cli({"forward", dir, "--bogus", "1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown option --bogus"), std::string::npos) << r.err;
}

}  // namespace
