// Normalizer implementations. Each keeps NormalizedString's alignments up to date so offsets
// still point into the user's text after the rewrite.
#include "normalizer.h"

#include <vector>

#include "byte_level.h"
#include "error.h"
#include "unicode_props.h"
#include "utf8.h"

namespace rs {

namespace {

constexpr const char* kSupported =
    "NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, StripAccents, Nmt, ByteLevel, "
    "Sequence";

// Keeps the characters `keep` accepts; each removed run is charged to the kept character
// before it (or counted as removed at the start).
template <class Keep>
void filter_chars(NormalizedString& s, Keep keep) {
    const std::u32string chars = utf8::to_code_points(s.text());
    std::vector<CharChange> dest;
    dest.reserve(chars.size());
    std::size_t leading_removed = 0;
    int removed = 0;
    bool have_kept = false;
    for (char32_t c : chars) {
        if (!keep(c)) {
            ++removed;
            continue;
        }
        if (have_kept)
            dest.back().change = -removed;
        else
            leading_removed = static_cast<std::size_t>(removed);
        dest.push_back({c, 0});
        have_kept = true;
        removed = 0;
    }
    if (have_kept)
        dest.back().change = -removed;
    else
        leading_removed = chars.size();
    if (dest.size() == chars.size()) return;
    s.transform(dest, leading_removed);
}

template <class Map>
void map_chars(NormalizedString& s, Map map) {
    std::vector<CharChange> dest;
    for (std::size_t i = 0; i < s.text().size();) dest.push_back({map(utf8::next(s.text(), i)), 0});
    s.transform(dest, 0);
}

// Boundaries where normalizing the pieces separately equals normalizing the whole: before each
// starter that cannot combine with what precedes it (Hangul V/T jamo can).
std::vector<std::size_t> normalization_cuts(const std::string& text) {
    std::vector<std::size_t> cuts{0};
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t at = i;
        const char32_t c = utf8::next(text, i);
        const bool jamo_vt = (c >= 0x1161 && c <= 0x11C2);
        if (at > 0 && unicode::combining_class(c) == 0 && !jamo_vt) cuts.push_back(at);
    }
    cuts.push_back(text.size());
    return cuts;
}

class UnicodeNormalizer final : public Normalizer {
  public:
    explicit UnicodeNormalizer(unicode::NormalForm form) : form_(form) {}
    void normalize(NormalizedString& s) const override {
        const std::string whole = unicode::normalize(s.text(), form_);
        if (whole == s.text()) return;
        std::vector<std::size_t> cuts = normalization_cuts(s.text());
        std::vector<CharChange> dest;
        std::string joined;
        for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
            const std::string_view seg(s.text().data() + cuts[k], cuts[k + 1] - cuts[k]);
            const std::string out = unicode::normalize(seg, form_);
            joined += out;
            append_changes(dest, utf8::count_code_points(seg), out);
        }
        if (joined != whole) {  // a composition crossed a cut: align the text as one block
            dest.clear();
            append_changes(dest, utf8::count_code_points(s.text()), whole);
        }
        s.transform(dest, 0);
    }

  private:
    // n_in input characters became `out`, paired up in order. Extra output characters are
    // insertions; when composition shortened the segment, the removed characters are charged to
    // the first output character (the composed starter), as the reference's alignments do.
    static void append_changes(std::vector<CharChange>& dest, std::size_t n_in,
                               const std::string& out) {
        const std::size_t first = dest.size();
        for (std::size_t i = 0; i < out.size();) {
            const std::size_t k = dest.size() - first;
            dest.push_back({utf8::next(out, i), k < n_in ? 0 : 1});
        }
        const std::size_t n_out = dest.size() - first;
        if (n_out > 0 && n_out < n_in) dest[first].change = -static_cast<int>(n_in - n_out);
    }

    unicode::NormalForm form_;
};

class Lowercase final : public Normalizer {
  public:
    void normalize(NormalizedString& s) const override {
        std::vector<CharChange> dest;
        dest.reserve(s.size());
        for (std::size_t i = 0; i < s.text().size();) {
            const std::u32string lower = unicode::to_lower(utf8::next(s.text(), i));
            for (std::size_t k = 0; k < lower.size(); ++k)
                dest.push_back({lower[k], k > 0 ? 1 : 0});
        }
        s.transform(dest, 0);
    }
};

