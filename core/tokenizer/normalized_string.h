// A piece of input text being normalized, with every normalized byte mapped back to the bytes
// of the original input it came from, so that tokens can report offsets into the user's text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "text_pattern.h"

namespace rs {

// A [begin, end) byte range of the original input.
struct ByteSpan {
    std::uint32_t begin = 0, end = 0;
    bool operator==(const ByteSpan&) const = default;
};

// One character of a transformation's output. `change`: 1 = inserted, 0 = replaces one input
// character, -n = replaces one input character and removes the n that follow it.
struct CharChange {
    char32_t c;
    int change;
};

// How Split-like pre-tokenizers treat the matched delimiters.
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

class NormalizedString {
  public:
    // The whole input, not yet normalized; offsets count from its first byte.
    explicit NormalizedString(std::string_view original);

    const std::string& text() const { return text_; }
    bool empty() const { return text_.empty(); }
    std::size_t size() const { return text_.size(); }
    // Range of the original input this piece was cut from (fixed when the piece is made).
    ByteSpan original_span() const { return original_; }
    // Original range behind normalized bytes [begin, end); begin < end <= size().
    ByteSpan original_of(std::size_t begin, std::size_t end) const;

    // Rewrites normalized bytes [begin, end) (on character boundaries) as `dest`; the first
    // `initial_removed` characters of the range are dropped before the first output character.
    void transform(std::size_t begin, std::size_t end, std::span<const CharChange> dest,
                   std::size_t initial_removed);
    void transform(std::span<const CharChange> dest, std::size_t initial_removed) {
        transform(0, text_.size(), dest, initial_removed);
    }
    void prepend(std::string_view s);
    // Replaces every byte b by the UTF-8 string table[b] (byte-level encoding): the first output
    // character of an input character takes its alignment, the others count as inserted after it.
    void map_bytes(const std::string (&table)[256]);
    // Replaces each matched range (ordered, disjoint) with `content`.
    void replace(std::span<const std::pair<std::size_t, std::size_t>> matches,
                 std::string_view content);

    NormalizedString slice(std::size_t begin, std::size_t end) const;
    // Cuts along `pieces` (covering the text in order); empty results are dropped.
    std::vector<NormalizedString> split(const std::vector<PatternPiece>& pieces,
                                        SplitBehavior behavior) const;

  private:
    NormalizedString() = default;
    ByteSpan inserted_alignment(std::size_t at) const;

    std::string text_;
    std::vector<ByteSpan> align_;  // [text_.size()] original range of each normalized byte
    ByteSpan original_;
};

SplitBehavior parse_split_behavior(const std::string& name);  // throws rs::Error

}  // namespace rs
