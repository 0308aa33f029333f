// Default prompts: a QMessageBox question and a QFileDialog, both modal.
#include "prompts.h"

#include <QFileDialog>
#include <QPointer>

namespace rs::ui {

Prompts dialog_prompts(QWidget* parent) {
    QPointer<QWidget> owner(parent);
    Prompts p;
    p.ask = [owner](const QString& title, const QString& text,
                    QMessageBox::StandardButtons buttons) {
        QMessageBox box(QMessageBox::Question, title, text, buttons, owner);
        if (buttons & QMessageBox::Save) box.setDefaultButton(QMessageBox::Save);
        return QMessageBox::StandardButton(box.exec());
    };
    p.save_path = [owner](const QString& title, const QString& dir, const QString& filter) {
        return QFileDialog::getSaveFileName(owner, title, dir, filter);
    };
    return p;
}

}  // namespace rs::ui
