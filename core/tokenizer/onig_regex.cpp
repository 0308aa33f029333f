// PCRE2 backend for tokenizer regexes. Where PCRE2 and Oniguruma disagree (PCRE2's UCP \s also
// takes U+180E, its \w lacks marks, \h means horizontal space) the pattern is rewritten with
// explicit classes so splits match the reference library character for character.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "onig_regex.h"

#include <pcre2.h>

#include <cctype>

#include "error.h"
#include "utf8.h"

namespace rs {

namespace {

// Oniguruma's Unicode \s is the White_Space property.
constexpr const char* kSpaceSet =
    "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}"
    "\\x{205F}\\x{3000}";
// Oniguruma's Unicode \w: Letter | Mark | Number | Connector_Punctuation.
constexpr const char* kWordSet = "\\p{L}\\p{M}\\p{N}\\p{Pc}";
constexpr const char* kHexSet = "0-9a-fA-F";

std::string pcre2_message(int code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    return reinterpret_cast<const char*>(buf);
}

[[noreturn]] void unsupported(const std::string& pattern, const std::string& what) {
    throw Error("regex '" + pattern + "': " + what + " is not supported");
}

// Per-thread JIT stack: the default 32 KiB is too small for long whitespace runs.
struct JitResources {
    pcre2_jit_stack* stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    JitResources() {
        if (stack && context) pcre2_jit_stack_assign(context, nullptr, stack);
    }
    ~JitResources() {
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(stack);
    }
};

pcre2_match_context* thread_match_context() {
    thread_local JitResources resources;
    return resources.context;
}

}  // namespace

std::string translate_oniguruma_pattern(const std::string& p) {
    std::string out;
    out.reserve(p.size() + 64);
    bool in_class = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char e = p[++i];
            auto set = [&](const char* members, bool negated) {
                if (in_class) {
                    if (negated)
                        unsupported(p, std::string("\\") + e + " inside a character class");
                    out += members;
                } else {
                    out += negated ? "[^" : "[";
                    out += members;
                    out += "]";
                }
            };
            switch (e) {
                case 's':
                    set(kSpaceSet, false);
                    break;
                case 'S':
                    in_class ? void(out += "\\S") : set(kSpaceSet, true);
                    break;
                case 'w':
                    set(kWordSet, false);
                    break;
                case 'W':
                    in_class ? void(out += "\\W") : set(kWordSet, true);
                    break;
                case 'h':
                    set(kHexSet, false);
                    break;
                case 'H':
                    set(kHexSet, true);
                    break;
                case 'u': {
                    bool hex4 = true;
                    for (std::size_t k = 1; hex4 && k <= 4; ++k)
                        hex4 =
                            i + k < p.size() && std::isxdigit(static_cast<unsigned char>(p[i + k]));
                    if (!hex4) unsupported(p, "\\u without four hex digits");
                    out += "\\x{" + p.substr(i + 1, 4) + "}";
                    i += 4;
                    break;
                }
                default:
                    out += '\\';
                    out += e;
            }
            continue;
        }
        if (!in_class && c == '[') {
            in_class = true;
            out += c;
            if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
            if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // leading ] is literal
            continue;
        }
        if (in_class && c == '[') {
            if (i + 1 < p.size() && p[i + 1] == ':') {  // POSIX class [:name:]
                const auto close = p.find(":]", i + 2);
                if (close == std::string::npos) unsupported(p, "an unterminated POSIX class");
                out += p.substr(i, close + 2 - i);
                i = close + 1;
                continue;
            }
            unsupported(p, "a nested character class");
        }
        if (in_class && c == '&' && i + 1 < p.size() && p[i + 1] == '&')
            unsupported(p, "character class intersection (&&)");
        if (in_class && c == ']') in_class = false;
        out += c;
    }
    return out;
}

struct OnigRegex::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

OnigRegex::OnigRegex(const std::string& pattern)
    : pattern_(pattern), compiled_(std::make_unique<Compiled>()) {
    const std::string translated = translate_oniguruma_pattern(pattern);
    pcre2_compile_context* cc = pcre2_compile_context_create(nullptr);
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    int err = 0;
    PCRE2_SIZE err_offset = 0;
    compiled_->code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &err, &err_offset, cc);
    pcre2_compile_context_free(cc);
    if (!compiled_->code) {
        throw Error("regex '" + pattern + "' does not compile: " + pcre2_message(err) +
                    " (at offset " + std::to_string(err_offset) + " of the PCRE2 form)");
    }
    // Without JIT the interpreter still gives the same answers, only slower.
    pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

OnigRegex::~OnigRegex() = default;
OnigRegex::OnigRegex(OnigRegex&&) noexcept = default;
OnigRegex& OnigRegex::operator=(OnigRegex&&) noexcept = default;

std::vector<std::pair<std::size_t, std::size_t>> OnigRegex::find_all(std::string_view text) const {
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
    pcre2_match_context* mc = thread_match_context();
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    std::size_t last_end = 0;
    bool have_last = false;
    std::size_t last_match_end = 0;
    while (last_end <= text.size()) {
        const int rc = pcre2_match(compiled_->code, subject, text.size(), last_end,
                                   PCRE2_NO_UTF_CHECK, md.get(), mc);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0)
            throw Error("regex '" + pattern_ + "' failed on the input: " + pcre2_message(rc));
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
        const std::size_t s = ov[0], e = ov[1];
        if (s == e && have_last && last_match_end == e) {
            // onig's iterator steps one character forward instead of retrying non-empty.
            last_end += last_end < text.size()
                            ? utf8::sequence_length(static_cast<unsigned char>(text[last_end]))
                            : 1;
            continue;
        }
        last_end = e;
        last_match_end = e;
        have_last = true;
        matches.emplace_back(s, e);
    }
    return matches;
}

}  // namespace rs
