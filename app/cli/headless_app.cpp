// Headless QApplication set-up shared by the figure-drawing commands.
#include "app/cli/headless_app.h"

#include <cstdio>
#include <cstdlib>

namespace rs::cli {

namespace {

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0';
}

}  // namespace

// Rendering needs no window system: use Qt's offscreen platform unless the caller chose a
// platform that can start (an X11 or Wayland one only with its display).
std::unique_ptr<QApplication> headless_app(const std::string& command) {
    const std::string platform = env_set("QT_QPA_PLATFORM") ? std::getenv("QT_QPA_PLATFORM") : "";
    const bool unusable = platform.empty() ||
                          (platform.rfind("xcb", 0) == 0 && !env_set("DISPLAY")) ||
                          (platform.rfind("wayland", 0) == 0 && !env_set("WAYLAND_DISPLAY"));
    if (unusable) setenv("QT_QPA_PLATFORM", "offscreen", 1);
    // Qt's chatter about the platform (no XDG_RUNTIME_DIR, offscreen window hints) would bury the
    // one line a failure prints; only its critical messages get through.
    static std::string who;
    who = command;
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& text) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::fprintf(stderr, "ropescope-cli %s: Qt: %s\n", who.c_str(), qPrintable(text));
    });
    static int argc = 1;
    static char name[] = "ropescope-cli";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QApplication>(argc, argv);
}

}  // namespace rs::cli
