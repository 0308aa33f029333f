// FNV-1a 64-bit hashes as hex strings: the identity of a study's corpus, tokenizers and settings,
// so partial studies and journals of different studies are told apart (not a security measure).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rs {

class Fnv1a {
  public:
    // Adds the bytes and a terminating '\0', so ("ab","c") and ("a","bc") hash differently.
    Fnv1a& add(std::string_view bytes);
    std::string hex() const;  // 16 lowercase hex digits

  private:
    std::uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace rs
