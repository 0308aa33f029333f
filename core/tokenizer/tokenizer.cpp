// Tokenizer facade: reads tokenizer.json into the pipeline (added tokens -> normalizer ->
// pre-tokenizer -> BPE -> post-processor) and tokenizer_config.json for BOS/EOS.
#include "tokenizer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "added_tokens.h"
#include "bpe_model.h"
#include "error.h"
#include "json_depth.h"
#include "normalizer.h"
#include "post_processor.h"
#include "pre_tokenizer.h"
#include "token_decoder.h"
#include "unicode_props.h"
#include "utf8.h"

namespace rs {

namespace fs = std::filesystem;

struct TokenizerImpl {
    std::string path;
    std::unique_ptr<BpeModel> model;
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<PreTokenizer> pre_tokenizer;
    std::unique_ptr<PostProcessor> post_processor;
    std::unique_ptr<TokenDecoder> decoder;
    AddedVocabulary added;
    std::optional<std::int32_t> bos, eos;
    // Set when tokenizer_config.json's add_bos_token/add_eos_token decide the special tokens.
    std::optional<std::pair<bool, bool>> bos_eos_override;
    std::string summary;

    const std::string* token_string(std::int32_t id) const {
        if (const std::string* s = added.decode_string(id)) return s;
        return model->id_to_token(id);
    }
};

namespace {

nlohmann::json parse_json(std::string_view text, const std::string& path) {
    // Components nest (Sequence of Sequence...) and are built recursively: bound the depth first.
    if (!json_depth_within(text))
        throw FileError(path, "malformed JSON: nested more than " + std::to_string(kMaxJsonDepth) +
                                  " levels deep");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse errors, and numbers out of range
        throw FileError(path, std::string("malformed JSON: ") + e.what());
    }
}

nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError(path.string(), "cannot open the file for reading");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_json(ss.str(), path.string());
}

std::string component_type(const nlohmann::json& root, const char* key) {
    auto it = root.find(key);
    if (it == root.end() || it->is_null()) return "none";
    if (it->is_object() && it->contains("type") && (*it)["type"].is_string())
        return (*it)["type"].get<std::string>();
    return "?";
}

void load_model(TokenizerImpl& t, const JsonView& model) {
    if (!model.raw().is_object()) model.fail("expected an object");
    const std::string type = model.has("type") ? model.string("type") : "BPE";
    if (type != "BPE") {
        model.fail("model type '" + type +
                   "' is not supported (RoPEScope supports BPE tokenizers only; "
                   "WordPiece, Unigram and WordLevel are not implemented)");
    }
    t.model = std::make_unique<BpeModel>(model);
}

void load_pipeline(TokenizerImpl& t, const nlohmann::json& root) {
    const JsonView top(root, "tokenizer");
    if (!root.is_object()) top.fail("expected a JSON object at the top level");
    if (auto v = top.get("version"); v && v->as_string() != "1.0")
        v->fail("unknown tokenizer.json version '" + v->as_string() + "' (expected 1.0)");
    if (!top.has("model")) top.fail("missing field 'model'");
    load_model(t, top.at("model"));
    if (auto n = top.get("normalizer")) t.normalizer = make_normalizer(*n);
    if (auto p = top.get("pre_tokenizer")) t.pre_tokenizer = make_pre_tokenizer(*p);
    if (auto p = top.get("post_processor")) t.post_processor = make_post_processor(*p);
    if (auto d = top.get("decoder")) t.decoder = make_token_decoder(*d);
    if (auto a = top.get("added_tokens"))
        t.added = AddedVocabulary(*a, *t.model, t.normalizer.get());
    t.summary = "BPE model, normalizer " + component_type(root, "normalizer") + ", pre-tokenizer " +
                component_type(root, "pre_tokenizer") + ", post-processor " +
                component_type(root, "post_processor") + ", decoder " +
                component_type(root, "decoder");
}

// bos_token / eos_token are a string or an AddedToken object {"content": ...}.
std::optional<std::string> config_token(const JsonView& config, const char* key) {
    auto v = config.get(key);
    if (!v) return std::nullopt;
    if (v->raw().is_string()) return v->as_string();
    if (v->raw().is_object()) return v->string("content");
    v->fail("expected a string or an object with 'content'");
}

// transformers' Llama/Gemma fast tokenizers rebuild their post-processor from these flags.
bool class_obeys_add_bos(const std::string& cls) {
    for (const char* name : {"LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer",
                             "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"})
        if (cls == name) return true;
    return false;
}

