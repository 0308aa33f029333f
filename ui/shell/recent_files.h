// Recently opened checkpoints and traces, kept in QSettings and shown as a menu.
#pragma once

#include <QMenu>
#include <QString>
#include <QStringList>

namespace rs::ui {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    RecentFiles(QMenu* menu, QObject* parent = nullptr);
    void add(const QString& path, bool is_trace);
    QStringList entries() const;

signals:
    void open_checkpoint(const QString& path);
    void open_trace(const QString& path);

private:
    void rebuild();
    QMenu* menu_;
};

}  // namespace rs::ui
