// The order in which the heads grid shows a layer's heads: real and imaginary heads in two column
// groups with twins in matching columns, or interleaved as twin pairs. Also the (real, imaginary)
// twin pairs the scatter plots.
#pragma once

#include <QString>
#include <vector>

#include "head_layout.h"

namespace rs::ui {

enum class HeadArrangement {
    Grouped,      // all real heads, then all imaginary heads (twins at the same offset)
    Interleaved,  // real head, its imaginary twin, next real head, ...
};

struct HeadColumn {
    int head = 0;  // index in HeadLayout::heads
    bool imag = false;
    bool is_virtual = false;
    bool starts_group = false;  // first column of a group (a gap is drawn before it)
    QString group_caption;      // on a group's first column: "real heads", "q3", ...
    QString label;              // column header: "q3" (grouped) or "re" / "im" (interleaved)
};

// Columns for `layout`; with no layout (nullptr) every one of `heads` heads is a real head.
std::vector<HeadColumn> head_columns(const HeadLayout* layout, int heads,
                                     HeadArrangement arrangement);

struct TwinPair {
    int real = 0;  // head index of the real head
    int imag = 0;  // head index of its imaginary twin
};
std::vector<TwinPair> twin_pairs(const HeadLayout* layout);

// "h5 (q2 imag, virtual)"-style label for tooltips; falls back to "h5" without a layout.
QString head_label(const HeadLayout* layout, int head);

}  // namespace rs::ui
