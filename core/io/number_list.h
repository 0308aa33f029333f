// The one grammar for lists of numbers a user types: the CLI's --base, --sigma, --noise and
// --tokens, the GUI's bases field, σ dialog and --noise option.
//
//   list := item ("," item)*     spaces around an item are allowed, empty items are not
//   item := decimal number [k|M|G]   (×10³, ×10⁶, ×10⁹; either case), finite
//
// Suffixes come from the GUI's bases field ("10k, 500k, 1M"). Ranges are not part of it (no
// existing grammar accepted them).
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace rs {

// What a list's values must satisfy besides being numbers.
struct NumberListBounds {
    double min = -std::numeric_limits<double>::infinity();
    bool min_exclusive = false;  // values must be > min (else >= min)
    std::size_t max_count = std::numeric_limits<std::size_t>::max();
};

inline constexpr NumberListBounds kNonNegativeNumbers{0.0, false};

// Parses `text` for the option or field called `name` ("--sigma", "Bases"). Throws UsageError
// starting with `name` for an empty list, an item that is not a number, a value out of bounds or
// too many values.
std::vector<double> parse_number_list(std::string_view text, const std::string& name,
                                      const NumberListBounds& bounds = {});

}  // namespace rs
