// The texts of a study, read from untrusted files: a folder of .txt files, a JSONL file with a
// "text" field per line, one long .txt cut into windows of N tokens, or a token-id windows file
// (the format of sample_data/validation_ids.json). Every problem is a FileError naming the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tokenizer.h"

namespace rs {

enum class CorpusFormat { TextFolder, Jsonl, TextFile, TextWindows, IdsWindows };
std::string corpus_format_name(CorpusFormat f);  // "txt-folder", "jsonl", "txt", "txt-windows", "ids-windows"

struct CorpusText {
    std::string name;              // file name, "line 3", "window 0"
    std::string text;              // text formats
    std::vector<std::int32_t> ids;  // IdsWindows only
};

struct Corpus {
    std::string path;
    CorpusFormat format = CorpusFormat::TextFile;
    int window = 0;                 // TextWindows: tokens per window
    std::vector<CorpusText> texts;  // TextWindows: the one long text
    std::string hash;               // FNV-1a of format, window, names and contents
    bool needs_tokenizer() const { return format != CorpusFormat::IdsWindows; }
};

// Reads `path` (format from what it is: folder, *.jsonl, *.json, *.txt). `window` > 0 cuts a
// single .txt into windows and is refused (UsageError) for the other formats. Throws FileError
// naming the file for an empty corpus, a line without "text", malformed ids, invalid UTF-8.
Corpus read_corpus(const std::string& path, int window);

// The token ids of every text as one checkpoint's tokenizer reads them (nullptr for ids corpora),
// each cut to max_tokens (> 0). TextWindows: the text encoded without special tokens and cut into
// consecutive windows of `window` tokens, [BOS] + window - 1 ids when the tokenizer has a BOS
// token; only full windows. Other text formats: encoded with the tokenizer's special tokens.
// Throws FileError naming the corpus and the text for one shorter than 2 tokens or than the window.
struct CorpusTokens {
    std::vector<std::string> names;
    std::vector<std::vector<std::int32_t>> ids;  // [texts]
};
CorpusTokens corpus_tokens(const Corpus& corpus, const Tokenizer* tokenizer, int max_tokens);

}  // namespace rs
