// Read-only summary of the open checkpoint: variant, layers, head layout (real/imaginary, KV group),
// RoPE base and scaling, parameters, KV cache per token.
#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace rs {
class Checkpoint;
}

namespace rs::ui {

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);
    void set_checkpoint(const Checkpoint* ck);  // null clears

private:
    QLabel* summary_;
    QTreeWidget* heads_;
};

}  // namespace rs::ui
