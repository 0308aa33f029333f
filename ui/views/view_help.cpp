// The science behind each view, in the app; the notation follows Liu et al. (arXiv 2512.07525).
#include "view_help.h"

#include <QCoreApplication>

namespace rs::ui {

namespace {
QString tr(const char* text) {
    return QCoreApplication::translate("ViewHelp", text);
}
}  // namespace

QString view_help(ViewTopic topic) {
    switch (topic) {
        case ViewTopic::Attention:
            return tr(
                "<b>Real vs imaginary attention</b><p>RoPE rotates query and key pairs into "
                "complex numbers q̃<sub>i</sub>(t) = q<sub>i</sub>e<sup>iθ<sub>i</sub>t</sup>. "
                "Every RoPE model attends with the <i>real</i> part of their product, "
                "a(t,s) = Re Σ<sub>i</sub> q̃<sub>i</sub>(t) conj(k̃<sub>i</sub>(s)) = "
                "Σ<sub>i</sub> |q<sub>i</sub>||k<sub>i</sub>| cos(θ<sub>i</sub>(t−s) + "
                "φ<sub>i</sub>), p = softmax<sub>s≤t</sub>(a/√d). The <i>imaginary</i> part, "
                "Σ<sub>i</sub> |q<sub>i</sub>||k<sub>i</sub>| sin(θ<sub>i</sub>(t−s) + "
                "φ<sub>i</sub>), is what the query rotated by −π/2 scores: RoPE++ heads attend "
                "with it; for vanilla RoPE it is computed as a <i>virtual head</i> (analysis "
                "only, the model's output is unchanged). The third map is imag − real "
                "probability. Zoomed out, each cell is the mean probability over its block of "
                "positions; zoomed in, exact values.</p>");
        case ViewTopic::Heads:
            return tr(
                "<b>Long-range mass M(D) per head</b><p>M(D) = mean over queries t ≥ D of "
                "Σ<sub>s ≤ t−D</sub> p(t,s): the share of attention a head gives to keys at least "
                "D "
                "positions back. The grid shows it for every layer and head; the scatter pairs "
                "each real head with its imaginary twin (same query, −π/2 rotated), so points "
                "above the diagonal are twins whose imaginary head reaches further. Virtual "
                "heads (vanilla RoPE) are marked; click a head to open its maps.</p>");
        case ViewTopic::Curves:
            return tr(
                "<b>Characteristic decay curves, Ci and Si</b><p>With query and key agreeing "
                "(q̃<sub>i</sub> conj(k̃<sub>i</sub>) = 1), a head's logit at distance Δ is "
                "C(Δ) = Σ<sub>i</sub> cos(θ<sub>i</sub>Δ) for real attention and "
                "S(Δ) = Σ<sub>i</sub> sin(θ<sub>i</sub>Δ) for imaginary attention, with "
                "θ<sub>i</sub> = b<sup>−2i/d</sup>/k (base b, rotary dimension d, linear "
                "interpolation factor k). Treating i as continuous gives the closed form "
                "C ≈ d/(2 ln b)·[Ci(Δ/k) − Ci(Δ/(kb))], S ≈ d/(2 ln b)·[Si(Δ/k) − Si(Δ/(kb))] "
                "with the cosine and sine integrals Ci and Si. C decays and oscillates; S rises "
                "and stays positive far longer — why imaginary heads reach further. YaRN and "
                "llama3 spectra have no closed form: only their exact sums are drawn. Gemma 3 "
                "rotates its sliding-window layers with a second, unscaled base "
                "(rope_local_base_freq): it is drawn as \"local\", without the scaling.</p>");
        case ViewTopic::LongRange:
            return tr(
                "<b>Long-range mass by distance</b><p>M(D) = mean over queries t ≥ D of "
                "Σ<sub>s ≤ t−D</sub> p(t,s), plotted against the threshold D, averaged over the "
                "real heads and over the imaginary heads (one layer, or all). A curve that stays "
                "high at large D belongs to heads that use distant context.</p>");
        case ViewTopic::Perplexity:
            return tr(
                "<b>Loss by position</b><p>The loss at position t is −log p(x<sub>t+1</sub> | "
                "x<sub>≤t</sub>) in nats; perplexity is exp of its mean. Plotted per position "
                "with a moving average; the vertical line marks the context length the model "
                "was trained on (max_position_embeddings), past which RoPE models usually "
                "degrade.</p>");
        case ViewTopic::Noise:
            return tr(
                "<b>Noise on real vs imaginary queries</b><p>Gaussian noise of standard "
                "deviation σ is added to every component of the rotated queries of either the "
                "real or the imaginary heads, and the text is run again: Δloss = mean loss with "
                "noise − without. The second chart shows how the long-range mass M(D) moves. If "
                "the model relies on imaginary heads for long context, noising them costs more "
                "and shifts M(D) more.</p>");
        case ViewTopic::Compare:
            return tr(
                "<b>Compare checkpoints</b><p>Opens a study file (<tt>ropescope-cli study</tt>: "
                "checkpoints × RoPE settings × texts) and shows its checkpoints side by side: "
                "M(D), the attention mass on keys at distance ≥ D averaged over the real or the "
                "imaginary heads, as the mean over texts with its 95% bootstrap interval; each "
                "imaginary head against its real twin for one statistic (points above y = x: "
                "the imaginary head's value is larger); and each text's mean NLL, which is what "
                "a study stores of the loss. Settings such as pi_factor=4 are separate series.</p>");
    }
    return {};
}

}  // namespace rs::ui
