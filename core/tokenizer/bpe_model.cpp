// BPE tokenization with the semantics of Hugging Face's BPE: characters (with continuing-subword
// prefix and end-of-word suffix) become symbols, unknown ones go to byte fallback or <unk>, then
// the lowest-ranked applicable merge is applied repeatedly (ties: leftmost).
#include "bpe_model.h"

#include <algorithm>
#include <cstdio>

#include "error.h"
#include "utf8.h"

namespace rs {

// Words up to this many bytes are cached, up to kCacheCapacity of them (then no more inserts).
namespace {
constexpr std::size_t kCacheMaxWordBytes = 256;
constexpr std::size_t kCacheCapacity = 1 << 17;

constexpr std::uint64_t kEmptyKey = ~std::uint64_t{0};

std::size_t slot_hash(std::uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return static_cast<std::size_t>(key);
}

std::uint64_t pair_key(std::int32_t a, std::int32_t b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
           static_cast<std::uint32_t>(b);
}
}  // namespace

struct BpeModel::WordCache {
    std::mutex mutex;
    std::unordered_map<std::string, std::vector<PieceToken>, StringHash, std::equal_to<>> words;
};

BpeModel::BpeModel(const JsonView& spec) : cache_(std::make_unique<WordCache>()) {
    if (spec.has("type") && spec.string("type") != "BPE") spec.fail("expected a BPE model");
    if (!spec.has("vocab")) spec.fail("missing field 'vocab'");
    if (!spec.has("merges")) spec.fail("missing field 'merges'");
    const JsonView vocab = spec.at("vocab");
    if (!vocab.raw().is_object()) vocab.fail("expected an object mapping tokens to ids");
    vocab_.reserve(vocab.raw().size());
    for (const auto& [token, id] : vocab.raw().items()) {
        if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
            id.get<std::int64_t>() > INT32_MAX)
            vocab.fail("token '" + token + "' has no valid id");
        const auto v = static_cast<std::int32_t>(id.get<std::int64_t>());
        vocab_[token] = v;
        max_id_ = std::max(max_id_, v);
    }
    // Ids index a table (and, elsewhere, embedding rows): far beyond the vocabulary size is a
    // corrupt file, not something to allocate for.
    if (static_cast<std::size_t>(max_id_) > 4 * vocab_.size() + (1u << 20))
        vocab.fail("id " + std::to_string(max_id_) + " is implausibly large for " +
                   std::to_string(vocab_.size()) + " tokens");
    id_to_token_.assign(static_cast<std::size_t>(max_id_ + 1), nullptr);
    for (const auto& [token, id] : vocab_) id_to_token_[static_cast<std::size_t>(id)] = &token;

    if (auto d = spec.get("dropout")) {
        if (!d->raw().is_number()) d->fail("expected a number");
        if (d->raw().get<double>() != 0.0)
            d->fail("BPE dropout is random at encode time; RoPEScope needs deterministic ids");
    }
    if (auto unk = spec.opt_string("unk_token")) {
        auto it = vocab_.find(*unk);
        if (it == vocab_.end())
            spec.at("unk_token").fail("unk token '" + *unk + "' is not in the vocabulary");
        unk_id_ = it->second;
    }
    continuing_subword_prefix_ = spec.opt_string("continuing_subword_prefix").value_or("");
    end_of_word_suffix_ = spec.opt_string("end_of_word_suffix").value_or("");
    fuse_unk_ = spec.boolean("fuse_unk", false);
    byte_fallback_ = spec.boolean("byte_fallback", false);
    ignore_merges_ = spec.boolean("ignore_merges", false);
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        auto it = vocab_.find(std::string_view(name));
        byte_ids_[b] = it == vocab_.end() ? -1 : it->second;
    }
    load_merges(spec.at("merges"));
}

BpeModel::~BpeModel() = default;

