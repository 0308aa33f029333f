// Corpus readers and their validation; the only code that reads a study's texts.
#include "study_corpus.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "error.h"
#include "json_depth.h"
#include "study_hash.h"
#include "utf8.h"

namespace rs {

namespace fs = std::filesystem;

namespace {

// A corpus file is read whole; anything above this is not a corpus a study can run.
constexpr std::uintmax_t kMaxCorpusBytes = std::uintmax_t(1) << 30;

std::string read_whole(const fs::path& p) {
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) throw FileError(p.string(), "cannot read: " + ec.message());
    if (size > kMaxCorpusBytes) throw FileError(p.string(), "larger than 1 GiB; split the corpus");
    std::ifstream f(p, std::ios::binary);
    if (!f) throw FileError(p.string(), "cannot open for reading");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (f.bad()) throw FileError(p.string(), "read error");
    return s;
}

std::string checked_text(std::string text, const std::string& where) {
    if (const auto at = utf8::find_invalid(text); at != std::string::npos)
        throw FileError(where, "not valid UTF-8 (byte " + std::to_string(at) + ")");
    return text;
}

std::vector<CorpusText> read_folder(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".txt" && e.is_regular_file()) files.push_back(e.path());
    if (ec) throw FileError(dir.string(), "cannot list the folder: " + ec.message());
    std::sort(files.begin(), files.end());
    std::vector<CorpusText> out;
    for (const auto& f : files)
        out.push_back({f.filename().string(), checked_text(read_whole(f), f.string()), {}});
    return out;
}

std::vector<CorpusText> read_jsonl(const fs::path& p) {
    std::istringstream in(read_whole(p));
    std::vector<CorpusText> out;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = "line " + std::to_string(n) + ": ";
        if (!json_depth_within(line)) throw FileError(p.string(), where + "JSON nested too deeply");
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
            throw FileError(p.string(), where + "not JSON (" + e.what() + ")");
        }
        if (!j.is_object() || !j.contains("text"))
            throw FileError(p.string(), where + "no \"text\" field");
        if (!j["text"].is_string()) throw FileError(p.string(), where + "\"text\" is not a string");
        out.push_back({"line " + std::to_string(n), j["text"].get<std::string>(), {}});
    }
    return out;
}

int json_int(const nlohmann::json& v, const std::string& path, const std::string& what, long lo) {
    if (!v.is_number_integer()) throw FileError(path, what + " is not an integer");
    const auto x = v.get<long long>();
    if (x < lo || x > INT32_MAX) throw FileError(path, what + " = " + std::to_string(x) + " is out of range");
    return int(x);
}

std::vector<CorpusText> read_ids_windows(const fs::path& p) {
    const std::string path = p.string(), text = read_whole(p);
    if (!json_depth_within(text)) throw FileError(path, "JSON nested too deeply");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw FileError(path, std::string("not JSON (") + e.what() + ")");
    }
    if (!j.is_object()) throw FileError(path, "not a JSON object of token-id windows");
    static const std::set<std::string> known{"description", "tokenizer", "text", "bos_id",
                                             "window_length", "windows"};
    for (const auto& [k, v] : j.items())
        if (!known.count(k)) throw FileError(path, "unknown field \"" + k + "\"");
    for (const char* k : {"description", "tokenizer", "text"})
        if (j.contains(k) && !j[k].is_string()) throw FileError(path, std::string("\"") + k + "\" is not a string");
    if (!j.contains("windows") || !j["windows"].is_array())
        throw FileError(path, "no \"windows\" array of token-id lists");
    std::optional<int> length, bos;
    if (j.contains("window_length")) length = json_int(j["window_length"], path, "window_length", 2);
    if (j.contains("bos_id")) bos = json_int(j["bos_id"], path, "bos_id", 0);
    std::vector<CorpusText> out;
    for (std::size_t k = 0; k < j["windows"].size(); ++k) {
        const auto& w = j["windows"][k];
        const std::string name = "window " + std::to_string(k);
        if (!w.is_array()) throw FileError(path, name + " is not a list of token ids");
        CorpusText t{name, {}, {}};
        for (const auto& id : w) t.ids.push_back(json_int(id, path, name + ": a token id", 0));
        if (length && int(t.ids.size()) != *length)
            throw FileError(path, name + " has " + std::to_string(t.ids.size()) +
                                      " ids, window_length says " + std::to_string(*length));
        if (bos && (t.ids.empty() || t.ids[0] != *bos))
            throw FileError(path, name + " does not start with bos_id " + std::to_string(*bos));
        out.push_back(std::move(t));
    }
    return out;
}

