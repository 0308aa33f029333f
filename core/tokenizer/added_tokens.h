// The "added_tokens" of tokenizer.json: strings (special tokens like <|begin_of_text|> and user
// additions) matched in the text before normalization and pre-tokenization, each becoming one id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bpe_model.h"
#include "normalizer.h"
#include "pre_tokenized.h"
#include "tokenizer_json.h"

namespace rs {

struct AddedToken {
    std::string content;
    bool single_word = false;  // only match when not inside a word
    bool lstrip = false;       // swallow whitespace on the left into the token
    bool rstrip = false;       // ... and on the right
    bool normalized = true;    // match against normalized text instead of the raw input
    bool special = false;      // skipped by decode(skip_special_tokens)
};

class AddedVocabulary {
  public:
    AddedVocabulary() = default;
    // `list` is the added_tokens array. Ids are assigned as the reference does: an existing
    // vocabulary entry keeps its id, new strings count up from the model's vocabulary size.
    AddedVocabulary(const JsonView& list, const BpeModel& model, const Normalizer* normalizer);

    // The input cut into pieces: added tokens (already tokenized) and normalized text between
    // them, as Hugging Face's extract_and_normalize does.
    std::vector<Piece> extract_and_normalize(std::string_view text,
                                             const Normalizer* normalizer) const;

    std::optional<std::int32_t> token_to_id(std::string_view content) const;
    // The string decode() uses for an added id (its normalized form when normalized), or nullptr.
    const std::string* decode_string(std::int32_t id) const;
    const AddedToken* find(std::int32_t id) const;
    bool is_special(std::string_view content) const {
        return special_.count(std::string(content)) != 0;
    }
    std::int32_t max_id() const { return max_id_; }

  private:
    // Byte trie over the token strings, for leftmost-longest matching.
    class Trie {
      public:
        void insert(std::string_view key, std::int32_t id);
        bool empty() const { return nodes_.size() <= 1; }
        // Longest key starting at text[pos]: (id, length) or nullopt.
        std::optional<std::pair<std::int32_t, std::size_t>> longest_at(std::string_view text,
                                                                       std::size_t pos) const;

      private:
        struct Node {
            std::vector<std::pair<unsigned char, std::int32_t>> children;
            std::int32_t id = -1;
        };
        std::vector<Node> nodes_{Node{}};
        bool first_byte_[256] = {};
    };
    struct Found {
        std::optional<std::int32_t> id;
        std::size_t begin, end;
    };

    std::vector<Found> find_matches(std::string_view sentence, const Trie& trie) const;
    std::vector<Piece> split_with(NormalizedString&& s, const Trie& trie) const;

    std::unordered_map<std::string, std::int32_t> by_content_;
    std::unordered_map<std::int32_t, AddedToken> by_id_;
    std::unordered_map<std::int32_t, std::string> normalized_form_;
    std::unordered_set<std::string> special_;
    Trie raw_trie_, normalized_trie_;
    std::int32_t max_id_ = -1;
};

}  // namespace rs
