// Decoders of tokenizer.json ("decoder"): turn token strings back into text (ByteLevel,
// Metaspace, Replace, ByteFallback, Fuse, Strip, BPEDecoder, Sequence).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tokenizer_json.h"

namespace rs {

class TokenDecoder {
  public:
    virtual ~TokenDecoder() = default;
    // Rewrites the token strings in place. `at_start` is false when decoding a token on its own
    // for display: then the steps that only undo the sequence-initial space (Metaspace's first
    // token, Strip) leave it visible.
    virtual void decode_chain(std::vector<std::string>& tokens, bool at_start) const = 0;
};

// Throws rs::Error naming the component for unknown/unsupported types or bad fields.
std::unique_ptr<TokenDecoder> make_token_decoder(const JsonView& spec);

}  // namespace rs
