// Decoder implementations with the reference's rules, including its handling of invalid UTF-8:
// ByteLevel decodes lossily as a whole, ByteFallback emits one U+FFFD per byte of a bad run.
#include "token_decoder.h"

#include "byte_level.h"
#include "error.h"
#include "text_pattern.h"
#include "utf8.h"

namespace rs {

namespace {

constexpr const char* kSupported =
    "ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, BPEDecoder, Sequence";

class ByteLevelDecoder final : public TokenDecoder {
  public:
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        std::string bytes;
        for (const std::string& t : tokens) {
            // A token with any character outside the byte alphabet passes through verbatim.
            std::string mapped;
            bool all_bytes = true;
            for (std::size_t i = 0; i < t.size() && all_bytes;) {
                const auto b = byte_level::char_to_byte(utf8::next(t, i));
                if (b)
                    mapped.push_back(static_cast<char>(*b));
                else
                    all_bytes = false;
            }
            bytes += all_bytes ? mapped : t;
        }
        tokens.assign(1, utf8::decode_lossy(bytes));
    }
};

class MetaspaceDecoder final : public TokenDecoder {
  public:
    MetaspaceDecoder(std::string replacement, bool strip_first)
        : replacement_(std::move(replacement)), strip_first_(strip_first) {}
    void decode_chain(std::vector<std::string>& tokens, bool at_start) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const bool drop = i == 0 && at_start && strip_first_;
            std::string out;
            const std::string& t = tokens[i];
            for (std::size_t pos = 0; pos < t.size();) {
                if (t.compare(pos, replacement_.size(), replacement_) == 0) {
                    if (!drop) out.push_back(' ');
                    pos += replacement_.size();
                } else {
                    out.push_back(t[pos++]);
                }
            }
            tokens[i] = std::move(out);
        }
    }

  private:
    std::string replacement_;
    bool strip_first_;
};

class ReplaceDecoder final : public TokenDecoder {
  public:
    ReplaceDecoder(TextPattern pattern, std::string content)
        : pattern_(std::move(pattern)), content_(std::move(content)) {}
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        for (std::string& t : tokens) {
            std::string out;
            for (const auto& p : pattern_.find(t))
                out += p.is_match ? content_ : t.substr(p.begin, p.end - p.begin);
            t = std::move(out);
        }
    }

  private:
    TextPattern pattern_;
    std::string content_;
};

// "<0xNN>" tokens are raw bytes; consecutive ones are joined and must form valid UTF-8.
class ByteFallbackDecoder final : public TokenDecoder {
  public:
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        std::vector<std::string> out;
        std::string pending;
        auto flush = [&] {
            if (pending.empty()) return;
            if (utf8::find_invalid(pending) == std::string::npos)
                out.push_back(pending);
            else
                for (std::size_t i = 0; i < pending.size(); ++i)
                    out.push_back(utf8::encode(utf8::kReplacement));
            pending.clear();
        };
        for (std::string& t : tokens) {
            if (auto b = byte_value(t)) {
                pending.push_back(static_cast<char>(*b));
                continue;
            }
            flush();
            out.push_back(std::move(t));
        }
        flush();
        tokens = std::move(out);
    }

  private:
    static std::optional<unsigned> byte_value(const std::string& t) {
        if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return std::nullopt;
        unsigned v = 0;
        for (int k = 3; k < 5; ++k) {
            const char c = t[static_cast<std::size_t>(k)];
            const int d = (c >= '0' && c <= '9')   ? c - '0'
                          : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                          : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                   : -1;
            if (d < 0) return std::nullopt;
            v = v * 16 + static_cast<unsigned>(d);
        }
        return v;
    }
};

class FuseDecoder final : public TokenDecoder {
  public:
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        std::string all;
        for (const auto& t : tokens) all += t;
        tokens.assign(1, std::move(all));
    }
};

