// Nesting-depth guard for JSON read from files: nlohmann parses any depth, but dumping a value into
// an error message or walking nested components recurses once per level, so a hostile file of a
// few hundred kilobytes of "[[[[..." could overflow the stack. Callers reject deep files first.
#pragma once

#include <cstddef>
#include <string_view>

namespace rs {

// Real config.json / tokenizer.json / safetensors headers nest fewer than 10 levels.
constexpr std::size_t kMaxJsonDepth = 64;

// True when no object/array in `text` is nested deeper than `max_depth` (brackets inside strings
// do not count). Malformed JSON is not diagnosed here; the parser does that.
bool json_depth_within(std::string_view text, std::size_t max_depth = kMaxJsonDepth);

}  // namespace rs