void BpeModel::load_merges(const JsonView& merges) {
    const std::size_t n = merges.array_size();
    std::size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    merge_table_.assign(capacity, MergeSlot{kEmptyKey, Merge{0, 0}});
    merge_mask_ = capacity - 1;
    std::string merged;
    for (std::size_t rank = 0; rank < n; ++rank) {
        const auto& entry = merges.raw()[rank];
        std::string left, right;
        if (entry.is_string()) {
            // Legacy form "left right": exactly one space separates the two tokens.
            const std::string line = entry.get<std::string>();
            const auto space = line.find(' ');
            if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos)
                merges.at(rank).fail("expected \"<left> <right>\", got '" + line + "'");
            left = line.substr(0, space);
            right = line.substr(space + 1);
        } else if (entry.is_array() && entry.size() == 2 && entry[0].is_string() &&
                   entry[1].is_string()) {
            left = entry[0].get<std::string>();
            right = entry[1].get<std::string>();
        } else {
            merges.at(rank).fail("expected a \"left right\" string or a [left, right] pair");
        }
        auto l = vocab_.find(left), r = vocab_.find(right);
        if (l == vocab_.end() || r == vocab_.end())
            merges.at(rank).fail("merge uses token '" + (l == vocab_.end() ? left : right) +
                                 "' that is not in the vocabulary");
        if (right.size() < continuing_subword_prefix_.size())
            merges.at(rank).fail("right token lacks the continuing_subword_prefix");
        merged = left + right.substr(continuing_subword_prefix_.size());
        auto m = vocab_.find(merged);
        if (m == vocab_.end())
            merges.at(rank).fail("merged token '" + merged + "' is not in the vocabulary");
        // A repeated pair keeps its last rank, as a map built from the list would.
        insert_merge(pair_key(l->second, r->second),
                     Merge{static_cast<std::uint32_t>(rank), m->second});
    }
}

std::optional<std::int32_t> BpeModel::token_to_id(std::string_view token) const {
    auto it = vocab_.find(token);
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
}

const std::string* BpeModel::id_to_token(std::int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= id_to_token_.size()) return nullptr;
    return id_to_token_[static_cast<std::size_t>(id)];
}

void BpeModel::insert_merge(std::uint64_t key, Merge m) {
    for (std::size_t i = slot_hash(key) & merge_mask_;; i = (i + 1) & merge_mask_) {
        if (merge_table_[i].key == kEmptyKey || merge_table_[i].key == key) {
            merge_table_[i] = MergeSlot{key, m};
            return;
        }
    }
}

const BpeModel::Merge* BpeModel::find_merge(std::int32_t left, std::int32_t right) const {
    const std::uint64_t key = pair_key(left, right);
    for (std::size_t i = slot_hash(key) & merge_mask_;; i = (i + 1) & merge_mask_) {
        const MergeSlot& slot = merge_table_[i];
        if (slot.key == key) return &slot.merge;
        if (slot.key == kEmptyKey) return nullptr;
    }
}

std::vector<BpeModel::Symbol> BpeModel::initial_symbols(std::string_view word) const {
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    auto add = [&](std::int32_t id, std::size_t len) {
        const auto n = static_cast<std::int32_t>(symbols.size());
        if (n > 0) symbols.back().next = n;
        symbols.push_back({id, n - 1, -1, static_cast<std::uint32_t>(len)});
    };
    std::optional<std::pair<std::int32_t, std::size_t>> pending_unk;  // (id, bytes)
    std::string decorated;
    for (std::size_t i = 0; i < word.size();) {
        const std::size_t start = i;
        i += utf8::sequence_length(static_cast<unsigned char>(word[i]));
        std::string_view piece = word.substr(start, i - start);
        const std::size_t byte_len = piece.size();
        const bool decorate = (start > 0 && !continuing_subword_prefix_.empty()) ||
                              (i == word.size() && !end_of_word_suffix_.empty());
        if (decorate) {
            decorated.assign(start > 0 ? continuing_subword_prefix_ : "");
            decorated.append(piece);
            if (i == word.size()) decorated.append(end_of_word_suffix_);
            piece = decorated;
        }
        if (auto it = vocab_.find(piece); it != vocab_.end()) {
            if (pending_unk) add(pending_unk->first, pending_unk->second);
            pending_unk.reset();
            add(it->second, byte_len);
            continue;
        }
        if (byte_fallback_ && std::all_of(piece.begin(), piece.end(), [&](char b) {
                return byte_ids_[static_cast<unsigned char>(b)] >= 0;
            })) {
            // Like the reference, a pending <unk> is not flushed before byte tokens.
            for (char b : piece) add(byte_ids_[static_cast<unsigned char>(b)], 1);
            continue;
        }
        if (!unk_id_) continue;  // no unk token: the character is dropped
        if (pending_unk && fuse_unk_) {
            pending_unk->second += byte_len;
        } else {
            if (pending_unk) add(pending_unk->first, pending_unk->second);
            pending_unk = std::make_pair(*unk_id_, byte_len);
        }
    }
    if (pending_unk) add(pending_unk->first, pending_unk->second);
    return symbols;
}

