// App state location: QSettings' user path and the autosave folder, redirectable as one.
#include "app_state.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace rs::ui {

namespace {
QString& state_dir() {
    static QString dir;  // empty: the platform's folders
    return dir;
}
}  // namespace

void use_state_dir(const QString& dir) {
    state_dir() = QFileInfo(dir).absoluteFilePath();
    QDir().mkpath(state_dir());
    // IniFormat in both calls: setPath only redirects the format QSettings() then uses.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, state_dir());
}

QString autosave_dir() {
    const QString base = state_dir().isEmpty()
                             ? QStandardPaths::writableLocation(QStandardPaths::CacheLocation)
                             : state_dir();
    const QString dir = base + "/runs";
    QDir().mkpath(dir);
    return dir;
}

bool is_autosave_path(const QString& path) {
    return QFileInfo(path).absolutePath() == QFileInfo(autosave_dir()).absoluteFilePath();
}

}  // namespace rs::ui
