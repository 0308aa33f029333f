// Reads and tokenizes the model input of a CLI command.
#include "app/cli/text_input.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli/checkpoint_args.h"
#include "error.h"
#include "tokenizer.h"

namespace rs::cli {

const std::vector<std::string> kTextInputOptions = {"ids",       "ids-file",   "text",
                                                    "text-file", "max-tokens", "no-bos"};

namespace {

std::string read_whole(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw FileError(path, "cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// Token ids separated by commas and/or whitespace: long inputs exceed the kernel's limit on one
// command-line argument (128 KiB, about 20k ids), so they come from a file.
std::vector<std::int32_t> read_ids_file(const std::string& path) {
    std::string text = read_whole(path);
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') c = ',';
    std::string joined;
    for (char c : text)
        if (c != ',' || (!joined.empty() && joined.back() != ',')) joined += c;
    while (!joined.empty() && joined.back() == ',') joined.pop_back();
    if (joined.empty()) throw FileError(path, "contains no token ids");
    try {
        return parse_ids(joined);
    } catch (const UsageError& e) {
        throw FileError(path, e.what());
    }
}

}  // namespace

TextInput read_text_input(const Args& args, const Checkpoint& ck) {
    TextInput in;
    const int given = int(args.get("ids").has_value()) + int(args.get("ids-file").has_value()) +
                      int(args.get("text").has_value()) + int(args.get("text-file").has_value());
    if (given != 1)
        throw UsageError("give exactly one input: --ids, --ids-file, --text or --text-file");
    const long max_tokens = args.get_int("max-tokens", 0);
    if (max_tokens < 0) throw UsageError("--max-tokens must be positive");
    if (args.get("ids") || args.get("ids-file")) {
        in.ids =
            args.get("ids") ? parse_ids(*args.get("ids")) : read_ids_file(*args.get("ids-file"));
        for (auto id : in.ids) in.tokens.push_back("#" + std::to_string(id));
        in.offsets.assign(in.ids.size(), {0, 0});
    } else {
        if (auto t = args.get("text")) {
            in.text = *t;
        } else {
            in.text = read_whole(*args.get("text-file"));
        }
        const auto tok_path = std::filesystem::path(ck.dir()) / "tokenizer.json";
        if (!std::filesystem::exists(tok_path))
            throw FileError(tok_path.string(),
                            "missing: text input needs the checkpoint's tokenizer (or pass --ids)");
        const Tokenizer tok = Tokenizer::load(ck.dir());
        Encoding enc = tok.encode(in.text, !args.flag("no-bos"));
        in.ids = std::move(enc.ids);
        in.offsets = std::move(enc.offsets);
        for (auto id : in.ids) in.tokens.push_back(tok.token_display(id));
    }
    if (max_tokens > 0 && long(in.ids.size()) > max_tokens) {
        in.ids.resize(max_tokens);
        in.tokens.resize(max_tokens);
        in.offsets.resize(max_tokens);
    }
    if (in.ids.size() < 2) throw UsageError("the input has fewer than 2 tokens");
    return in;
}

}  // namespace rs::cli
