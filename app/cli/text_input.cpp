// Parses and reads the model input of a CLI command; the encoding itself is the core's.
#include "app/cli/text_input.h"

#include <fstream>
#include <limits>
#include <sstream>

#include "app/cli/checkpoint_args.h"
#include "error.h"
#include "run_input.h"

namespace rs::cli {

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

InputChoice parse_input(const Args& args) {
    InputChoice in;
    const int given = int(args.get("ids").has_value()) + int(args.get("ids-file").has_value()) +
                      int(args.get("text").has_value()) + int(args.get("text-file").has_value());
    if (given != 1)
        throw UsageError("give exactly one input: --ids, --ids-file, --text or --text-file");
    const long max_tokens = args.get_int("max-tokens", 0);
    if (max_tokens < 0) throw UsageError("--max-tokens must be positive");
    in.max_tokens = int(std::min<long>(max_tokens, std::numeric_limits<int>::max()));
    in.bos = !args.flag("no-bos");
    if (auto v = args.get("ids")) {
        in.source = InputChoice::Source::Ids;
        in.ids = parse_ids(*v);
    } else if (auto f = args.get("ids-file")) {
        in.source = InputChoice::Source::IdsFile;
        in.value = *f;
    } else if (auto t = args.get("text")) {
        in.source = InputChoice::Source::Text;
        in.value = *t;
    } else {
        in.source = InputChoice::Source::TextFile;
        in.value = *args.get("text-file");
    }
    return in;
}

ModelRunChoice parse_model_run(const Args& args) {
    ModelRunChoice m;
    m.checkpoint = parse_checkpoint(args);
    m.input = parse_input(args);
    m.out = args.get("out");
    m.quiet = args.flag("quiet");
    m.json = args.flag("json");
    return m;
}

TraceTokens read_input(const InputChoice& in, const Checkpoint& ck) {
    switch (in.source) {
        case InputChoice::Source::Ids:
            return encode_ids(in.ids, in.max_tokens);
        case InputChoice::Source::IdsFile:
            return encode_ids(read_ids_file(in.value), in.max_tokens);
        case InputChoice::Source::Text:
        case InputChoice::Source::TextFile:
            break;
    }
    std::string text = in.source == InputChoice::Source::Text ? in.value : read_whole(in.value);
    return encode_text(input_tokenizer(ck.dir()), std::move(text), in.bos, in.max_tokens);
}

}  // namespace rs::cli
