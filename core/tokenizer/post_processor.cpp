// Post-processor implementations. Only single sequences are encoded here, so templates use
// their "single" form; special tokens get empty (0, 0) offsets as in the reference.
#include "post_processor.h"

#include <algorithm>

#include "byte_level.h"
#include "error.h"
#include "unicode_props.h"
#include "utf8.h"

namespace rs {

void TokenStream::push(std::int32_t id, std::pair<std::size_t, std::size_t> offset,
                       std::string token) {
    ids.push_back(id);
    offsets.push_back(offset);
    tokens.push_back(std::move(token));
}

void TokenStream::prepend_stream(const TokenStream& other) {
    ids.insert(ids.begin(), other.ids.begin(), other.ids.end());
    offsets.insert(offsets.begin(), other.offsets.begin(), other.offsets.end());
    tokens.insert(tokens.begin(), other.tokens.begin(), other.tokens.end());
}

void TokenStream::append_stream(const TokenStream& other) {
    ids.insert(ids.end(), other.ids.begin(), other.ids.end());
    offsets.insert(offsets.end(), other.offsets.begin(), other.offsets.end());
    tokens.insert(tokens.end(), other.tokens.begin(), other.tokens.end());
}

namespace {

// `pos` moved forward by up to n characters of s, not past `limit`.
std::size_t advance_chars(std::string_view s, std::size_t pos, std::size_t n, std::size_t limit) {
    for (; n > 0 && pos < limit; --n)
        pos += utf8::sequence_length(static_cast<unsigned char>(s[pos]));
    return std::min(pos, limit);
}

// `pos` moved back by exactly n characters, or nullopt when fewer than n precede it.
std::optional<std::size_t> retreat_chars(std::string_view s, std::size_t pos, std::size_t n) {
    for (; n > 0; --n) {
        if (pos == 0) return std::nullopt;
        utf8::previous(s, pos);
    }
    return pos;
}

}  // namespace

void trim_byte_level_offsets(TokenStream& e, bool add_prefix_space) {
    const char32_t space = byte_level::byte_to_char(' ');
    auto is_space = [&](char32_t c) { return c == space || unicode::is_white_space(c); };
    for (std::size_t i = 0; i < e.ids.size(); ++i) {
        const std::u32string chars = utf8::to_code_points(e.tokens[i]);
        std::size_t lead = 0, trail = 0;
        while (lead < chars.size() && is_space(chars[lead])) ++lead;
        while (trail < chars.size() && is_space(chars[chars.size() - 1 - trail])) ++trail;
        auto& [begin, end] = e.offsets[i];
        if (lead > 0) {
            const bool first = i == 0 || begin == 0;
            // A single leading space on the first token is the one add_prefix_space inserted.
            if (!(first && add_prefix_space && lead == 1))
                begin = advance_chars(e.source, begin, lead, end);
        }
        if (trail > 0) {
            if (auto moved = retreat_chars(e.source, end, trail)) end = std::max(*moved, begin);
        }
    }
}

namespace {

constexpr const char* kSupported =
    "TemplateProcessing, ByteLevel, BertProcessing, RobertaProcessing, Sequence";

struct SpecialTokens {
    std::vector<std::int32_t> ids;
    std::vector<std::string> tokens;
};

// One element of a template: either the input sequence or a named special token.
struct TemplatePiece {
    bool is_sequence;
    std::string special;  // key into the special-token table
};

class TemplateProcessing final : public PostProcessor {
  public:
    TemplateProcessing(std::vector<TemplatePiece> single,
                       std::vector<std::pair<std::string, SpecialTokens>> specials)
        : single_(std::move(single)), specials_(std::move(specials)) {}

