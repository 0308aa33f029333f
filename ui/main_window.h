// Top-level window: menus and view switching only; every view is its own widget.
#pragma once

#include <QMainWindow>

namespace rs::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

}  // namespace rs::ui
