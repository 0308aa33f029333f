// Model panel: a summary label and a head table.
#include "model_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "checkpoint.h"
#include "rope.h"
#include "trace_meta.h"

namespace rs::ui {

namespace {

QString human_count(double n) {
    if (n >= 1e9) return QString::number(n / 1e9, 'f', 2) + " B";
    if (n >= 1e6) return QString::number(n / 1e6, 'f', 1) + " M";
    if (n >= 1e3) return QString::number(n / 1e3, 'f', 1) + " k";
    return QString::number(n);
}

QString scaling_text(const ModelConfig& c) {
    QStringList parts;
    if (c.rope_config.scaling_factor) parts << QString("θ×%1").arg(*c.rope_config.scaling_factor);
    if (c.rope_config.yarn)
        parts << QString("YaRN ×%1 (upstream)").arg(*c.rope_config.factor);
    else if (c.rope_config.factor)
        parts << QString("linear PI ×%1").arg(*c.rope_config.factor);
    if (c.rope_scaling) parts << QString("%1 ×%2").arg(QString::fromStdString(c.rope_scaling->type)).arg(c.rope_scaling->factor);
    return parts.isEmpty() ? QString("none") : parts.join(", ");
}

// Where each RoPE setting came from, one line each; ignored keys stand out.
QString provenance_html(const std::vector<std::string>& lines) {
    if (lines.empty()) return {};
    QStringList out;
    for (const auto& l : lines) {
        const QString line = QString::fromStdString(l).toHtmlEscaped();
        out << (l.find("IGNORED") != std::string::npos ? "<b style='color:#b00'>" + line + "</b>" : line);
    }
    return "<br><small>RoPE settings read from config.json:<br>" + out.join("<br>") + "</small>";
}

}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
    summary_ = new QLabel(tr("No checkpoint open.\nFile ▸ Open checkpoint… or drop a folder here."), this);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary_->setWordWrap(true);
    heads_ = new QTreeWidget(this);
    heads_->setColumnCount(5);
    heads_->setHeaderLabels({tr("head"), tr("part"), tr("query"), tr("KV"), tr("twin")});
    heads_->setRootIsDecorated(false);
    heads_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addWidget(heads_, 1);
}

void ModelPanel::set_checkpoint(const Checkpoint* ck) {
    heads_->clear();
    if (!ck) {
        summary_->setText(tr("No checkpoint open."));
        return;
    }
    const auto& c = ck->config();
    const auto& l = ck->layout();
    const auto spec = make_rope_spectrum(c.rope_params());
    // The variant starts a line of its own and may not wrap: word wrap broke "RoPE++_EC" at '+'.
    summary_->setText(
        tr("<b>%1</b><br><nobr>%2</nobr> (from %3)<br>%4 layers, hidden %5, vocab %6<br>"
           "%7 query heads, %8 KV heads, %9 attention heads, head_dim %10<br>"
           "RoPE θ = %11, rotary dim %12, scaling: %13<br>%14 parameters (%15), KV cache %16 "
           "bytes/token")
            .arg(QString::fromStdString(ck->dir()).toHtmlEscaped())
            .arg(QString::fromStdString(variant_name(l.variant)))
            .arg(QString::fromStdString(ck->variant_source()))
            .arg(c.num_hidden_layers)
            .arg(c.hidden_size)
            .arg(c.vocab_size)
            .arg(l.query_heads)
            .arg(l.kv_heads)
            .arg(l.model_heads)
            .arg(c.head_dim)
            .arg(c.rope_params().theta)
            .arg(spec.rotary_dim)
            .arg(scaling_text(c).toHtmlEscaped())
            .arg(human_count(double(ck->parameter_count())))
            .arg(QString::fromStdString(ck->weight_dtype()))
            .arg(kv_cache_bytes_per_token(c, l)) +
        provenance_html(provenance_lines(c)));
    fill_heads(l);
}

void ModelPanel::set_trace_meta(const TraceMeta& m) {
    heads_->clear();
    summary_->setText(
        tr("<b>Trace</b> of %1<br><nobr>%2</nobr><br>%3 layers, %4 tokens, head_dim %5<br>"
           "RoPE θ = %6, rotary dim %7; Q/K stored as %8<br>%9, %10")
            .arg(QString::fromStdString(m.checkpoint_path).toHtmlEscaped())
            .arg(QString::fromStdString(variant_name(m.layout.variant)))
            .arg(m.layers)
            .arg(m.tokens)
            .arg(m.layout.head_dim)
            .arg(m.rope_theta)
            .arg(m.rope.rotary_dim)
            .arg(QString::fromStdString(qk_precision_name(m.qk_precision)))
            .arg(QString::fromStdString(m.created_by).toHtmlEscaped())
            .arg(QString::fromStdString(m.created_at)) +
        provenance_html(m.rope_sources));
    fill_heads(m.layout);
}

QString ModelPanel::summary() const {
    return summary_->text();
}

void ModelPanel::fill_heads(const HeadLayout& l) {
    for (const auto& h : l.heads) {
        auto* item = new QTreeWidgetItem(heads_);
        item->setText(0, QString::number(h.index));
        item->setText(1, h.imag ? (h.is_virtual ? tr("imag (virtual)") : tr("imag")) : tr("real"));
        item->setText(2, QString::number(h.query_head));
        item->setText(3, QString::number(h.kv_head));
        item->setText(4, QString::number(h.twin));
        if (h.is_virtual) item->setToolTip(1, tr("Computed for analysis: the −π/2 rotated query this model discards."));
    }
}

}  // namespace rs::ui
