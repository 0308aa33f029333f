// ropescope GUI entry point: creates the application and the main window.
#include <QApplication>

#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("RoPEScope");
    QApplication::setOrganizationName("RoPEScope");
    rs::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
