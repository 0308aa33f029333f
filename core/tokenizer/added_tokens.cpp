// Added-token matching with the reference's rules: leftmost-longest over all token strings,
// single_word rejects matches touching word characters, lstrip/rstrip absorb adjacent whitespace.
#include "added_tokens.h"

#include <algorithm>

#include "error.h"
#include "unicode_props.h"
#include "utf8.h"

namespace rs {

namespace {

bool ends_with_word_char(std::string_view s) {
    if (s.empty()) return false;
    std::size_t i = s.size();
    return unicode::is_word_char(utf8::previous(s, i));
}

bool starts_with_word_char(std::string_view s) {
    if (s.empty()) return false;
    std::size_t i = 0;
    return unicode::is_word_char(utf8::next(s, i));
}

// Start of the whitespace run that ends `s`.
std::size_t trailing_space_start(std::string_view s) {
    std::size_t i = s.size();
    while (i > 0) {
        std::size_t j = i;
        if (!unicode::is_white_space(utf8::previous(s, j))) break;
        i = j;
    }
    return i;
}

// Length of the whitespace run that starts `s`.
std::size_t leading_space_length(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t j = i;
        if (!unicode::is_white_space(utf8::next(s, j))) break;
        i = j;
    }
    return i;
}

}  // namespace

void AddedVocabulary::Trie::insert(std::string_view key, std::int32_t id) {
    std::size_t node = 0;
    for (char ch : key) {
        const auto b = static_cast<unsigned char>(ch);
        auto& kids = nodes_[node].children;
        auto it =
            std::find_if(kids.begin(), kids.end(), [b](const auto& k) { return k.first == b; });
        if (it != kids.end()) {
            node = static_cast<std::size_t>(it->second);
        } else {
            const auto next = static_cast<std::int32_t>(nodes_.size());
            nodes_[node].children.emplace_back(b, next);
            nodes_.emplace_back();
            node = static_cast<std::size_t>(next);
        }
    }
    nodes_[node].id = id;
    first_byte_[static_cast<unsigned char>(key.front())] = true;
}

std::optional<std::pair<std::int32_t, std::size_t>> AddedVocabulary::Trie::longest_at(
    std::string_view text, std::size_t pos) const {
    if (!first_byte_[static_cast<unsigned char>(text[pos])]) return std::nullopt;
    std::optional<std::pair<std::int32_t, std::size_t>> best;
    std::size_t node = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        const auto& kids = nodes_[node].children;
        auto it =
            std::find_if(kids.begin(), kids.end(), [b](const auto& k) { return k.first == b; });
        if (it == kids.end()) break;
        node = static_cast<std::size_t>(it->second);
        if (nodes_[node].id >= 0) best = std::make_pair(nodes_[node].id, i + 1 - pos);
    }
    return best;
}

AddedVocabulary::AddedVocabulary(const JsonView& list, const BpeModel& model,
                                 const Normalizer* normalizer) {
    std::int32_t next_id = static_cast<std::int32_t>(model.vocab_size());
    for (std::size_t i = 0; i < list.array_size(); ++i) {
        const JsonView entry = list.at(i);
        AddedToken t;
        t.content = entry.string("content");
        t.special = entry.boolean("special", false);
        t.single_word = entry.boolean("single_word", false);
        t.lstrip = entry.boolean("lstrip", false);
        t.rstrip = entry.boolean("rstrip", false);
        t.normalized = entry.boolean("normalized", !t.special);
        if (t.content.empty()) continue;
        if (utf8::find_invalid(t.content) != std::string::npos)
            entry.fail("content is not valid UTF-8");

        std::int32_t id;
        if (auto it = by_content_.find(t.content); it != by_content_.end())
            id = it->second;
        else if (auto m = model.token_to_id(t.content))
            id = *m;
        else
            id = next_id++;

        if (t.normalized && normalizer) {
            NormalizedString s(t.content);
            normalizer->normalize(s);
            if (s.text() != t.content)
                normalized_form_[id] = s.text();
            else
                normalized_form_.erase(id);
        }
        by_content_[t.content] = id;
        if (t.special) special_.insert(t.content);
        by_id_[id] = std::move(t);
        max_id_ = std::max(max_id_, id);
    }
    for (const auto& [id, t] : by_id_) {
        if (!t.normalized) {
            raw_trie_.insert(t.content, id);
        } else {
            auto n = normalized_form_.find(id);
            const std::string& key = n == normalized_form_.end() ? t.content : n->second;
            if (!key.empty()) normalized_trie_.insert(key, id);
        }
    }
}

std::optional<std::int32_t> AddedVocabulary::token_to_id(std::string_view content) const {
    auto it = by_content_.find(std::string(content));
    if (it == by_content_.end()) return std::nullopt;
    return it->second;
}

const std::string* AddedVocabulary::decode_string(std::int32_t id) const {
    if (auto n = normalized_form_.find(id); n != normalized_form_.end()) return &n->second;
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second.content;
}

const AddedToken* AddedVocabulary::find(std::int32_t id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
}

std::vector<AddedVocabulary::Found> AddedVocabulary::find_matches(std::string_view sentence,
                                                                  const Trie& trie) const {
    if (trie.empty() || sentence.empty()) return {Found{std::nullopt, 0, sentence.size()}};
    std::vector<Found> out;
    std::size_t start_offset = 0;
    for (std::size_t pos = 0; pos < sentence.size();) {
        const auto hit = trie.longest_at(sentence, pos);
        if (!hit) {
            ++pos;
            continue;
        }
        std::size_t start = pos, stop = pos + hit->second;
        pos = stop;
        const AddedToken& t = by_id_.at(hit->first);
        if (t.single_word) {
            const bool space_before = start == 0 || !ends_with_word_char(sentence.substr(0, start));
            const bool space_after =
                stop == sentence.size() || !starts_with_word_char(sentence.substr(stop));
            if (!space_before || !space_after) continue;
        }
        if (t.lstrip)
            start = std::max(trailing_space_start(sentence.substr(0, start)), start_offset);
        if (t.rstrip) stop += leading_space_length(sentence.substr(stop));
        start = std::max(start, start_offset);  // never overlap what is already emitted
        if (start_offset < start) out.push_back({std::nullopt, start_offset, start});
        out.push_back({hit->first, start, stop});
        start_offset = stop;
    }
    if (start_offset != sentence.size())
        out.push_back({std::nullopt, start_offset, sentence.size()});
    return out;
}

std::vector<Piece> AddedVocabulary::split_with(NormalizedString&& s, const Trie& trie) const {
    std::vector<Piece> parts;
    for (const Found& f : find_matches(s.text(), trie)) {
        if (f.begin >= f.end) continue;
        Piece p{s.slice(f.begin, f.end), std::nullopt};
        if (f.id)
            p.tokens =
                std::vector<PieceToken>{{*f.id, 0, static_cast<std::uint32_t>(f.end - f.begin)}};
        parts.push_back(std::move(p));
    }
    return parts;
}

std::vector<Piece> AddedVocabulary::extract_and_normalize(std::string_view text,
                                                          const Normalizer* normalizer) const {
    std::vector<Piece> pieces;
    pieces.push_back(Piece{NormalizedString(text), std::nullopt});
    split_pieces(pieces, [&](NormalizedString&& s) { return split_with(std::move(s), raw_trie_); });
    split_pieces(pieces, [&](NormalizedString&& s) {
        if (normalizer) normalizer->normalize(s);
        return split_with(std::move(s), normalized_trie_);
    });
    return pieces;
}

}  // namespace rs
