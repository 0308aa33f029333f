// The QApplication of commands that draw figures without a window (render, ppl --figure):
// Qt's offscreen platform unless the caller chose one that can start.
#pragma once

#include <memory>
#include <string>

#include <QApplication>

namespace rs::cli {

// Qt's chatter is silenced except critical messages, printed as "ropescope-cli <command>: Qt: ...".
std::unique_ptr<QApplication> headless_app(const std::string& command);

}  // namespace rs::cli