std::string corpus_hash(const Corpus& c) {
    Fnv1a h;
    h.add(corpus_format_name(c.format)).add(std::to_string(c.window));
    for (const auto& t : c.texts) {
        h.add(t.name).add(t.text);
        std::string ids;
        for (auto id : t.ids) ids += std::to_string(id) + ",";
        h.add(ids);
    }
    return h.hex();
}

}  // namespace

std::string corpus_format_name(CorpusFormat f) {
    switch (f) {
        case CorpusFormat::TextFolder: return "txt-folder";
        case CorpusFormat::Jsonl: return "jsonl";
        case CorpusFormat::TextFile: return "txt";
        case CorpusFormat::TextWindows: return "txt-windows";
        case CorpusFormat::IdsWindows: return "ids-windows";
    }
    return "?";
}

Corpus read_corpus(const std::string& path, int window) {
    Corpus c;
    c.path = path;
    const fs::path p(path);
    std::error_code ec;
    if (!fs::exists(p, ec)) throw FileError(path, "no such file or folder");
    const std::string ext = p.extension().string();
    if (fs::is_directory(p, ec)) {
        c.format = CorpusFormat::TextFolder;
        c.texts = read_folder(p);
    } else if (ext == ".jsonl") {
        c.format = CorpusFormat::Jsonl;
        c.texts = read_jsonl(p);
    } else if (ext == ".json") {
        c.format = CorpusFormat::IdsWindows;
        c.texts = read_ids_windows(p);
    } else if (ext == ".txt") {
        c.format = window > 0 ? CorpusFormat::TextWindows : CorpusFormat::TextFile;
        c.texts.push_back({p.filename().string(), checked_text(read_whole(p), path), {}});
    } else {
        throw FileError(path, "not a corpus: a folder of .txt files, a .jsonl, a .json of token-id "
                              "windows or a .txt file");
    }
    if (window > 0 && c.format != CorpusFormat::TextWindows)
        throw UsageError("--window cuts a single .txt corpus into windows; " + path + " is " +
                         corpus_format_name(c.format));
    c.window = window;
    if (c.texts.empty()) throw FileError(path, "empty corpus: no texts");
    c.hash = corpus_hash(c);
    return c;
}

namespace {

std::vector<std::int32_t> encoded(const Corpus& c, const CorpusText& t, const Tokenizer& tok,
                                  bool special) {
    try {
        return tok.encode(t.text, special).ids;
    } catch (const FileError&) {
        throw;
    } catch (const Error& e) {
        throw FileError(c.path, t.name + ": " + e.what());
    }
}

std::vector<std::vector<std::int32_t>> windows_of(const Corpus& c, const Tokenizer& tok) {
    const auto ids = encoded(c, c.texts.front(), tok, false);
    const auto bos = tok.bos_id();
    const std::size_t body = std::size_t(c.window) - (bos ? 1 : 0);
    if (ids.size() < body || body == 0)
        throw FileError(c.path, "the text has " + std::to_string(ids.size()) +
                                    " tokens, shorter than the window of " + std::to_string(c.window));
    std::vector<std::vector<std::int32_t>> out;
    for (std::size_t at = 0; at + body <= ids.size(); at += body) {
        std::vector<std::int32_t> w;
        if (bos) w.push_back(*bos);
        w.insert(w.end(), ids.begin() + long(at), ids.begin() + long(at + body));
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace

CorpusTokens corpus_tokens(const Corpus& c, const Tokenizer* tok, int max_tokens) {
    if (c.needs_tokenizer() && !tok) throw FileError(c.path, "a text corpus needs the checkpoint's tokenizer");
    CorpusTokens out;
    if (c.format == CorpusFormat::TextWindows) {
        out.ids = windows_of(c, *tok);
        for (std::size_t k = 0; k < out.ids.size(); ++k) out.names.push_back("window " + std::to_string(k));
    } else {
        for (const auto& t : c.texts) {
            out.names.push_back(t.name);
            out.ids.push_back(c.format == CorpusFormat::IdsWindows ? t.ids : encoded(c, t, *tok, true));
        }
    }
    for (std::size_t k = 0; k < out.ids.size(); ++k) {
        auto& ids = out.ids[k];
        if (max_tokens > 0 && ids.size() > std::size_t(max_tokens)) ids.resize(std::size_t(max_tokens));
        if (ids.size() < 2)
            throw FileError(c.path, out.names[k] + " has " + std::to_string(ids.size()) +
                                        " tokens; a study needs at least 2 per text");
    }
    return out;
}

}  // namespace rs
