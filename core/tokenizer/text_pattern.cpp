// Pattern search producing the covering piece lists Hugging Face's Pattern trait defines.
#include "text_pattern.h"

#include "error.h"
#include "utf8.h"

namespace rs {

namespace {

std::vector<PatternPiece> cover(std::string_view text,
                                const std::vector<std::pair<std::size_t, std::size_t>>& found) {
    std::vector<PatternPiece> pieces;
    if (text.empty()) return {PatternPiece{0, 0, false}};
    pieces.reserve(2 * found.size() + 1);
    std::size_t prev = 0;
    for (const auto& [s, e] : found) {
        if (prev != s) pieces.push_back({prev, s, false});
        pieces.push_back({s, e, true});
        prev = e;
    }
    if (prev != text.size()) pieces.push_back({prev, text.size(), false});
    return pieces;
}

}  // namespace

TextPattern TextPattern::literal(const std::string& text) {
    if (text.empty()) throw Error("an empty string pattern would match everywhere");
    TextPattern p;
    p.literal_ = text;
    return p;
}

TextPattern TextPattern::regex(const std::string& pattern) {
    TextPattern p;
    p.regex_ = std::make_shared<const OnigRegex>(pattern);
    return p;
}

TextPattern TextPattern::predicate(std::function<bool(char32_t)> is_delimiter) {
    TextPattern p;
    p.predicate_ = std::move(is_delimiter);
    return p;
}

std::vector<std::pair<std::size_t, std::size_t>> TextPattern::matches(std::string_view text) const {
    std::vector<std::pair<std::size_t, std::size_t>> found;
    if (regex_) return regex_->find_all(text);
    if (predicate_) {
        for (std::size_t i = 0; i < text.size();) {
            const std::size_t start = i;
            if (predicate_(utf8::next(text, i))) found.emplace_back(start, i);
        }
        return found;
    }
    for (std::size_t pos = text.find(literal_); pos != std::string_view::npos;
         pos = text.find(literal_, pos + literal_.size()))
        found.emplace_back(pos, pos + literal_.size());
    return found;
}

std::vector<PatternPiece> TextPattern::find(std::string_view text) const {
    return cover(text, matches(text));
}

TextPattern make_text_pattern(const JsonView& spec) {
    if (spec.has("String")) {
        const std::string literal = spec.string("String");
        if (literal.empty()) spec.fail("an empty String pattern would match everywhere");
        return TextPattern::literal(literal);
    }
    if (spec.has("Regex")) {
        const std::string pattern = spec.string("Regex");
        try {
            return TextPattern::regex(pattern);
        } catch (const Error& e) {
            spec.fail(e.what());
        }
    }
    spec.fail("expected {\"String\": ...} or {\"Regex\": ...}");
}

void invert(std::vector<PatternPiece>& pieces) {
    for (auto& p : pieces) p.is_match = !p.is_match;
}

}  // namespace rs