class Replace final : public Normalizer {
  public:
    Replace(TextPattern pattern, std::string content)
        : pattern_(std::move(pattern)), content_(std::move(content)) {}
    void normalize(NormalizedString& s) const override {
        s.replace(pattern_.matches(s.text()), content_);
    }

  private:
    TextPattern pattern_;
    std::string content_;
};

class Prepend final : public Normalizer {
  public:
    explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
    void normalize(NormalizedString& s) const override {
        if (!s.empty()) s.prepend(prefix_);
    }

  private:
    std::string prefix_;
};

class Strip final : public Normalizer {
  public:
    Strip(bool left, bool right) : left_(left), right_(right) {}
    void normalize(NormalizedString& s) const override {
        const std::u32string chars = utf8::to_code_points(s.text());
        std::size_t lead = 0, trail = 0;
        if (left_)
            while (lead < chars.size() && unicode::is_white_space(chars[lead])) ++lead;
        if (right_)
            while (trail < chars.size() - lead &&
                   unicode::is_white_space(chars[chars.size() - 1 - trail]))
                ++trail;
        if (lead == 0 && trail == 0) return;
        std::vector<CharChange> dest;
        for (std::size_t i = lead; i < chars.size() - trail; ++i) dest.push_back({chars[i], 0});
        if (!dest.empty()) dest.back().change = -static_cast<int>(trail);
        s.transform(dest, lead);
    }

  private:
    bool left_, right_;
};

class StripAccents final : public Normalizer {
  public:
    void normalize(NormalizedString& s) const override {
        filter_chars(s, [](char32_t c) { return !unicode::is_mark(c); });
    }
};

// SentencePiece's NMT normalization: drop control characters, turn odd spaces into ' '.
class Nmt final : public Normalizer {
  public:
    void normalize(NormalizedString& s) const override {
        filter_chars(s, [](char32_t c) {
            return !((c >= 0x01 && c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) ||
                     c == 0x7F || c == 0x8F || c == 0x9F);
        });
        map_chars(s, [](char32_t c) -> char32_t {
            switch (c) {
                case 0x09:
                case 0x0A:
                case 0x0C:
                case 0x0D:
                case 0x1680:
                case 0x2028:
                case 0x2029:
                case 0x2581:
                case 0xFEFF:
                case 0xFFFD:
                    return U' ';
                default:
                    return (c >= 0x200B && c <= 0x200F) ? U' ' : c;
            }
        });
    }
};

class ByteLevelNormalizer final : public Normalizer {
  public:
    void normalize(NormalizedString& s) const override {
        if (!s.empty()) byte_level::encode_bytes(s);
    }
};

class Sequence final : public Normalizer {
  public:
    explicit Sequence(std::vector<std::unique_ptr<Normalizer>> parts) : parts_(std::move(parts)) {}
    void normalize(NormalizedString& s) const override {
        for (const auto& p : parts_) p->normalize(s);
    }

  private:
    std::vector<std::unique_ptr<Normalizer>> parts_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const JsonView& spec) {
    const std::string type = spec.type();
    if (type == "NFC") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFC);
    if (type == "NFD") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFD);
    if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFKC);
    if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(unicode::NormalForm::NFKD);
    if (type == "Lowercase") return std::make_unique<Lowercase>();
    if (type == "StripAccents") return std::make_unique<StripAccents>();
    if (type == "Nmt") return std::make_unique<Nmt>();
    if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
    if (type == "Prepend") return std::make_unique<Prepend>(spec.string("prepend"));
    if (type == "Strip")
        return std::make_unique<Strip>(spec.boolean("strip_left", true),
                                       spec.boolean("strip_right", true));
    if (type == "Replace") {
        return std::make_unique<Replace>(make_text_pattern(spec.at("pattern")),
                                         spec.string("content"));
    }
    if (type == "Sequence") {
        const JsonView list = spec.at("normalizers");
        std::vector<std::unique_ptr<Normalizer>> parts;
        for (std::size_t i = 0; i < list.array_size(); ++i)
            parts.push_back(make_normalizer(list.at(i)));
        return std::make_unique<Sequence>(std::move(parts));
    }
    spec.unsupported("normalizer", type, kSupported);
}

}  // namespace rs
