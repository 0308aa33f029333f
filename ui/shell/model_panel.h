// Read-only summary of the open checkpoint: variant, layers, head layout (real/imaginary, KV group),
// RoPE base and scaling, parameters, KV cache per token.
#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace rs {
class Checkpoint;
struct HeadLayout;
struct TraceMeta;
}

namespace rs::ui {

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);
    void set_checkpoint(const Checkpoint* ck);  // null clears
    // Describes the model a trace was made with (when the checkpoint itself is not open).
    void set_trace_meta(const TraceMeta& meta);
    QString summary() const;  // the summary's rich text

  private:
    void fill_heads(const HeadLayout& layout);

    QLabel* summary_;
    QTreeWidget* heads_;
};

}  // namespace rs::ui