std::optional<std::int32_t> lookup(const TokenizerImpl& t, const std::string& token) {
    if (auto id = t.added.token_to_id(token)) return id;
    return t.model->token_to_id(token);
}

void load_config(TokenizerImpl& t, const nlohmann::json& root) {
    const JsonView config(root, "tokenizer_config");
    if (!root.is_object()) config.fail("expected a JSON object at the top level");
    auto resolve = [&](const char* key) -> std::optional<std::int32_t> {
        auto token = config_token(config, key);
        if (!token) return std::nullopt;
        auto id = lookup(t, *token);
        if (!id) config.at(key).fail("token '" + *token + "' is not in the tokenizer's vocabulary");
        return id;
    };
    t.bos = resolve("bos_token");
    t.eos = resolve("eos_token");
    const std::string cls = config.opt_string("tokenizer_class").value_or("");
    if (class_obeys_add_bos(cls) && (config.has("add_bos_token") || config.has("add_eos_token"))) {
        const bool add_bos = config.boolean("add_bos_token", true);
        const bool add_eos = config.boolean("add_eos_token", false);
        if (add_bos && !t.bos) config.fail("add_bos_token is set but there is no bos_token");
        if (add_eos && !t.eos) config.fail("add_eos_token is set but there is no eos_token");
        t.bos_eos_override = std::make_pair(add_bos, add_eos);
    }
}

// tokenizer.json's pipeline into `impl`, every failure as a FileError naming `path`.
void load_tokenizer_json(TokenizerImpl& impl, const nlohmann::json& root, const std::string& path) {
    try {
        load_pipeline(impl, root);
    } catch (const FileError&) {
        throw;
    } catch (const Error& e) {
        throw FileError(path, e.what());
    } catch (const nlohmann::json::exception& e) {
        throw FileError(path, std::string("unexpected JSON structure: ") + e.what());
    }
    if (!impl.bos && impl.post_processor) impl.bos = impl.post_processor->leading_special();
    if (!impl.eos && impl.post_processor) impl.eos = impl.post_processor->trailing_special();
}

std::pair<fs::path, fs::path> locate(const std::string& dir_or_file) {
    const fs::path p(dir_or_file);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
        const fs::path file = p / "tokenizer.json";
        if (!fs::exists(file, ec)) throw FileError(p.string(), "no tokenizer.json in this folder");
        return {file, p / "tokenizer_config.json"};
    }
    if (!fs::exists(p, ec)) throw FileError(p.string(), "no such file or directory");
    return {p, p.parent_path() / "tokenizer_config.json"};
}

}  // namespace

