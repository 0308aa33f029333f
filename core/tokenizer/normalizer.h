// Normalizers of tokenizer.json ("normalizer"): text rewrites applied before pre-tokenization
// (NFC/NFD/NFKC/NFKD, Lowercase, Replace, Prepend, Strip, StripAccents, Nmt, ByteLevel, Sequence).
#pragma once

#include <memory>

#include "normalized_string.h"
#include "tokenizer_json.h"

namespace rs {

class Normalizer {
  public:
    virtual ~Normalizer() = default;
    virtual void normalize(NormalizedString& s) const = 0;
};

// Builds the normalizer a tokenizer.json component describes; throws rs::Error naming the
// component for unknown or unsupported types (Bert, Precompiled) and malformed fields.
std::unique_ptr<Normalizer> make_normalizer(const JsonView& spec);

}  // namespace rs
