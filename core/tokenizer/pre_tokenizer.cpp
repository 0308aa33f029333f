// Pre-tokenizer implementations, following the Hugging Face definitions of each type.
#include "pre_tokenizer.h"

#include "byte_level.h"
#include "error.h"
#include "unicode_props.h"
#include "utf8.h"

namespace rs {

namespace {

constexpr const char* kSupported =
    "Split, ByteLevel, Metaspace, Digits, Whitespace, WhitespaceSplit, Punctuation, Sequence";

// GPT-2's word regex, used by ByteLevel when use_regex is on.
const TextPattern& gpt2_pattern() {
    static const TextPattern p = TextPattern::regex(
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
    return p;
}

class Split final : public PreTokenizer {
  public:
    Split(TextPattern pattern, SplitBehavior behavior, bool invert)
        : pattern_(std::move(pattern)), behavior_(behavior), invert_(invert) {}
    void pre_tokenize(std::vector<Piece>& pieces) const override {
        split_untokenized(pieces, [&](NormalizedString&& s) {
            auto found = pattern_.find(s.text());
            if (invert_) invert(found);
            return s.split(found, behavior_);
        });
    }

  private:
    TextPattern pattern_;
    SplitBehavior behavior_;
    bool invert_;
};

class ByteLevel final : public PreTokenizer {
  public:
    ByteLevel(bool add_prefix_space, bool use_regex)
        : add_prefix_space_(add_prefix_space), use_regex_(use_regex) {}
    void pre_tokenize(std::vector<Piece>& pieces) const override {
        split_untokenized(pieces, [&](NormalizedString&& s) {
            if (add_prefix_space_ && s.text().front() != ' ') s.prepend(" ");
            if (!use_regex_) return std::vector<NormalizedString>{std::move(s)};
            return s.split(gpt2_pattern().find(s.text()), SplitBehavior::Isolated);
        });
        for (auto& p : pieces)
            if (!p.tokens) byte_level::encode_bytes(p.text);
    }

  private:
    bool add_prefix_space_, use_regex_;
};

enum class PrependScheme { Always, First, Never };

class Metaspace final : public PreTokenizer {
  public:
    Metaspace(char32_t replacement, PrependScheme scheme, bool split)
        : replacement_(utf8::encode(replacement)),
          replacement_char_(replacement),
          scheme_(scheme),
          split_(split) {}
    void pre_tokenize(std::vector<Piece>& pieces) const override {
        split_untokenized(pieces, [&](NormalizedString&& s) {
            s.replace(TextPattern::literal(" ").matches(s.text()), replacement_);
            const bool starts = s.text().starts_with(replacement_);
            const bool prepend = scheme_ == PrependScheme::Always ||
                                 (scheme_ == PrependScheme::First && s.original_span().begin == 0);
            if (prepend && !starts) s.prepend(replacement_);
            if (!split_) return std::vector<NormalizedString>{std::move(s)};
            const char32_t r = replacement_char_;
            auto found = TextPattern::predicate([r](char32_t c) { return c == r; }).find(s.text());
            return s.split(found, SplitBehavior::MergedWithNext);
        });
    }

  private:
    std::string replacement_;
    char32_t replacement_char_;
    PrependScheme scheme_;
    bool split_;
};

// Splits on a character class with a fixed behavior (Digits, WhitespaceSplit, Punctuation).
class CharClassSplit final : public PreTokenizer {
  public:
    CharClassSplit(bool (*is_delimiter)(char32_t), SplitBehavior behavior)
        : pattern_(TextPattern::predicate(is_delimiter)), behavior_(behavior) {}
    void pre_tokenize(std::vector<Piece>& pieces) const override {
        split_untokenized(pieces, [&](NormalizedString&& s) {
            return s.split(pattern_.find(s.text()), behavior_);
        });
    }

  private:
    TextPattern pattern_;
    SplitBehavior behavior_;
};

// Whitespace: words (\w+) and punctuation runs ([^\w\s]+), whitespace dropped.
class Whitespace final : public PreTokenizer {
  public:
    void pre_tokenize(std::vector<Piece>& pieces) const override {
        static const TextPattern words = TextPattern::regex(R"(\w+|[^\w\s]+)");
        split_untokenized(pieces, [&](NormalizedString&& s) {
            auto found = words.find(s.text());
            invert(found);
            return s.split(found, SplitBehavior::Removed);
        });
    }
};

class Sequence final : public PreTokenizer {
  public:
    explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> parts)
        : parts_(std::move(parts)) {}
    void pre_tokenize(std::vector<Piece>& pieces) const override {
        for (const auto& p : parts_) p->pre_tokenize(pieces);
    }

  private:
    std::vector<std::unique_ptr<PreTokenizer>> parts_;
};

PrependScheme metaspace_scheme(const JsonView& spec) {
    PrependScheme scheme = PrependScheme::Always;
    if (auto s = spec.opt_string("prepend_scheme")) {
        if (*s == "always")
            scheme = PrependScheme::Always;
        else if (*s == "first")
            scheme = PrependScheme::First;
        else if (*s == "never")
            scheme = PrependScheme::Never;
        else
            spec.at("prepend_scheme").fail("expected always, first or never, got '" + *s + "'");
    }
    // Older files only say add_prefix_space; false means never prepend.
    if (!spec.boolean("add_prefix_space", true)) {
        if (scheme != PrependScheme::Never && spec.has("prepend_scheme"))
            spec.fail("add_prefix_space does not match declared prepend_scheme");
        scheme = PrependScheme::Never;
    }
    return scheme;
}

char32_t single_char(const JsonView& spec, const char* key) {
    const std::string s = spec.string(key);
    if (s.empty() || utf8::count_code_points(s) != 1)
        spec.at(key).fail("expected exactly one character");
    std::size_t i = 0;
    return utf8::next(s, i);
}

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const JsonView& spec) {
    const std::string type = spec.type();
    if (type == "Split") {
        SplitBehavior behavior;
        try {
            behavior = parse_split_behavior(spec.string("behavior"));
        } catch (const Error& e) {
            spec.at("behavior").fail(e.what());
        }
        return std::make_unique<Split>(make_text_pattern(spec.at("pattern")), behavior,
                                       spec.boolean("invert", false));
    }
    if (type == "ByteLevel")
        return std::make_unique<ByteLevel>(spec.boolean("add_prefix_space", true),
                                           spec.boolean("use_regex", true));
    if (type == "Metaspace")
        return std::make_unique<Metaspace>(single_char(spec, "replacement"), metaspace_scheme(spec),
                                           spec.boolean("split", true));
    if (type == "Digits") {
        const bool individual = spec.boolean("individual_digits", false);
        return std::make_unique<CharClassSplit>(
            &unicode::is_numeric, individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
    }
    if (type == "WhitespaceSplit")
        return std::make_unique<CharClassSplit>(&unicode::is_white_space, SplitBehavior::Removed);
    if (type == "Punctuation") {
        SplitBehavior behavior = SplitBehavior::Isolated;
        if (auto b = spec.opt_string("behavior")) {
            try {
                behavior = parse_split_behavior(*b);
            } catch (const Error& e) {
                spec.at("behavior").fail(e.what());
            }
        }
        return std::make_unique<CharClassSplit>(&unicode::is_punctuation, behavior);
    }
    if (type == "Whitespace") return std::make_unique<Whitespace>();
    if (type == "Sequence") {
        const JsonView list = spec.at("pretokenizers");
        std::vector<std::unique_ptr<PreTokenizer>> parts;
        for (std::size_t i = 0; i < list.array_size(); ++i)
            parts.push_back(make_pre_tokenizer(list.at(i)));
        return std::make_unique<Sequence>(std::move(parts));
    }
    spec.unsupported("pre-tokenizer", type, kSupported);
}

}  // namespace rs
