// `ropescope-cli tokenize DIR --text "..."`: the ids a checkpoint's tokenizer gives a text, with
// each token's byte offsets and visible form (what heatmap axes show), or JSON for scripts.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "error.h"
#include "tokenizer.h"

namespace rs::cli {
namespace {

std::string input_text(const Args& args) {
    const auto text = args.get("text");
    const auto file = args.get("text-file");
    if (text && file) throw UsageError("give --text or --text-file, not both");
    if (text) return *text;
    if (!file) throw UsageError("give the text with --text \"...\" or --text-file FILE");
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw FileError(*file, "cannot open the file for reading");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

nlohmann::json to_json(const Tokenizer& tok, const Encoding& enc) {
    nlohmann::json tokens = nlohmann::json::array();
    for (std::size_t i = 0; i < enc.ids.size(); ++i) {
        const std::int32_t id = enc.ids[i];
        tokens.push_back({{"id", id},
                          {"token", tok.id_to_token(id).value_or("")},
                          {"text", tok.token_text(id)},
                          {"display", tok.token_display(id)},
                          {"offsets", {enc.offsets[i].first, enc.offsets[i].second}},
                          {"special", tok.is_special(id)}});
    }
    nlohmann::json j = {{"tokenizer", tok.path()},
                        {"ids", enc.ids},
                        {"tokens", tokens},
                        {"decoded", tok.decode(enc.ids, false)}};
    j["bos_id"] = tok.bos_id() ? nlohmann::json(*tok.bos_id()) : nlohmann::json(nullptr);
    j["eos_id"] = tok.eos_id() ? nlohmann::json(*tok.eos_id()) : nlohmann::json(nullptr);
    return j;
}

void print_table(const Tokenizer& tok, const Encoding& enc) {
    std::cout << tok.summary() << "\n" << enc.ids.size() << " tokens\n";
    std::cout << "  index       id  bytes          token\n";
    for (std::size_t i = 0; i < enc.ids.size(); ++i) {
        char head[64];
        std::snprintf(head, sizeof head, "%7zu %8d  %-14s ", i, enc.ids[i],
                      ("[" + std::to_string(enc.offsets[i].first) + "," +
                       std::to_string(enc.offsets[i].second) + ")")
                          .c_str());
        std::cout << head << tok.token_display(enc.ids[i])
                  << (tok.is_special(enc.ids[i]) ? "  (special)" : "") << "\n";
    }
    std::cout << "ids:";
    for (std::int32_t id : enc.ids) std::cout << " " << id;
    std::cout << "\n";
}

int run(const Args& args) {
    const std::string dir = args.positional(0, "DIR (a checkpoint folder or a tokenizer.json)");
    const std::string text = input_text(args);
    const Tokenizer tok = Tokenizer::load(dir);
    const Encoding enc = tok.encode(text, !args.flag("no-special"));
    if (args.flag("json")) {
        std::cout << to_json(tok, enc).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << "\n";
    } else {
        print_table(tok, enc);
    }
    return 0;
}

const Command::Register reg{Command{
    "tokenize",
    "DIR",
    "Token ids of a text under the checkpoint's tokenizer.json, with byte offsets and the visible "
    "form of each token.",
    {{"text", "\"...\"", "the text to tokenize", "input", true},
     {"text-file", "F", "a UTF-8 text file to tokenize", "input", true},
     {"no-special", "", "no special tokens (BOS) added"}},
    run}};

}  // namespace
}  // namespace rs::cli
