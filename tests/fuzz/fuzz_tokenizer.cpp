// libFuzzer target: tokenizer.json loading, then encoding and decoding. Input: the JSON, then
// optionally a NUL byte and the text to encode (a fixed multilingual text when there is none).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "error.h"
#include "tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string_view json = input.substr(0, nul);
    const std::string_view text =
        nul == std::string_view::npos
            ? std::string_view("Hello  world!\n\tcafé 123 <s>ünï 日本語 🙂")
            : input.substr(nul + 1);
    try {
        const rs::Tokenizer tok = rs::Tokenizer::from_json(json, "tokenizer.json");
        const rs::Encoding e = tok.encode(text, true);
        for (const auto& [begin, end] : e.offsets)
            if (begin > end || end > text.size()) __builtin_trap();  // offsets index the text
        (void)tok.decode(e.ids, false);
        (void)tok.summary();
        const std::size_t n = tok.vocab_size();
        for (std::int32_t id : {0, 1, int(n / 2), int(n) - 1})
            if (id >= 0 && std::size_t(id) < n) {
                (void)tok.token_display(id);
                (void)tok.id_to_token(id);
            }
    } catch (const rs::Error&) {
        // FileError for a bad file; Error for text that is not UTF-8; UsageError for an id.
    }
    return 0;
}