    void process(TokenStream& e, bool add_special_tokens) const override {
        if (!add_special_tokens) return;
        TokenStream out;
        for (const auto& piece : single_) {
            if (piece.is_sequence) {
                out.append_stream(e);
                continue;
            }
            const SpecialTokens& s = special(piece.special);
            for (std::size_t k = 0; k < s.ids.size(); ++k) out.push(s.ids[k], {0, 0}, s.tokens[k]);
        }
        e = std::move(out);
    }
    std::optional<std::int32_t> leading_special() const override {
        if (single_.empty() || single_.front().is_sequence) return std::nullopt;
        const auto& ids = special(single_.front().special).ids;
        return ids.empty() ? std::nullopt : std::optional<std::int32_t>(ids.front());
    }
    std::optional<std::int32_t> trailing_special() const override {
        if (single_.empty() || single_.back().is_sequence) return std::nullopt;
        const auto& ids = special(single_.back().special).ids;
        return ids.empty() ? std::nullopt : std::optional<std::int32_t>(ids.back());
    }

  private:
    const SpecialTokens& special(const std::string& name) const {
        for (const auto& [k, v] : specials_)
            if (k == name) return v;
        throw Error("template special token '" + name + "' vanished");  // checked at load
    }
    std::vector<TemplatePiece> single_;
    std::vector<std::pair<std::string, SpecialTokens>> specials_;
};

class ByteLevelProcessor final : public PostProcessor {
  public:
    ByteLevelProcessor(bool trim_offsets, bool add_prefix_space)
        : trim_offsets_(trim_offsets), add_prefix_space_(add_prefix_space) {}
    void process(TokenStream& e, bool) const override {
        if (trim_offsets_) trim_byte_level_offsets(e, add_prefix_space_);
    }
    bool needs_token_strings() const override { return trim_offsets_; }

  private:
    bool trim_offsets_, add_prefix_space_;
};

// BERT/RoBERTa style: [CLS] A [SEP]; RoBERTa also trims byte-level offsets first.
class ClsSepProcessor final : public PostProcessor {
  public:
    ClsSepProcessor(std::pair<std::string, std::int32_t> cls,
                    std::pair<std::string, std::int32_t> sep, bool trim, bool add_prefix_space)
        : cls_(std::move(cls)),
          sep_(std::move(sep)),
          trim_(trim),
          add_prefix_space_(add_prefix_space) {}
    void process(TokenStream& e, bool add_special_tokens) const override {
        if (trim_) trim_byte_level_offsets(e, add_prefix_space_);
        if (!add_special_tokens) return;
        TokenStream cls;
        cls.push(cls_.second, {0, 0}, cls_.first);
        e.prepend_stream(cls);
        e.push(sep_.second, {0, 0}, sep_.first);
    }
    bool needs_token_strings() const override { return trim_; }
    std::optional<std::int32_t> leading_special() const override { return cls_.second; }
    std::optional<std::int32_t> trailing_special() const override { return sep_.second; }

  private:
    std::pair<std::string, std::int32_t> cls_, sep_;
    bool trim_, add_prefix_space_;
};

class SequenceProcessor final : public PostProcessor {
  public:
    explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> parts)
        : parts_(std::move(parts)) {}
    void process(TokenStream& e, bool add_special_tokens) const override {
        for (const auto& p : parts_) p->process(e, add_special_tokens);
    }
    bool needs_token_strings() const override {
        for (const auto& p : parts_)
            if (p->needs_token_strings()) return true;
        return false;
    }
    std::optional<std::int32_t> leading_special() const override {
        for (const auto& p : parts_)
            if (auto id = p->leading_special()) return id;
        return std::nullopt;
    }
    std::optional<std::int32_t> trailing_special() const override {
        for (auto it = parts_.rbegin(); it != parts_.rend(); ++it)
            if (auto id = (*it)->trailing_special()) return id;
        return std::nullopt;
    }