// Removes up to `start` leading and `stop` trailing copies of one character from each token.
class StripDecoder final : public TokenDecoder {
  public:
    StripDecoder(char32_t content, std::size_t start, std::size_t stop)
        : content_(content), start_(start), stop_(stop) {}
    void decode_chain(std::vector<std::string>& tokens, bool at_start) const override {
        if (!at_start) return;
        for (std::string& t : tokens) {
            const std::u32string chars = utf8::to_code_points(t);
            std::size_t begin = 0, end = chars.size();
            while (begin < start_ && begin < chars.size() && chars[begin] == content_) ++begin;
            for (std::size_t k = 0; k < stop_ && end > begin && chars[end - 1] == content_; ++k)
                --end;
            std::string out;
            for (std::size_t i = begin; i < end; ++i) utf8::append(out, chars[i]);
            t = std::move(out);
        }
    }

  private:
    char32_t content_;
    std::size_t start_, stop_;
};

class BpeSuffixDecoder final : public TokenDecoder {
  public:
    explicit BpeSuffixDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const std::string with = i + 1 == tokens.size() ? "" : " ";
            std::string out;
            const std::string& t = tokens[i];
            for (std::size_t pos = 0; pos < t.size();) {
                if (!suffix_.empty() && t.compare(pos, suffix_.size(), suffix_) == 0) {
                    out += with;
                    pos += suffix_.size();
                } else {
                    out.push_back(t[pos++]);
                }
            }
            tokens[i] = std::move(out);
        }
    }

  private:
    std::string suffix_;
};

class SequenceDecoder final : public TokenDecoder {
  public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<TokenDecoder>> parts)
        : parts_(std::move(parts)) {}
    void decode_chain(std::vector<std::string>& tokens, bool at_start) const override {
        for (const auto& p : parts_) p->decode_chain(tokens, at_start);
    }

  private:
    std::vector<std::unique_ptr<TokenDecoder>> parts_;
};

char32_t one_char(const JsonView& spec, const char* key) {
    const std::string s = spec.string(key);
    if (utf8::count_code_points(s) != 1) spec.at(key).fail("expected exactly one character");
    std::size_t i = 0;
    return utf8::next(s, i);
}

std::size_t count_field(const JsonView& spec, const char* key) {
    if (!spec.has(key)) return 0;
    const std::int64_t v = spec.integer(key);
    if (v < 0) spec.at(key).fail("expected a non-negative count");
    return static_cast<std::size_t>(v);
}

bool metaspace_strips_first(const JsonView& spec) {
    if (auto scheme = spec.opt_string("prepend_scheme")) return *scheme != "never";
    return spec.boolean("add_prefix_space", true);
}

}  // namespace

std::unique_ptr<TokenDecoder> make_token_decoder(const JsonView& spec) {
    const std::string type = spec.type();
    if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
    if (type == "Metaspace")
        return std::make_unique<MetaspaceDecoder>(utf8::encode(one_char(spec, "replacement")),
                                                  metaspace_strips_first(spec));
    if (type == "Replace")
        return std::make_unique<ReplaceDecoder>(make_text_pattern(spec.at("pattern")),
                                                spec.string("content"));
    if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
    if (type == "Fuse") return std::make_unique<FuseDecoder>();
    if (type == "Strip")
        return std::make_unique<StripDecoder>(one_char(spec, "content"), count_field(spec, "start"),
                                              count_field(spec, "stop"));
    if (type == "BPEDecoder")
        return std::make_unique<BpeSuffixDecoder>(spec.opt_string("suffix").value_or("</w>"));
    if (type == "Sequence") {
        const JsonView list = spec.at("decoders");
        std::vector<std::unique_ptr<TokenDecoder>> parts;
        for (std::size_t i = 0; i < list.array_size(); ++i)
            parts.push_back(make_token_decoder(list.at(i)));
        return std::make_unique<SequenceDecoder>(std::move(parts));
    }
    spec.unsupported("decoder", type, kSupported);
}

}  // namespace rs
