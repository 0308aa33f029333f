// Tokenizer behaviour beyond id agreement (which tests/tokenizer/ checks against the reference):
// offsets, round trips, BOS/EOS from tokenizer_config.json, display labels, thread safety, and the
// Unicode details the implementation relies on (lossy UTF-8, Oniguruma's \s, onig iteration).
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <vector>

#include <nlohmann/json.hpp>

#include "error.h"
#include "onig_regex.h"
#include "tokenizer.h"
#include "utf8.h"
#include "tests/test_util.h"

namespace {

namespace fs = std::filesystem;
using rs::test::TempDir;

fs::path fixture(const std::string& name) {
    return rs::test::fixture_dir("tokenizers") / name;
}

std::vector<std::string> sample_texts() {
    return {"Hello world",
            "  two  spaces\tand\ttabs\r\n",
            "café cafe\u0301 \u3000ideographic",
            "emoji 👨‍👩‍👧 and 🇫🇷",
            "数字 12345 and ١٢٣",
            "<s> literal </s> [INST] x [/INST]",
            ""};
}

// Offsets are in bounds, on character boundaries, and never go backwards for text tokens.
TEST(Tokenizer, OffsetsAreValidByteRanges) {
    for (const char* name :
         {"bytelevel_added", "metaspace_first", "sp_unk_fuse", "bert_like_bpe"}) {
        const auto tok = rs::Tokenizer::load(fixture(name).string());
        for (const auto& text : sample_texts()) {
            const auto enc = tok.encode(text, false);
            ASSERT_EQ(enc.ids.size(), enc.offsets.size());
            for (const auto& [b, e] : enc.offsets) {
                EXPECT_LE(b, e) << name << " on '" << text << "'";
                EXPECT_LE(e, text.size());
                for (std::size_t p : {b, e}) {
                    const bool inside = p < text.size();
                    EXPECT_TRUE(!inside || (static_cast<unsigned char>(text[p]) & 0xC0) != 0x80);
                }
            }
        }
    }
}

// Byte-level tokenizers keep every byte, so decode(encode(x)) gives x back exactly.
TEST(Tokenizer, ByteLevelRoundTrip) {
    const auto tok = rs::Tokenizer::load(fixture("bytelevel_nfc_qwen").string());
    for (const auto& text : sample_texts()) {
        if (text != rs::utf8::decode_lossy(text)) continue;
        // NFC may change the text; compare against what the normalizer keeps: decoding twice is
        // stable.
        const auto ids = tok.encode(text, false).ids;
        const std::string once = tok.decode(ids, false);
        EXPECT_EQ(tok.decode(tok.encode(once, false).ids, false), once);
    }
    const std::string ascii = "  plain ASCII, with   spaces\n\tand tabs. 123";
    EXPECT_EQ(tok.decode(tok.encode(ascii, false).ids, false), ascii);
}

TEST(Tokenizer, SpecialTokensFromTemplateAndSkipOnDecode) {
    const auto tok = rs::Tokenizer::load(fixture("metaspace_first").string());
    ASSERT_TRUE(tok.bos_id());
    EXPECT_EQ(tok.bos_id(), tok.token_to_id("<s>"));
    EXPECT_TRUE(tok.is_special(*tok.bos_id()));
    const auto plain = tok.encode("Hello there", false);
    const auto with = tok.encode("Hello there", true);
    ASSERT_EQ(with.ids.size(), plain.ids.size() + 1);
    EXPECT_EQ(with.ids.front(), *tok.bos_id());
    EXPECT_EQ(with.offsets.front(), (std::pair<std::size_t, std::size_t>{0, 0}));
    EXPECT_EQ(std::vector<std::int32_t>(with.ids.begin() + 1, with.ids.end()), plain.ids);
    EXPECT_EQ(tok.decode(with.ids, true), tok.decode(plain.ids, false));
}

// transformers' Llama tokenizers rebuild BOS/EOS handling from add_bos_token / add_eos_token.
TEST(Tokenizer, ConfigAddBosEosOverridesTemplateForLlamaClass) {
    TempDir dir;
    fs::copy_file(fixture("metaspace_nosplit") / "tokenizer.json", dir / "tokenizer.json");
    auto config = [&](const std::string& cls, bool bos, bool eos) {
        nlohmann::json c = {{"tokenizer_class", cls},
                            {"add_bos_token", bos},
                            {"add_eos_token", eos},
                            {"bos_token", "<s>"},
                            {"eos_token", {{"content", "</s>"}, {"special", true}}}};
        rs::test::write_file(dir / "tokenizer_config.json", c.dump());
        return rs::Tokenizer::load(dir.path().string());
    };
    const std::string text = "Some text to wrap";
    {
        const auto tok = config("LlamaTokenizer", true, true);
        const auto plain = tok.encode(text, false).ids;
        auto expected = plain;
        expected.insert(expected.begin(), *tok.token_to_id("<s>"));
        expected.push_back(*tok.token_to_id("</s>"));
        EXPECT_EQ(tok.encode(text, true).ids, expected);
        EXPECT_EQ(tok.eos_id(), tok.token_to_id("</s>"));
    }
    {
        const auto tok = config("LlamaTokenizerFast", false, false);
        EXPECT_EQ(tok.encode(text, true).ids, tok.encode(text, false).ids);
    }
    {
        // Other classes follow the tokenizer.json post-processor (here: BOS only).
        const auto tok = config("PreTrainedTokenizerFast", false, true);
        const auto with = tok.encode(text, true).ids;
        EXPECT_EQ(with.front(), *tok.token_to_id("<s>"));
        EXPECT_EQ(with.size(), tok.encode(text, false).ids.size() + 1);
    }
}

TEST(Tokenizer, LoadsFileDirectlyAndReportsVocabulary) {
    const auto tok = rs::Tokenizer::load((fixture("bytelevel_added") / "tokenizer.json").string());
    const auto id = tok.token_to_id("<|endoftext|>");
    ASSERT_TRUE(id);
    EXPECT_EQ(tok.id_to_token(*id), "<|endoftext|>");
    EXPECT_TRUE(tok.is_special(*id));
    EXPECT_GT(tok.vocab_size(), static_cast<std::size_t>(*id));
    EXPECT_FALSE(tok.id_to_token(static_cast<std::int32_t>(tok.vocab_size())));
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(tok.vocab_size()); ++i) {
        const auto s = tok.id_to_token(i);
        EXPECT_TRUE(!s || tok.token_to_id(*s) == i) << "id " << i;
    }
}

