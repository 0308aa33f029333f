// The BPE model of tokenizer.json ("model": {"type": "BPE"}): vocabulary, ranked merges, unk and
// byte fallback, with a heap-driven merge loop and a cache of already tokenized words.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pre_tokenized.h"
#include "tokenizer_json.h"

namespace rs {

// Hash for unordered_map<std::string, ...> lookups by string_view without a temporary string.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Vocab = std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>>;

class BpeModel {
  public:
    // Reads vocab, merges and options from the "model" component; throws rs::Error naming the
    // field for missing vocab/merges, merges over unknown tokens, dropout, bad unk_token...
    explicit BpeModel(const JsonView& spec);
    ~BpeModel();

    // Tokens of one pre-tokenized word; offsets are byte ranges of `word`.
    std::vector<PieceToken> tokenize(std::string_view word) const;

    std::optional<std::int32_t> token_to_id(std::string_view token) const;
    const std::string* id_to_token(std::int32_t id) const;  // nullptr when unknown
    std::size_t vocab_size() const { return vocab_.size(); }
    std::int32_t max_id() const { return max_id_; }

  private:
    struct Merge {
        std::uint32_t rank;
        std::int32_t new_id;
    };
    struct Symbol {
        std::int32_t id;
        std::int32_t prev, next;  // neighbours in the word, -1 at the ends
        std::uint32_t len;        // bytes; 0 marks a symbol merged into its left neighbour
    };
    struct WordCache;

    void load_merges(const JsonView& merges);
    std::vector<Symbol> initial_symbols(std::string_view word) const;
    void merge_all(std::vector<Symbol>& symbols) const;
    const Merge* find_merge(std::int32_t left, std::int32_t right) const;

    Vocab vocab_;
    std::vector<const std::string*> id_to_token_;  // [max_id_ + 1], nullptr for holes
    // Open-addressing table of merges keyed by (left id << 32 | right id): the merge loop does a
    // lookup per candidate pair, so this is the hottest structure in tokenization.
    struct MergeSlot {
        std::uint64_t key;  // kEmptyKey when unused
        Merge merge;
    };
    std::vector<MergeSlot> merge_table_;  // power-of-two size, load <= 1/2
    std::uint64_t merge_mask_ = 0;
    void insert_merge(std::uint64_t key, Merge m);
    std::optional<std::int32_t> unk_id_;
    std::string continuing_subword_prefix_, end_of_word_suffix_;
    bool fuse_unk_ = false, byte_fallback_ = false, ignore_merges_ = false;
    std::int32_t byte_ids_[256];  // <0xNN> token ids for byte fallback, -1 when missing
    std::int32_t max_id_ = -1;
    std::unique_ptr<WordCache> cache_;
};

}  // namespace rs