Tokenizer Tokenizer::load(const std::string& dir_or_file) {
    const auto [file, config_file] = locate(dir_or_file);
    auto impl = std::make_shared<TokenizerImpl>();
    impl->path = file.string();
    load_tokenizer_json(*impl, read_json(file), file.string());
    std::error_code ec;
    if (fs::exists(config_file, ec)) {
        const nlohmann::json config = read_json(config_file);
        try {
            load_config(*impl, config);
        } catch (const FileError&) {
            throw;
        } catch (const Error& e) {
            throw FileError(config_file.string(), e.what());
        } catch (const nlohmann::json::exception& e) {
            throw FileError(config_file.string(),
                            std::string("unexpected JSON structure: ") + e.what());
        }
    }
    return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_json(std::string_view json_text, const std::string& path) {
    auto impl = std::make_shared<TokenizerImpl>();
    impl->path = path;
    load_tokenizer_json(*impl, parse_json(json_text, path), path);
    return Tokenizer(std::move(impl));
}

Encoding Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
    const TokenizerImpl& t = *impl_;
    if (const auto bad = utf8::find_invalid(text); bad != std::string_view::npos)
        throw Error("the text is not valid UTF-8 (first bad byte at offset " + std::to_string(bad) +
                    ")");
    if (text.size() >= UINT32_MAX) throw Error("the text is too long to tokenize (4 GiB or more)");

    std::vector<Piece> pieces = t.added.extract_and_normalize(text, t.normalizer.get());
    if (t.pre_tokenizer) t.pre_tokenizer->pre_tokenize(pieces);

    TokenStream stream;
    stream.source = text;
    const bool want_strings = t.post_processor && t.post_processor->needs_token_strings();
    for (Piece& piece : pieces) {
        const bool added = piece.tokens.has_value();
        if (!added) piece.tokens = t.model->tokenize(piece.text.text());
        const std::size_t size = piece.text.size();
        for (const PieceToken& tok : *piece.tokens) {
            const std::size_t end = std::min<std::size_t>(tok.end, size);
            const ByteSpan span = tok.begin < end ? piece.text.original_of(tok.begin, end)
                                                  : piece.text.original_span();
            std::string token;
            if (want_strings) token = added ? piece.text.text() : *t.model->id_to_token(tok.id);
            stream.push(tok.id, {span.begin, span.end}, std::move(token));
        }
    }

    if (t.bos_eos_override) {
        if (t.post_processor) t.post_processor->process(stream, false);
        if (add_special_tokens) {
            const auto [add_bos, add_eos] = *t.bos_eos_override;
            if (add_bos) {
                TokenStream bos;
                bos.push(*t.bos, {0, 0}, *t.token_string(*t.bos));
                stream.prepend_stream(bos);
            }
            if (add_eos) stream.push(*t.eos, {0, 0}, *t.token_string(*t.eos));
        }
    } else if (t.post_processor) {
        t.post_processor->process(stream, add_special_tokens);
    }
    return Encoding{std::move(stream.ids), std::move(stream.offsets)};
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids, bool skip_special_tokens) const {
    const TokenizerImpl& t = *impl_;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (std::int32_t id : ids) {
        const std::string* s = t.token_string(id);
        if (!s) continue;
        if (skip_special_tokens && t.added.is_special(*s)) continue;
        tokens.push_back(*s);
    }
    std::string out;
    if (t.decoder) {
        t.decoder->decode_chain(tokens, true);
        for (const auto& s : tokens) out += s;
        return out;
    }
    for (std::size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    return out;
}

std::string Tokenizer::token_text(std::int32_t id) const {
    const TokenizerImpl& t = *impl_;
    const std::string* s = t.token_string(id);
    if (!s) throw UsageError("token id " + std::to_string(id) + " is not in the vocabulary");
    std::vector<std::string> tokens{*s};
    if (t.decoder) t.decoder->decode_chain(tokens, false);
    std::string out;
    for (const auto& piece : tokens) out += piece;
    return utf8::decode_lossy(out);
}

std::string Tokenizer::token_display(std::int32_t id) const {
    return display_text(token_text(id));
}

std::size_t Tokenizer::vocab_size() const {
    return static_cast<std::size_t>(std::max(impl_->model->max_id(), impl_->added.max_id()) + 1);
}

std::optional<std::int32_t> Tokenizer::bos_id() const {
    return impl_->bos;
}
std::optional<std::int32_t> Tokenizer::eos_id() const {
    return impl_->eos;
}

std::optional<std::int32_t> Tokenizer::token_to_id(std::string_view token) const {
    return lookup(*impl_, std::string(token));
}

std::optional<std::string> Tokenizer::id_to_token(std::int32_t id) const {
    if (const AddedToken* a = impl_->added.find(id)) return a->content;
    if (const std::string* s = impl_->model->id_to_token(id)) return *s;
    return std::nullopt;
}

bool Tokenizer::is_special(std::int32_t id) const {
    const AddedToken* a = impl_->added.find(id);
    return a && a->special;
}

const std::string& Tokenizer::path() const {
    return impl_->path;
}

std::string Tokenizer::summary() const {
    return impl_->summary + ", " + std::to_string(vocab_size()) + " ids";
}

std::string display_text(std::string_view text) {
    if (text.empty()) return "\u2205";
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        const char32_t c = utf8::next(text, i);
        switch (c) {
            case U' ':
                out += "\u00B7";
                continue;
            case U'\n':
                out += "\u23CE";
                continue;
            case U'\t':
                out += "\u2192";
                continue;
            case U'\r':
                out += "\u240D";
                continue;
            case 0x7F:
                out += "\u2421";
                continue;
            case 0xA0:
                out += "\u237D";
                continue;
            default:
                break;
        }
        if (c < 0x20) {
            utf8::append(out, 0x2400 + c);
        } else if (unicode::is_white_space(c) || unicode::is_format(c) || unicode::is_control(c)) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "[U+%04X]", static_cast<unsigned>(c));
            out += buf;
        } else {
            utf8::append(out, c);
        }
    }
    return out;
}

}  // namespace rs