TEST(Tokenizer, DisplayMakesWhitespaceVisible) {
    EXPECT_EQ(rs::display_text(" a\tb\nc\r"), "\u00B7a\u2192b\u23CEc\u240D");
    EXPECT_EQ(rs::display_text(""), "\u2205");
    EXPECT_EQ(rs::display_text("x\u200By"), "x[U+200B]y");
    EXPECT_EQ(rs::display_text("\u00A0\u3000"), "\u237D[U+3000]");
    EXPECT_EQ(rs::display_text(std::string("\x01", 1)), "\u2401");
    const auto tok = rs::Tokenizer::load(fixture("bytelevel_nfc_qwen").string());
    // A lone continuation byte token decodes to U+FFFD rather than broken UTF-8.
    const auto ids = tok.encode("\u2603", false).ids;  // a snowman: not in the fixture's merges
    ASSERT_GE(ids.size(), 2u);
    EXPECT_EQ(tok.token_text(ids[0]), "\uFFFD");
    const auto space = tok.encode(" the", false).ids;
    EXPECT_EQ(tok.token_display(space.front()).rfind("\u00B7", 0), 0u);
}

TEST(Tokenizer, ConcurrentEncodesAgreeWithSerial) {
    const auto tok = rs::Tokenizer::load(fixture("nfkc_lower_digits").string());
    std::vector<std::string> texts;
    for (int i = 0; i < 40; ++i)
        texts.push_back(sample_texts()[i % 6] + " #" + std::to_string(i * 7919));
    std::vector<std::vector<std::int32_t>> serial;
    for (const auto& t : texts) serial.push_back(tok.encode(t, true).ids);
    std::vector<std::future<std::vector<std::vector<std::int32_t>>>> workers;
    for (int w = 0; w < 4; ++w)
        workers.push_back(std::async(std::launch::async, [&] {
            std::vector<std::vector<std::int32_t>> out;
            for (const auto& t : texts) out.push_back(tok.encode(t, true).ids);
            return out;
        }));
    for (auto& w : workers) EXPECT_EQ(w.get(), serial);
}

