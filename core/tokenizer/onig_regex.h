// Regular expressions as Hugging Face tokenizers runs them (Oniguruma, via the Rust onig crate),
// executed with PCRE2 (UTF + UCP, JIT). Patterns are translated where the two dialects differ.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rs {

class OnigRegex {
  public:
    // Throws rs::Error naming the pattern when it does not compile or uses unsupported syntax.
    explicit OnigRegex(const std::string& pattern);
    ~OnigRegex();
    OnigRegex(OnigRegex&&) noexcept;
    OnigRegex& operator=(OnigRegex&&) noexcept;
    OnigRegex(const OnigRegex&) = delete;
    OnigRegex& operator=(const OnigRegex&) = delete;

    // All matches as [begin, end) byte ranges, iterated the way onig's find_iter does:
    // an empty match right where the previous match ended is skipped by one character.
    // `text` must be valid UTF-8.
    std::vector<std::pair<std::size_t, std::size_t>> find_all(std::string_view text) const;

    const std::string& pattern() const { return pattern_; }

  private:
    struct Compiled;
    std::string pattern_;
    std::unique_ptr<Compiled> compiled_;
};

// The PCRE2 form of an Oniguruma pattern (exposed for tests): \s, \w and \h follow
// Oniguruma's Unicode definitions, \uHHHH becomes \x{HHHH}.
std::string translate_oniguruma_pattern(const std::string& pattern);

}  // namespace rs
