// "What is this?" for every view: one paragraph with the formula behind what it plots, shown as
// the view's What's This text, its tab tooltip and from Help ▸ What is this view? (Shift+F1).
#pragma once

#include <QString>

namespace rs::ui {

enum class ViewTopic { Attention, Heads, Curves, LongRange, Perplexity, Noise, Compare };

// Rich text (HTML): a title line and one paragraph.
QString view_help(ViewTopic topic);

}  // namespace rs::ui
