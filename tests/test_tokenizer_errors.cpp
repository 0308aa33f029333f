// Bad and unsupported tokenizer files must fail with an rs::FileError naming the file and the
// component at fault, never with a crash or a silently wrong tokenizer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "error.h"
#include "tokenizer.h"
#include "tests/test_util.h"

namespace {

using nlohmann::json;
using rs::test::TempDir;

// The smallest valid byte-level BPE tokenizer: 256 byte characters, one merge.
json minimal_tokenizer() {
    json vocab = json::object();
    const json probe = json::parse(rs::test::read_file(rs::test::fixture_dir("tokenizers") /
                                                       "bytelevel_nfc_qwen" / "tokenizer.json"));
    // Take the first 256 entries (the byte alphabet) of a committed synthetic fixture.
    for (const auto& [token, id] : probe["model"]["vocab"].items())
        if (id.get<int>() < 256) vocab[token] = id;
    vocab["ab"] = 256;
    return json{{"version", "1.0"},
                {"added_tokens", json::array()},
                {"normalizer", nullptr},
                {"pre_tokenizer",
                 {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
                {"post_processor", nullptr},
                {"decoder", {{"type", "ByteLevel"}}},
                {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array({"a b"})}}}};
}

// Writes `tokenizer` (and a config if given) to a fresh folder and returns the load error.
std::string load_error(const TempDir& dir, const std::string& tokenizer_text,
                       const std::string& config_text) {
    rs::test::write_file(dir / "tokenizer.json", tokenizer_text);
    if (!config_text.empty()) rs::test::write_file(dir / "tokenizer_config.json", config_text);
    try {
        rs::Tokenizer::load(dir.path().string());
    } catch (const rs::FileError& e) {
        return e.what();
    }
    return "";
}

std::string load_error(const TempDir& dir, const json& tokenizer) {
    return load_error(dir, tokenizer.dump(), "");
}

TEST(TokenizerErrors, MinimalTokenizerLoads) {
    TempDir dir;
    EXPECT_EQ(load_error(dir, minimal_tokenizer()), "");
    const auto tok = rs::Tokenizer::load(dir.path().string());
    EXPECT_EQ(tok.encode("ab", false).ids, std::vector<std::int32_t>{256});
}

TEST(TokenizerErrors, MissingPathAndMissingFile) {
    TempDir dir;
    try {
        rs::Tokenizer::load((dir / "nope").string());
        FAIL() << "expected an error";
    } catch (const rs::FileError& e) {
        EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
    }
    try {
        rs::Tokenizer::load(dir.path().string());
        FAIL() << "expected an error";
    } catch (const rs::FileError& e) {
        EXPECT_NE(std::string(e.what()).find("no tokenizer.json"), std::string::npos);
    }
}

TEST(TokenizerErrors, MalformedJson) {
    TempDir dir;
    const std::string msg = load_error(dir, minimal_tokenizer().dump().substr(0, 100), "");
    EXPECT_NE(msg.find("tokenizer.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("malformed JSON"), std::string::npos) << msg;
    EXPECT_NE(load_error(dir, std::string("[1, 2]"), "").find("top level"), std::string::npos);
}

// Found by fuzz_tokenizer (tests/corpus/regressions/tokenizer/): a number too large for a double
// is valid JSON syntax that nlohmann refuses with out_of_range, not parse_error — it escaped as an
// uncaught exception instead of naming the file.
TEST(TokenizerErrors, NumberTooLargeForADoubleNamesTheFile) {
    TempDir dir;
    std::string text = minimal_tokenizer().dump();
    text.replace(text.find("\"version\":\"1.0\""), 15, "\"version\":0.3E5555");
    const std::string msg = load_error(dir, text, "");
    EXPECT_NE(msg.find("tokenizer.json: malformed JSON"), std::string::npos) << msg;
    EXPECT_NE(msg.find("number overflow"), std::string::npos) << msg;
}

TEST(TokenizerErrors, UnsupportedModelTypes) {
    for (const char* type : {"Unigram", "WordPiece", "WordLevel"}) {
        TempDir dir;
        json t = minimal_tokenizer();
        t["model"] = {{"type", type}, {"vocab", json::array()}};
        const std::string msg = load_error(dir, t);
        EXPECT_NE(msg.find(std::string("model type '") + type + "' is not supported"),
                  std::string::npos)
            << msg;
    }
}

TEST(TokenizerErrors, MissingOrBadMerges) {
    TempDir dir;
    json t = minimal_tokenizer();
    t["model"].erase("merges");
    EXPECT_NE(load_error(dir, t).find("missing field 'merges'"), std::string::npos);

    t = minimal_tokenizer();
    t["model"]["merges"] = json::array({"a zzz"});
    std::string msg = load_error(dir, t);
    EXPECT_NE(msg.find("model.merges[0]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'zzz'"), std::string::npos) << msg;

    t["model"]["merges"] = json::array({"a b c"});
    EXPECT_NE(load_error(dir, t).find("model.merges[0]"), std::string::npos);

    t["model"]["merges"] = json::array({json::array({"a", 3})});
    EXPECT_NE(load_error(dir, t).find("model.merges[0]"), std::string::npos);

    t = minimal_tokenizer();
    t["model"].erase("vocab");
    EXPECT_NE(load_error(dir, t).find("missing field 'vocab'"), std::string::npos);
}

TEST(TokenizerErrors, UnknownAndUnsupportedComponents) {
    struct Case {
        const char* field;
        json spec;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"normalizer",
         {{"type", "Precompiled"}, {"precompiled_charsmap", "AAAA"}},
         "normalizer type 'Precompiled' is not supported"},
        {"normalizer",
         {{"type", "Sequence"}, {"normalizers", {{{"type", "NFC"}}, {{"type", "Bogus"}}}}},
         "tokenizer.normalizer.normalizers[1]: normalizer type 'Bogus'"},
        {"pre_tokenizer", {{"type", "UnicodeScripts"}}, "pre-tokenizer type 'UnicodeScripts'"},
        {"pre_tokenizer",
         {{"type", "Split"},
          {"pattern", {{"Regex", "(unclosed"}}},
          {"behavior", "Isolated"},
          {"invert", false}},
         "does not compile"},
        {"pre_tokenizer",
         {{"type", "Split"},
          {"pattern", {{"Regex", "x"}}},
          {"behavior", "Sideways"},
          {"invert", false}},
         "unknown split behavior 'Sideways'"},
        {"decoder", {{"type", "CTC"}}, "decoder type 'CTC' is not supported"},
        {"post_processor", {{"type", "Mystery"}}, "post-processor type 'Mystery' is not supported"},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single", {{{"SpecialToken", {{"id", "<bos>"}, {"type_id", 0}}}}}},
          {"special_tokens", json::object()}},
         "special token '<bos>' is missing"},
    };
    for (const auto& c : cases) {
        TempDir dir;
        json t = minimal_tokenizer();
        t[c.field] = c.spec;
        const std::string msg = load_error(dir, t);
        EXPECT_NE(msg.find("tokenizer.json: "), std::string::npos) << msg;
        EXPECT_NE(msg.find(c.expected), std::string::npos) << "got: " << msg;
    }
}

