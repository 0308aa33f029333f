// Encodes a run's input: the one place ids and text become the tokens a run reads.
#include "run_input.h"

#include <filesystem>

#include "error.h"

namespace rs {

namespace {

TraceTokens checked(TraceTokens in, int max_tokens) {
    if (max_tokens > 0 && in.ids.size() > std::size_t(max_tokens)) {
        in.ids.resize(max_tokens);
        in.display.resize(max_tokens);
        in.offsets.resize(max_tokens);
    }
    if (in.ids.size() < 2) throw UsageError("the input has fewer than 2 tokens");
    return in;
}

}  // namespace

TraceTokens encode_ids(std::vector<std::int32_t> ids, int max_tokens) {
    TraceTokens in;
    in.ids = std::move(ids);
    for (auto id : in.ids) in.display.push_back("#" + std::to_string(id));
    in.offsets.assign(in.ids.size(), {0, 0});
    return checked(std::move(in), max_tokens);
}

TraceTokens encode_text(const Tokenizer& tokenizer, std::string text, bool bos, int max_tokens) {
    TraceTokens in;
    Encoding enc = tokenizer.encode(text, bos);
    in.text = std::move(text);
    in.ids = std::move(enc.ids);
    in.offsets = std::move(enc.offsets);
    for (auto id : in.ids) in.display.push_back(tokenizer.token_display(id));
    return checked(std::move(in), max_tokens);
}

Tokenizer input_tokenizer(const std::string& dir) {
    const auto path = std::filesystem::path(dir) / "tokenizer.json";
    if (!std::filesystem::exists(path))
        throw FileError(path.string(),
                        "missing: text input needs the checkpoint's tokenizer (or pass --ids)");
    return Tokenizer::load(dir);
}

}  // namespace rs
