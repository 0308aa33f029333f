// FNV-1a 64 over framed byte strings.
#include "study_hash.h"

#include <cstdio>

namespace rs {

Fnv1a& Fnv1a::add(std::string_view bytes) {
    for (unsigned char c : bytes) h_ = (h_ ^ c) * 0x100000001b3ull;
    h_ = (h_ ^ 0u) * 0x100000001b3ull;
    return *this;
}

std::string Fnv1a::hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
}

}  // namespace rs
