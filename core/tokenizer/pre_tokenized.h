// The input as it moves through the pipeline: pieces of normalized text, each either still to
// be split and tokenized or already resolved to tokens (added tokens, then model output).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "normalized_string.h"

namespace rs {

// A token inside one piece: id and the byte range of the piece's normalized text it covers.
struct PieceToken {
    std::int32_t id;
    std::uint32_t begin, end;
};

struct Piece {
    NormalizedString text;
    std::optional<std::vector<PieceToken>> tokens;  // set once the piece is tokenized
};

// Replaces every untokenized piece by what `split` makes of it, dropping empty results;
// tokenized pieces are kept as they are.
void split_pieces(std::vector<Piece>& pieces,
                  const std::function<std::vector<Piece>(NormalizedString&&)>& split);
// Convenience for pre-tokenizers, whose results are all untokenized.
void split_untokenized(
    std::vector<Piece>& pieces,
    const std::function<std::vector<NormalizedString>(NormalizedString&&)>& split);

}  // namespace rs
