// The corrupt-input catalogue (tests/corpus/catalogue.json, written by
// tests/corpus/make_corpus.py): every corrupt safetensors file, config.json, tokenizer.json and
// trace gives one FileError naming the file and the problem from the core, and the CLI exits 1 with
// that same single line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "error.h"
#include "tokenizer.h"
#include "trace_reader.h"
#include "tests/test_util.h"

using namespace rs;
namespace fs = std::filesystem;

namespace {

struct Entry {
    std::string cls;               // safetensors | config | tokenizer | trace
    std::string file;              // relative to tests/corpus
    std::string expect;            // phrase the error must contain
    std::string base;              // fixture folder the file is installed into (not for traces)
    std::string install_as;        // the file it replaces there
    std::string names;             // what the message must name: "file", "dir" or "file:<name>"
    std::vector<std::string> cli;  // CLI arguments, "{dir}"/"{file}" substituted; empty: default
};

std::vector<Entry> load_catalogue() {
    const auto text = test::read_file(test::source_dir() / "tests/corpus/catalogue.json");
    std::vector<Entry> out;
    for (const auto& j : nlohmann::json::parse(text)) {
        Entry e;
        e.cls = j.at("cls");
        e.file = j.at("file");
        e.expect = j.at("expect");
        e.base = j.value("base", "");
        if (j.contains("install_as") && j["install_as"].is_string()) e.install_as = j["install_as"];
        e.names = j.value("names", "file");
        if (j.contains("cli") && j["cli"].is_array())
            e.cli = j["cli"].get<std::vector<std::string>>();
        out.push_back(e);
    }
    return out;
}

// gtest prints a failing parameter; the file name says everything, not 216 bytes of hex.
void PrintTo(const Entry& e, std::ostream* os) {
    *os << e.file;
}

std::string test_name(const ::testing::TestParamInfo<Entry>& info) {
    std::string n = info.param.file;
    n = n.substr(0, n.rfind('.'));
    std::replace_if(
        n.begin(), n.end(), [](char c) { return !std::isalnum(c); }, '_');
    return n;
}

// Does what opening the input in the app does: everything a run or a viewer reads first.
void load(const Entry& e, const fs::path& target) {
    if (e.cls == "trace") {
        TraceReader r = TraceReader::open(target.string());
        (void)r.token_nll();
        (void)r.curves();
        return;
    }
    if (e.cls == "tokenizer") {
        const Tokenizer tok = Tokenizer::load(target.string());
        (void)tok.encode("Hello world", true);
        return;
    }
    const Checkpoint ck = Checkpoint::open(target.string());
    for (const auto& [name, shape] : expected_tensors(ck.config(), ck.layout()))
        (void)ck.tensor(name);  // value checks happen on first access
}

class Catalogue : public ::testing::TestWithParam<Entry> {};

TEST_P(Catalogue, OneLineErrorNamingTheFileAndTheProblem) {
    const Entry& e = GetParam();
    test::TempDir tmp;
    const fs::path corrupt = test::source_dir() / "tests/corpus" / e.file;
    fs::path target = corrupt, named = corrupt;  // what is opened, and what the message names
    if (e.cls != "trace") {
        target = tmp / "in";
        test::copy_fixture(e.base, target);
        fs::copy_file(corrupt, target / e.install_as, fs::copy_options::overwrite_existing);
        named = e.names == "dir"                 ? target
                : e.names.rfind("file:", 0) == 0 ? target / e.names.substr(5)
                                                 : target / e.install_as;
    }
    std::string message;
    try {
        load(e, target);
        FAIL() << e.file << " loaded without an error (expected: " << e.expect << ")";
    } catch (const FileError& err) {
        message = err.what();
    }
    EXPECT_NE(message.find(named.string() + ": "), std::string::npos) << message;
    EXPECT_NE(message.find(e.expect), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;

    std::vector<std::string> args = e.cli;
    if (args.empty())
        args = e.cls == "trace" ? std::vector<std::string>{"show", "{file}"}
               : e.cls == "tokenizer"
                   ? std::vector<std::string>{"tokenize", "{dir}", "--text", "hi"}
                   : std::vector<std::string>{"info", "{dir}"};
    for (auto& a : args) {
        if (a == "{dir}") a = target.string();
        if (a == "{file}") a = target.string();
    }
    const auto r = test::run_cli(args);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(named.string() + ": "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(e.expect), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, Catalogue, ::testing::ValuesIn(load_catalogue()), test_name);

// The catalogue keeps what the issue asks of it: at least ten malformations per input class.
TEST(CatalogueSize, TenPerClass) {
    const auto entries = load_catalogue();
    for (const char* cls : {"safetensors", "config", "tokenizer", "trace"})
        EXPECT_GE(std::count_if(entries.begin(), entries.end(),
                                [&](const Entry& e) { return e.cls == cls; }),
                  10)
            << cls;
}

}  // namespace
