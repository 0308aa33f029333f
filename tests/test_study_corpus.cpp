// Study corpora: each format read as documented, and every malformed input refused with an error
// naming the file (and the text or line where there is one).
#include <gtest/gtest.h>

#include "error.h"
#include "study_corpus.h"
#include "tests/study_test_util.h"
#include "tests/test_util.h"
#include "tokenizer.h"

namespace rs {
namespace {

namespace fs = std::filesystem;

Tokenizer sample_tokenizer() { return Tokenizer::load((test::source_dir() / "sample_data/rope").string()); }

TEST(StudyCorpus, FolderReadsItsTxtFilesSortedByName) {
    test::TempDir dir;
    test::write_file(dir / "b.txt", "second text");
    test::write_file(dir / "a.txt", "first text");
    test::write_file(dir / "notes.md", "not a text of the corpus");
    const Corpus c = read_corpus(dir.path().string(), 0);
    EXPECT_EQ(c.format, CorpusFormat::TextFolder);
    ASSERT_EQ(c.texts.size(), 2u);
    EXPECT_EQ(c.texts[0].name, "a.txt");
    EXPECT_EQ(c.texts[0].text, "first text");
    EXPECT_EQ(c.texts[1].name, "b.txt");
}

TEST(StudyCorpus, JsonlReadsTheTextFieldOfEveryLine) {
    test::TempDir dir;
    test::write_file(dir / "c.jsonl", "{\"text\": \"one\", \"id\": 7}\n\n{\"text\": \"two\"}\n");
    const Corpus c = read_corpus((dir / "c.jsonl").string(), 0);
    ASSERT_EQ(c.texts.size(), 2u);
    EXPECT_EQ(c.texts[0].text, "one");
    EXPECT_EQ(c.texts[1].name, "line 3");
}

TEST(StudyCorpus, TokenIdWindowsReadTheValidationFile) {
    const auto path = test::source_dir() / "sample_data/validation_ids.json";
    const Corpus c = read_corpus(path.string(), 0);
    EXPECT_EQ(c.format, CorpusFormat::IdsWindows);
    ASSERT_EQ(c.texts.size(), 38u);
    const CorpusTokens t = corpus_tokens(c, nullptr, 0);
    for (const auto& ids : t.ids) {
        ASSERT_EQ(ids.size(), 512u);
        EXPECT_EQ(ids.front(), 4094);
    }
    EXPECT_EQ(corpus_tokens(c, nullptr, 100).ids[5].size(), 100u) << "--max-tokens cuts each text";
}

TEST(StudyCorpus, OneLongTextIsCutIntoWindowsOfNTokens) {
    const auto path = test::source_dir() / "sample_data/sample.txt";
    const Corpus c = read_corpus(path.string(), 300);
    EXPECT_EQ(c.format, CorpusFormat::TextWindows);
    const Tokenizer tok = sample_tokenizer();
    const CorpusTokens t = corpus_tokens(c, &tok, 0);
    const auto whole = tok.encode(test::read_file(path), false).ids;
    ASSERT_EQ(t.ids.size(), whole.size() / 299) << "only full windows of [BOS] + 299 ids";
    std::vector<std::int32_t> joined;
    for (const auto& w : t.ids) {
        ASSERT_EQ(w.size(), 300u);
        EXPECT_EQ(w.front(), *tok.bos_id());
        joined.insert(joined.end(), w.begin() + 1, w.end());
    }
    EXPECT_TRUE(std::equal(joined.begin(), joined.end(), whole.begin())) << "consecutive pieces of the text";
}

TEST(StudyCorpus, TheHashTellsCorporaApart) {
    test::TempDir dir;
    test::write_file(dir / "a.jsonl", "{\"text\": \"one\"}\n");
    test::write_file(dir / "b.jsonl", "{\"text\": \"one!\"}\n");
    EXPECT_NE(read_corpus((dir / "a.jsonl").string(), 0).hash, read_corpus((dir / "b.jsonl").string(), 0).hash);
    EXPECT_EQ(read_corpus((dir / "a.jsonl").string(), 0).hash, read_corpus((dir / "a.jsonl").string(), 0).hash);
}

struct BadCorpus {
    std::string label, file, content;
    std::string expect;  // part of the message after the file name
    int window = 0;
};

class StudyCorpusErrors : public ::testing::TestWithParam<BadCorpus> {};

// Reading and encoding (with the sample tokenizer) the corpus; the FileError names the file.
TEST_P(StudyCorpusErrors, NameTheFileAndTheProblem) {
    const BadCorpus& b = GetParam();
    test::TempDir dir;
    fs::path p = dir / b.file;
    if (b.file.back() == '/') {
        fs::create_directories(p);
        if (!b.content.empty()) test::write_file(p / "t.txt", b.content);
    } else {
        test::write_file(p, b.content);
    }
    const Tokenizer tok = sample_tokenizer();
    try {
        const Corpus c = read_corpus(p.string(), b.window);
        static_cast<void>(corpus_tokens(c, &tok, 0));
        FAIL() << "accepted";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find(dir.path().string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(b.expect), std::string::npos) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Formats, StudyCorpusErrors,
    ::testing::Values(
        BadCorpus{"empty_folder", "texts/", "", "empty corpus"},
        BadCorpus{"empty_jsonl", "c.jsonl", "\n\n", "empty corpus"},
        BadCorpus{"line_without_text", "c.jsonl", "{\"text\": \"a b c\"}\n{\"body\": \"x\"}\n", "line 2: no \"text\" field"},
        BadCorpus{"text_not_a_string", "c.jsonl", "{\"text\": 5}\n", "line 1: \"text\" is not a string"},
        BadCorpus{"line_not_json", "c.jsonl", "{\"text\": \"a\"\n", "line 1: not JSON"},
        BadCorpus{"deep_json_line", "c.jsonl", std::string(200, '[') + std::string(200, ']'), "nested too deeply"},
        BadCorpus{"ids_unknown_field", "w.json", "{\"windows\": [[1,2]], \"colour\": 1}", "unknown field \"colour\""},
        BadCorpus{"ids_no_windows", "w.json", "{\"description\": \"x\"}", "no \"windows\" array"},
        BadCorpus{"ids_empty", "w.json", "{\"windows\": []}", "empty corpus"},
        BadCorpus{"ids_negative", "w.json", "{\"windows\": [[1,-2]]}", "window 0: a token id = -2 is out of range"},
        BadCorpus{"ids_not_integer", "w.json", "{\"windows\": [[1,2.5]]}", "window 0: a token id is not an integer"},
        BadCorpus{"ids_wrong_length", "w.json", "{\"window_length\": 3, \"windows\": [[1,2,3],[1,2]]}", "window 1 has 2 ids, window_length says 3"},
        BadCorpus{"ids_without_bos", "w.json", "{\"bos_id\": 4, \"windows\": [[4,2],[1,2]]}", "window 1 does not start with bos_id 4"},
        BadCorpus{"ids_one_token", "w.json", "{\"windows\": [[1,2],[3]]}", "window 1 has 1 tokens; a study needs at least 2"},
        BadCorpus{"text_of_one_token", "c.jsonl", "{\"text\": \"\"}\n", "a study needs at least 2 per text"},
        BadCorpus{"text_shorter_than_window", "long.txt", "In the beginning", "shorter than the window of 512", 512},
        BadCorpus{"invalid_utf8", "t.txt", "abc\xff\xfe", "not valid UTF-8"},
        BadCorpus{"unknown_kind", "c.csv", "a,b", "not a corpus"}),
    [](const ::testing::TestParamInfo<BadCorpus>& info) { return info.param.label; });

TEST(StudyCorpus, WindowAppliesOnlyToASingleTextFile) {
    test::TempDir dir;
    test::write_file(dir / "c.jsonl", "{\"text\": \"one\"}\n");
    EXPECT_THROW(read_corpus((dir / "c.jsonl").string(), 64), UsageError);
}

TEST(StudyCorpus, MissingCorpusNamesThePath) {
    test::TempDir dir;
    try {
        read_corpus((dir / "nowhere").string(), 0);
        FAIL();
    } catch (const FileError& e) {
        EXPECT_EQ(e.path(), (dir / "nowhere").string());
    }
}

}  // namespace
}  // namespace rs