namespace {

// Merge candidate; lower rank first, then leftmost.
struct Candidate {
    std::uint32_t rank;
    std::int32_t pos;
    std::int32_t new_id;
    bool before(const Candidate& o) const { return rank != o.rank ? rank < o.rank : pos < o.pos; }
};

// A 4-ary min-heap: shallower than a binary heap, so fewer cache misses on long words.
class CandidateHeap {
  public:
    void reserve(std::size_t n) { items_.reserve(n); }
    bool empty() const { return items_.empty(); }
    void push(const Candidate& c) {
        std::size_t i = items_.size();
        items_.push_back(c);
        while (i > 0) {
            const std::size_t parent = (i - 1) / 4;
            if (!items_[i].before(items_[parent])) break;
            std::swap(items_[i], items_[parent]);
            i = parent;
        }
    }
    Candidate pop() {
        const Candidate top = items_.front();
        items_.front() = items_.back();
        items_.pop_back();
        std::size_t i = 0;
        const std::size_t n = items_.size();
        while (true) {
            const std::size_t first = 4 * i + 1;
            if (first >= n) break;
            std::size_t best = first;
            for (std::size_t k = first + 1; k < std::min(first + 4, n); ++k)
                if (items_[k].before(items_[best])) best = k;
            if (!items_[best].before(items_[i])) break;
            std::swap(items_[i], items_[best]);
            i = best;
        }
        return top;
    }

  private:
    std::vector<Candidate> items_;
};

}  // namespace

void BpeModel::merge_all(std::vector<Symbol>& symbols) const {
    CandidateHeap queue;
    queue.reserve(symbols.size());
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
        if (const Merge* m = find_merge(symbols[i].id, symbols[i + 1].id))
            queue.push({m->rank, static_cast<std::int32_t>(i), m->new_id});

    while (!queue.empty()) {
        const Candidate top = queue.pop();
        Symbol& left = symbols[static_cast<std::size_t>(top.pos)];
        if (left.len == 0 || left.next < 0) continue;
        const Symbol right = symbols[static_cast<std::size_t>(left.next)];
        // Entries go stale when a neighbour merged first; the pair must still produce new_id.
        const Merge* current = find_merge(left.id, right.id);
        if (!current || current->new_id != top.new_id) continue;

        symbols[static_cast<std::size_t>(left.next)].len = 0;
        left.id = top.new_id;
        left.len += right.len;
        left.next = right.next;
        if (right.next >= 0) symbols[static_cast<std::size_t>(right.next)].prev = top.pos;

        if (left.prev >= 0) {
            const Symbol& before = symbols[static_cast<std::size_t>(left.prev)];
            if (const Merge* m = find_merge(before.id, left.id))
                queue.push({m->rank, left.prev, m->new_id});
        }
        if (left.next >= 0) {
            const Symbol& after = symbols[static_cast<std::size_t>(left.next)];
            if (const Merge* m = find_merge(left.id, after.id))
                queue.push({m->rank, top.pos, m->new_id});
        }
    }
}

std::vector<PieceToken> BpeModel::tokenize(std::string_view word) const {
    if (word.empty()) return {};
    if (ignore_merges_) {
        if (auto it = vocab_.find(word); it != vocab_.end())
            return {PieceToken{it->second, 0, static_cast<std::uint32_t>(word.size())}};
    }
    const bool cacheable = word.size() < kCacheMaxWordBytes;
    if (cacheable) {
        std::lock_guard lock(cache_->mutex);
        if (auto it = cache_->words.find(word); it != cache_->words.end()) return it->second;
    }
    std::vector<Symbol> symbols = initial_symbols(word);
    merge_all(symbols);
    std::vector<PieceToken> tokens;
    std::uint32_t pos = 0;
    for (const Symbol& s : symbols) {
        if (s.len == 0) continue;
        tokens.push_back({s.id, pos, pos + s.len});
        pos += s.len;
    }
    if (cacheable) {
        std::lock_guard lock(cache_->mutex);
        if (cache_->words.size() < kCacheCapacity) cache_->words.emplace(std::string(word), tokens);
    }
    return tokens;
}

}  // namespace rs