  private:
    std::vector<std::unique_ptr<PostProcessor>> parts_;
};

std::pair<std::string, std::int32_t> token_pair(const JsonView& spec, const char* key) {
    const JsonView v = spec.at(key);
    if (!v.raw().is_array() || v.raw().size() != 2 || !v.raw()[0].is_string() ||
        !v.raw()[1].is_number_integer())
        v.fail("expected [\"token\", id]");
    return {v.raw()[0].get<std::string>(),
            static_cast<std::int32_t>(v.raw()[1].get<std::int64_t>())};
}

// A template is a list of {"Sequence": {"id": "A"}} / {"SpecialToken": {"id": "<s>"}} objects,
// or the string shorthand "<s> $A" / "$0".
std::vector<TemplatePiece> parse_template(const JsonView& spec) {
    std::vector<TemplatePiece> pieces;
    if (spec.raw().is_string()) {
        const std::string s = spec.as_string();
        std::size_t pos = 0;
        while (pos < s.size()) {
            const std::size_t end = std::min(s.find(' ', pos), s.size());
            std::string item = s.substr(pos, end - pos);
            pos = end + 1;
            if (item.empty()) continue;
            if (const auto colon = item.rfind(':'); colon != std::string::npos && colon > 0)
                item = item.substr(0, colon);  // drop the ":type_id" suffix
            if (item == "$" || item == "$A" || item == "$a" || item == "$0")
                pieces.push_back({true, ""});
            else if (item[0] == '$')
                spec.fail("template piece '" + item + "' refers to a second sequence");
            else
                pieces.push_back({false, item});
        }
        return pieces;
    }
    for (std::size_t i = 0; i < spec.array_size(); ++i) {
        const JsonView p = spec.at(i);
        if (p.has("Sequence")) {
            const std::string id = p.at("Sequence").string("id");
            if (id != "A") p.fail("single template uses sequence '" + id + "'");
            pieces.push_back({true, ""});
        } else if (p.has("SpecialToken")) {
            pieces.push_back({false, p.at("SpecialToken").string("id")});
        } else {
            p.fail("expected a Sequence or SpecialToken piece");
        }
    }
    return pieces;
}

std::unique_ptr<PostProcessor> make_template(const JsonView& spec) {
    std::vector<TemplatePiece> single = parse_template(spec.at("single"));
    std::vector<std::pair<std::string, SpecialTokens>> specials;
    if (auto table = spec.get("special_tokens")) {
        if (!table->raw().is_object()) table->fail("expected an object");
        for (const auto& [name, entry] : table->raw().items()) {
            const JsonView e(entry, table->where() + "." + name);
            SpecialTokens s;
            const JsonView ids = e.at("ids"), tokens = e.at("tokens");
            if (ids.array_size() != tokens.array_size()) e.fail("ids and tokens differ in length");
            for (std::size_t k = 0; k < ids.array_size(); ++k) {
                if (!ids.raw()[k].is_number_integer()) ids.at(k).fail("expected an integer id");
                s.ids.push_back(static_cast<std::int32_t>(ids.raw()[k].get<std::int64_t>()));
                s.tokens.push_back(tokens.at(k).as_string());
            }
            specials.emplace_back(name, std::move(s));
        }
    }
    for (const auto& p : single) {
        if (p.is_sequence) continue;
        const bool known = std::any_of(specials.begin(), specials.end(),
                                       [&](const auto& s) { return s.first == p.special; });
        if (!known)
            spec.at("single").fail("special token '" + p.special +
                                   "' is missing from special_tokens");
    }
    return std::make_unique<TemplateProcessing>(std::move(single), std::move(specials));
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const JsonView& spec) {
    const std::string type = spec.type();
    if (type == "TemplateProcessing") return make_template(spec);
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelProcessor>(spec.boolean("trim_offsets", true),
                                                    spec.boolean("add_prefix_space", true));
    if (type == "BertProcessing")
        return std::make_unique<ClsSepProcessor>(token_pair(spec, "cls"), token_pair(spec, "sep"),
                                                 false, false);
    if (type == "RobertaProcessing")
        return std::make_unique<ClsSepProcessor>(token_pair(spec, "cls"), token_pair(spec, "sep"),
                                                 spec.boolean("trim_offsets", true),
                                                 spec.boolean("add_prefix_space", true));
    if (type == "Sequence") {
        const JsonView list = spec.at("processors");
        std::vector<std::unique_ptr<PostProcessor>> parts;
        for (std::size_t i = 0; i < list.array_size(); ++i)
            parts.push_back(make_post_processor(list.at(i)));
        return std::make_unique<SequenceProcessor>(std::move(parts));
    }
    spec.unsupported("post-processor", type, kSupported);
}

}  // namespace rs
