// Piece list surgery shared by added-token extraction and the pre-tokenizers.
#include "pre_tokenized.h"

namespace rs {

void split_pieces(std::vector<Piece>& pieces,
                  const std::function<std::vector<Piece>(NormalizedString&&)>& split) {
    std::vector<Piece> out;
    out.reserve(pieces.size());
    for (auto& piece : pieces) {
        if (piece.tokens) {
            out.push_back(std::move(piece));
            continue;
        }
        for (auto& part : split(std::move(piece.text)))
            if (!part.text.empty()) out.push_back(std::move(part));
    }
    pieces = std::move(out);
}

void split_untokenized(
    std::vector<Piece>& pieces,
    const std::function<std::vector<NormalizedString>(NormalizedString&&)>& split) {
    split_pieces(pieces, [&](NormalizedString&& text) {
        std::vector<Piece> parts;
        for (auto& s : split(std::move(text))) parts.push_back(Piece{std::move(s), std::nullopt});
        return parts;
    });
}

}  // namespace rs
