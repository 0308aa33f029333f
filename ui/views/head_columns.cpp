// Column order of the heads grid and the twin pairs, from the head layout.
#include "head_columns.h"

namespace rs::ui {

namespace {

HeadColumn column_of(const HeadLayout* layout, int head) {
    HeadColumn c;
    c.head = head;
    if (!layout) {
        c.label = QString("h%1").arg(head);
        return c;
    }
    const HeadInfo& h = layout->heads.at(std::size_t(head));
    c.imag = h.imag;
    c.is_virtual = h.is_virtual;
    c.label = QString("q%1").arg(h.query_head);
    return c;
}

}  // namespace

std::vector<HeadColumn> head_columns(const HeadLayout* layout, int heads,
                                     HeadArrangement arrangement) {
    std::vector<HeadColumn> out;
    if (!layout || layout->analysis_heads() != heads) {
        for (int h = 0; h < heads; ++h) out.push_back(column_of(nullptr, h));
        if (!out.empty()) out.front().starts_group = true, out.front().group_caption = "heads";
        return out;
    }
    std::vector<bool> placed(std::size_t(heads), false);
    auto place = [&](int h, bool starts) {
        if (placed[std::size_t(h)]) return;
        placed[std::size_t(h)] = true;
        out.push_back(column_of(layout, h));
        out.back().starts_group = starts;
    };
    if (arrangement == HeadArrangement::Interleaved) {
        for (const HeadInfo& h : layout->heads) {
            if (h.imag) continue;
            place(h.index, true);
            if (h.twin >= 0) place(h.twin, false);
        }
        for (const HeadInfo& h : layout->heads)
            place(h.index, true);  // imaginary heads without twin
        for (HeadColumn& c : out) {
            const HeadInfo& h = layout->heads.at(std::size_t(c.head));
            c.group_caption = c.starts_group ? QString("q%1").arg(h.query_head) : QString();
            c.label = h.imag ? (h.is_virtual ? "im*" : "im") : "re";
        }
        return out;
    }
    // Grouped: real heads in order, then imaginary heads in their twins' order, so column k of the
    // imaginary group is the twin of column k of the real group.
    bool first = true;
    for (const HeadInfo& h : layout->heads)
        if (!h.imag) place(h.index, first), first = false;
    first = true;
    for (const HeadInfo& h : layout->heads)
        if (!h.imag && h.twin >= 0) place(h.twin, first), first = false;
    for (const HeadInfo& h : layout->heads)
        if (h.imag) place(h.index, first), first = false;
    for (HeadColumn& c : out) {
        if (!c.starts_group) continue;
        c.group_caption = !c.imag ? "real" : c.is_virtual ? "virtual imaginary" : "imaginary";
    }
    return out;
}

std::vector<TwinPair> twin_pairs(const HeadLayout* layout) {
    std::vector<TwinPair> out;
    if (!layout) return out;
    for (const HeadInfo& h : layout->heads)
        if (!h.imag && h.twin >= 0) out.push_back({h.index, h.twin});
    return out;
}

QString head_label(const HeadLayout* layout, int head) {
    if (!layout || head < 0 || head >= layout->analysis_heads()) return QString("h%1").arg(head);
    return QString("h%1 (%2)").arg(head).arg(QString::fromStdString(layout->label(head)));
}

}  // namespace rs::ui
