// The questions the main window asks the user (discard an unsaved trace? where to save it?),
// behind plain functions so tests answer them offscreen; by default modal dialogs.
#pragma once

#include <QMessageBox>
#include <QString>
#include <functional>

class QWidget;

namespace rs::ui {

struct Prompts {
    // A question with these buttons; returns the one chosen (the escape button when dismissed).
    std::function<QMessageBox::StandardButton(const QString& title, const QString& text,
                                              QMessageBox::StandardButtons buttons)>
        ask;
    // A file to save to, starting in `dir` (a folder, or a suggested file path); empty: cancelled.
    std::function<QString(const QString& title, const QString& dir, const QString& filter)>
        save_path;
};

// Dialogs parented to `parent`.
Prompts dialog_prompts(QWidget* parent);

}  // namespace rs::ui
