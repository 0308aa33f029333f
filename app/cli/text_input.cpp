// Reads and tokenizes the model input of a CLI command.
#include "app/cli/text_input.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli/checkpoint_args.h"
#include "core/error.h"
#include "core/tokenizer.h"

namespace rs::cli {

const std::vector<std::string> kTextInputOptions = {"ids", "text", "text-file", "max-tokens", "no-bos"};

TextInput read_text_input(const Args& args, const Checkpoint& ck) {
    TextInput in;
    const int given = int(args.get("ids").has_value()) + int(args.get("text").has_value()) +
                      int(args.get("text-file").has_value());
    if (given != 1) throw UsageError("give exactly one input: --ids, --text or --text-file");
    const long max_tokens = args.get_int("max-tokens", 0);
    if (max_tokens < 0) throw UsageError("--max-tokens must be positive");
    if (auto ids = args.get("ids")) {
        in.ids = parse_ids(*ids);
        for (auto id : in.ids) in.tokens.push_back("#" + std::to_string(id));
        in.offsets.assign(in.ids.size(), {0, 0});
    } else {
        if (auto t = args.get("text")) {
            in.text = *t;
        } else {
            const std::string path = *args.get("text-file");
            std::ifstream f(path, std::ios::binary);
            if (!f) throw FileError(path, "cannot open");
            std::stringstream ss;
            ss << f.rdbuf();
            in.text = ss.str();
        }
        const auto tok_path = std::filesystem::path(ck.dir()) / "tokenizer.json";
        if (!std::filesystem::exists(tok_path))
            throw FileError(tok_path.string(), "missing: text input needs the checkpoint's tokenizer (or pass --ids)");
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
