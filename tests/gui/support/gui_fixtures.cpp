// Shared GUI test set-ups (see gui_fixtures.h).
#include "gui_fixtures.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>

#include "checkpoint.h"
#include "main_window.h"
#include "model.h"

namespace rs::test {

void write_ids_corpus(const QString& path, int texts, int tokens) {
    const auto ids = fixture_ids(tokens + texts);
    QByteArray json = "{\"windows\": [";
    for (int x = 0; x < texts; ++x) {
        json += x ? ",[" : "[";
        for (int t = 0; t < tokens; ++t) json += (t ? "," : "") + QByteArray::number(ids[std::size_t(x + t)]);
        json += "]";
    }
    json += "]}";
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(json) != json.size())
        throw std::runtime_error("cannot write " + path.toStdString());
}

QByteArray read_file(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString source_path(const QString& relative) {
    return QString(ROPESCOPE_SOURCE_DIR) + "/" + relative;
}

std::string fixture_dir(const std::string& name) {
    return std::string(ROPESCOPE_SOURCE_DIR) + "/tests/fixtures/" + name;
}

std::shared_ptr<const rs::Checkpoint> open_fixture(const std::string& name) {
    return std::make_shared<const rs::Checkpoint>(rs::Checkpoint::open(fixture_dir(name)));
}

std::vector<std::int32_t> fixture_ids(int tokens) {
    std::vector<std::int32_t> ids(tokens);
    for (int t = 0; t < tokens; ++t) ids[t] = (t * 37 + 11) % 97;
    return ids;
}

RecordedMaps record_fixture(const std::string& name, int tokens, std::vector<std::string> labels) {
    rs::Model model(open_fixture(name));
    return {rs::ui::MemoryTileSource::record(model, fixture_ids(tokens), std::move(labels), {}),
            model.layout()};
}

CliRun run_cli(const QStringList& args, int timeout_ms) {
    QProcess p;
    p.start(ROPESCOPE_CLI, args);
    const bool finished = p.waitForFinished(timeout_ms);
    return {finished && p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

bool make_trace(const QString& checkpoint, const QStringList& input, const QString& out,
                QString* error) {
    const CliRun run = run_cli(QStringList{"trace", checkpoint} + input + QStringList{"-o", out});
    if (error) *error = run.err;
    return run.code == 0;
}

bool open_trace_and_wait(rs::ui::MainWindow& w, const QString& path, int timeout_ms) {
    QSignalSpy loaded(&w, &rs::ui::MainWindow::trace_loaded);
    w.open_trace(path);
    return loaded.wait(timeout_ms);
}

bool open_checkpoint_and_wait(rs::ui::MainWindow& w, const QString& dir, int timeout_ms) {
    QSignalSpy loaded(&w, &rs::ui::MainWindow::checkpoint_loaded);
    w.open_checkpoint(dir);
    return loaded.wait(timeout_ms);
}

bool run_trace_and_wait(rs::ui::MainWindow& w, int timeout_ms) {
    QSignalSpy traced(&w, &rs::ui::MainWindow::trace_loaded);
    w.run_trace();
    return traced.wait(timeout_ms);
}

}  // namespace rs::test
