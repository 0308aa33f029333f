// Recent files: "trace:" / "checkpoint:" prefixed entries, newest first, at most ten.
#include "recent_files.h"

#include <QFileInfo>
#include <QSettings>

namespace rs::ui {

namespace {
constexpr int kMax = 10;
const char* kKey = "recent/files";
}  // namespace

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), menu_(menu) { rebuild(); }

QStringList RecentFiles::entries() const { return QSettings().value(kKey).toStringList(); }

void RecentFiles::add(const QString& path, bool is_trace) {
    const QString entry = (is_trace ? "trace:" : "checkpoint:") + QFileInfo(path).absoluteFilePath();
    QStringList list = entries();
    list.removeAll(entry);
    list.prepend(entry);
    while (list.size() > kMax) list.removeLast();
    QSettings().setValue(kKey, list);
    rebuild();
}

void RecentFiles::rebuild() {
    menu_->clear();
    const QStringList list = entries();
    for (const QString& e : list) {
        const bool trace = e.startsWith("trace:");
        const QString path = e.mid(e.indexOf(':') + 1);
        QAction* a = menu_->addAction((trace ? tr("Trace: ") : tr("Checkpoint: ")) + path);
        connect(a, &QAction::triggered, this, [this, trace, path] {
            if (trace)
                emit open_trace(path);
            else
                emit open_checkpoint(path);
        });
    }
    menu_->setEnabled(!list.isEmpty());
}

}  // namespace rs::ui