TEST(TokenizerErrors, ModelOptionsThatCannotWork) {
    TempDir dir;
    json t = minimal_tokenizer();
    t["model"]["dropout"] = 0.1;
    EXPECT_NE(load_error(dir, t).find("dropout"), std::string::npos);
    t = minimal_tokenizer();
    t["model"]["unk_token"] = "<unk>";
    EXPECT_NE(load_error(dir, t).find("unk token '<unk>' is not in the vocabulary"),
              std::string::npos);
    t = minimal_tokenizer();
    t["version"] = "2.0";
    EXPECT_NE(load_error(dir, t).find("version '2.0'"), std::string::npos);
    t = minimal_tokenizer();
    t["model"]["vocab"]["huge"] = 2000000000;
    EXPECT_NE(load_error(dir, t).find("implausibly large"), std::string::npos);
}

TEST(TokenizerErrors, BadConfigNamesTheConfigFile) {
    TempDir dir;
    std::string msg = load_error(dir, minimal_tokenizer().dump(), "{not json");
    EXPECT_NE(msg.find("tokenizer_config.json"), std::string::npos) << msg;
    msg = load_error(dir, minimal_tokenizer().dump(), R"({"bos_token": "<|nowhere|>"})");
    EXPECT_NE(msg.find("tokenizer_config.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'<|nowhere|>' is not in the tokenizer's vocabulary"), std::string::npos)
        << msg;
}

TEST(TokenizerErrors, InvalidUtf8TextIsRejected) {
    TempDir dir;
    ASSERT_EQ(load_error(dir, minimal_tokenizer()), "");
    const auto tok = rs::Tokenizer::load(dir.path().string());
    EXPECT_THROW(tok.encode(std::string("ok \xC3\x28 no"), false), rs::Error);
    EXPECT_THROW(tok.encode(std::string("\xED\xA0\x80"), false), rs::Error);  // a surrogate
    EXPECT_THROW(tok.token_text(99999), rs::UsageError);
}

TEST(TokenizerErrors, CliReportsBadInput) {
    TempDir dir;
    auto r = rs::test::run_cli({"tokenize", (dir / "missing").string(), "--text", "hi"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
    r = rs::test::run_cli({"tokenize", dir.path().string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--text"), std::string::npos) << r.err;
    rs::test::write_file(dir / "tokenizer.json", R"({"model": {"type": "Unigram", "vocab": []}})");
    r = rs::test::run_cli({"tokenize", dir.path().string(), "--text", "hi", "--json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("Unigram"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

}  // namespace