// Unicode 15, chapter 3, "U+FFFD Substitution of Maximal Subparts" (Table 3-8's example).
TEST(Utf8, LossyDecodingReplacesMaximalSubparts) {
    const std::string bytes = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
    EXPECT_EQ(rs::utf8::decode_lossy(bytes), "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd");
    EXPECT_EQ(rs::utf8::find_invalid("ok \xE2\x82\xAC"), std::string::npos);
    EXPECT_EQ(rs::utf8::find_invalid("ok \xE2\x82"), 3u);
}

// Oniguruma's \s is Unicode White_Space (PropList.txt): U+0085 yes, U+180E and U+200B no.
TEST(OnigRegex, SpaceClassFollowsWhiteSpaceProperty) {
    const rs::OnigRegex space("\\s");
    EXPECT_EQ(space.find_all("\u0085").size(), 1u);
    EXPECT_EQ(space.find_all("\u3000\u2028").size(), 2u);
    EXPECT_TRUE(space.find_all("\u180E\u200B\uFEFF").empty());
    const rs::OnigRegex not_space("[^\\s]");
    EXPECT_EQ(not_space.find_all("\u180E").size(), 1u);
    EXPECT_THROW(rs::OnigRegex("[a-z&&[^aeiou]]"), rs::Error);
}

// onig's find_iter skips an empty match that touches the previous match's end.
TEST(OnigRegex, EmptyMatchesIterateLikeOnig) {
    const rs::OnigRegex re("a*");
    const std::vector<std::pair<std::size_t, std::size_t>> expected = {{0, 0}, {1, 4}};
    EXPECT_EQ(re.find_all("baaa"), expected);
}

}  // namespace

namespace {

TEST(TokenizerCli, JsonMatchesTheLibrary) {
    const fs::path dir = fixture("metaspace_first");
    const auto tok = rs::Tokenizer::load(dir.string());
    const std::string text = "Hello\tworld, <s> again";
    for (const bool special : {true, false}) {
        std::vector<std::string> args = {"tokenize", dir.string(), "--text", text, "--json"};
        if (!special) args.push_back("--no-special");
        const auto r = rs::test::run_cli(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto j = nlohmann::json::parse(r.out);
        const auto enc = tok.encode(text, special);
        EXPECT_EQ(j["ids"].get<std::vector<std::int32_t>>(), enc.ids);
        ASSERT_EQ(j["tokens"].size(), enc.ids.size());
        for (std::size_t i = 0; i < enc.ids.size(); ++i) {
            EXPECT_EQ(j["tokens"][i]["display"].get<std::string>(), tok.token_display(enc.ids[i]));
            EXPECT_EQ(j["tokens"][i]["offsets"][0].get<std::size_t>(), enc.offsets[i].first);
        }
        EXPECT_EQ(j["bos_id"].get<std::int32_t>(), *tok.bos_id());
    }
    const auto table = rs::test::run_cli({"tokenize", dir.string(), "--text", text});
    EXPECT_EQ(table.exit_code, 0);
    EXPECT_NE(table.out.find("(special)"), std::string::npos) << table.out;
}

}  // namespace
