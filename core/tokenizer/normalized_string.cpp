// Alignment bookkeeping with the same rules as Hugging Face's NormalizedString: inserted
// characters take the alignment of the byte before them, replaced ones keep their own.
#include "normalized_string.h"

#include <algorithm>

#include "error.h"
#include "utf8.h"

namespace rs {

NormalizedString::NormalizedString(std::string_view original)
    : text_(original), original_{0, static_cast<std::uint32_t>(original.size())} {
    // Every byte of a character maps to the whole character, so offsets never split one.
    align_.resize(original.size());
    for (std::size_t i = 0; i < original.size();) {
        const std::size_t n = std::min(
            utf8::sequence_length(static_cast<unsigned char>(original[i])), original.size() - i);
        const ByteSpan whole{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + n)};
        for (std::size_t k = 0; k < n; ++k) align_[i + k] = whole;
        i += n;
    }
}

ByteSpan NormalizedString::original_of(std::size_t begin, std::size_t end) const {
    return {align_[begin].begin, align_[end - 1].end};
}

ByteSpan NormalizedString::inserted_alignment(std::size_t at) const {
    // Text inserted at the very start has nothing before it: it maps to an empty range.
    return at == 0 ? ByteSpan{original_.begin, original_.begin} : align_[at - 1];
}

void NormalizedString::transform(std::size_t begin, std::size_t end,
                                 std::span<const CharChange> dest, std::size_t initial_removed) {
    const std::string_view old(text_.data() + begin, end - begin);
    std::size_t read = 0;  // bytes of `old` consumed
    auto consume_chars = [&](std::size_t n) {
        for (; n > 0 && read < old.size(); --n) read += utf8::sequence_length(old[read]);
    };
    consume_chars(initial_removed);

    std::string out;
    std::vector<ByteSpan> out_align;
    out.reserve(old.size());
    out_align.reserve(old.size());
    for (const auto& [c, change] : dest) {
        const std::size_t idx = begin + read;
        ByteSpan a;
        if (change > 0) {
            a = inserted_alignment(idx);
        } else {
            a = idx < align_.size() ? align_[idx] : inserted_alignment(idx);
            consume_chars(1);
            if (change < 0) consume_chars(static_cast<std::size_t>(-change));
        }
        utf8::append(out, c);
        out_align.insert(out_align.end(), utf8::encoded_length(c), a);
    }
    text_.replace(begin, end - begin, out);
    align_.erase(align_.begin() + static_cast<std::ptrdiff_t>(begin),
                 align_.begin() + static_cast<std::ptrdiff_t>(end));
    align_.insert(align_.begin() + static_cast<std::ptrdiff_t>(begin), out_align.begin(),
                  out_align.end());
}

void NormalizedString::prepend(std::string_view s) {
    if (text_.empty() || s.empty()) return;
    std::size_t first_end = 0;
    const char32_t first = utf8::next(text_, first_end);
    std::vector<CharChange> dest;
    bool leading = true;
    for (std::size_t i = 0; i < s.size();) {
        dest.push_back({utf8::next(s, i), leading ? 0 : 1});
        leading = false;
    }
    dest.push_back({first, 1});
    transform(0, first_end, dest, 0);
}

void NormalizedString::replace(std::span<const std::pair<std::size_t, std::size_t>> matches,
                               std::string_view content) {
    if (matches.empty()) return;
    std::string out;
    std::vector<ByteSpan> out_align;
    out.reserve(text_.size());
    out_align.reserve(align_.size());
    std::size_t last = 0;
    for (const auto& [s, e] : matches) {
        out.append(text_, last, s - last);
        out_align.insert(out_align.end(), align_.begin() + static_cast<std::ptrdiff_t>(last),
                         align_.begin() + static_cast<std::ptrdiff_t>(s));
        // Every replacement character counts as inserted after the removed match.
        const ByteSpan a = inserted_alignment(e);
        out.append(content);
        out_align.insert(out_align.end(), content.size(), a);
        last = e;
    }
    out.append(text_, last);
    out_align.insert(out_align.end(), align_.begin() + static_cast<std::ptrdiff_t>(last),
                     align_.end());
    text_ = std::move(out);
    align_ = std::move(out_align);
}

