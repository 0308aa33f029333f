// Pre-tokenizers of tokenizer.json ("pre_tokenizer"): cut normalized text into the words the
// model tokenizes separately (Split, ByteLevel, Metaspace, Digits, Whitespace, ... Sequence).
#pragma once

#include <memory>
#include <vector>

#include "pre_tokenized.h"
#include "tokenizer_json.h"

namespace rs {

class PreTokenizer {
  public:
    virtual ~PreTokenizer() = default;
    // Splits (and may rewrite) every untokenized piece in place.
    virtual void pre_tokenize(std::vector<Piece>& pieces) const = 0;
};

// Throws rs::Error naming the component for unknown/unsupported types or bad fields.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const JsonView& spec);

}  // namespace rs
