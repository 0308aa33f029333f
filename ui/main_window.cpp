// Main window wiring (views arrive with the GUI issue; for now a placeholder central widget).
#include "ui/main_window.h"

#include <QLabel>

namespace rs::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("RoPEScope");
    auto* label = new QLabel(tr("RoPEScope: the attention views are not built yet.\n"
                                "Use ropescope-cli for now."),
                             this);
    label->setAlignment(Qt::AlignCenter);
    setCentralWidget(label);
    resize(900, 600);
}

}  // namespace rs::ui