void NormalizedString::map_bytes(const std::string (&table)[256]) {
    std::string out;
    std::vector<ByteSpan> out_align;
    out.reserve(2 * text_.size());
    out_align.reserve(2 * text_.size());
    for (std::size_t i = 0; i < text_.size();) {
        const std::size_t n = utf8::sequence_length(static_cast<unsigned char>(text_[i]));
        for (std::size_t k = 0; k < n; ++k) {
            const std::string& rep = table[static_cast<unsigned char>(text_[i + k])];
            // Same rule as transform(): replacing keeps the byte's own alignment, inserting
            // takes the alignment of the last byte of the character consumed so far.
            const ByteSpan a = k == 0 ? align_[i] : align_[i + n - 1];
            out += rep;
            out_align.insert(out_align.end(), rep.size(), a);
        }
        i += n;
    }
    text_ = std::move(out);
    align_ = std::move(out_align);
}

NormalizedString NormalizedString::slice(std::size_t begin, std::size_t end) const {
    NormalizedString s;
    s.text_.assign(text_, begin, end - begin);
    s.align_.assign(align_.begin() + static_cast<std::ptrdiff_t>(begin),
                    align_.begin() + static_cast<std::ptrdiff_t>(end));
    s.original_ =
        begin < end ? original_of(begin, end) : ByteSpan{original_.begin, original_.begin};
    return s;
}

std::vector<NormalizedString> NormalizedString::split(const std::vector<PatternPiece>& pieces,
                                                      SplitBehavior behavior) const {
    struct Cut {
        std::size_t begin, end;
        bool keep;
    };
    std::vector<Cut> cuts;
    cuts.reserve(pieces.size());
    bool previous_match = false;
    switch (behavior) {
        case SplitBehavior::Removed:
            for (const auto& p : pieces) cuts.push_back({p.begin, p.end, !p.is_match});
            break;
        case SplitBehavior::Isolated:
            for (const auto& p : pieces) cuts.push_back({p.begin, p.end, true});
            break;
        case SplitBehavior::Contiguous:
            for (const auto& p : pieces) {
                if (p.is_match == previous_match && !cuts.empty())
                    cuts.back().end = p.end;
                else
                    cuts.push_back({p.begin, p.end, true});
                previous_match = p.is_match;
            }
            break;
        case SplitBehavior::MergedWithPrevious:
            for (const auto& p : pieces) {
                if (p.is_match && !previous_match && !cuts.empty())
                    cuts.back().end = p.end;
                else
                    cuts.push_back({p.begin, p.end, true});
                previous_match = p.is_match;
            }
            break;
        case SplitBehavior::MergedWithNext:
            for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
                if (it->is_match && !previous_match && !cuts.empty())
                    cuts.back().begin = it->begin;
                else
                    cuts.push_back({it->begin, it->end, true});
                previous_match = it->is_match;
            }
            std::reverse(cuts.begin(), cuts.end());
            break;
    }
    std::vector<NormalizedString> out;
    out.reserve(cuts.size());
    for (const auto& c : cuts)
        if (c.keep && c.begin < c.end) out.push_back(slice(c.begin, c.end));
    return out;
}

SplitBehavior parse_split_behavior(const std::string& name) {
    if (name == "Removed") return SplitBehavior::Removed;
    if (name == "Isolated") return SplitBehavior::Isolated;
    if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
    if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
    if (name == "Contiguous") return SplitBehavior::Contiguous;
    throw Error("unknown split behavior '" + name +
                "' (expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous)");
}

}  // namespace rs
