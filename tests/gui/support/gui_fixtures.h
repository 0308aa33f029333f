// Set-ups the GUI tests share: fixture paths and token ids, maps recorded from a fixture model,
// traces written by the CLI, and a window's open/run actions waited on until they finish.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "head_layout.h"
#include "memory_tile_source.h"

namespace rs {
class Checkpoint;
}
namespace rs::ui {
class MainWindow;
}

namespace rs::test {

// A path below the source tree, e.g. source_path("tests/fixtures/rope_f32").
QString source_path(const QString& relative);
std::string fixture_dir(const std::string& name);  // tests/fixtures/<name>
std::shared_ptr<const rs::Checkpoint> open_fixture(const std::string& name);

// The fixtures' 97-token vocabulary walked with a stride, so every map has structure.
std::vector<std::int32_t> fixture_ids(int tokens);

// Every analysis head's map of one forward pass of fixture `name` over fixture_ids(tokens).
struct RecordedMaps {
    std::shared_ptr<rs::ui::MemoryTileSource> source;
    rs::HeadLayout layout;
};
RecordedMaps record_fixture(const std::string& name, int tokens,
                            std::vector<std::string> labels = {});

// A study corpus (token-id windows, docs/study-format.md) of `texts` windows of `tokens` fixture
// ids, each shifted by one id so the texts differ.
void write_ids_corpus(const QString& path, int texts, int tokens);
// The whole file; empty when it cannot be read.
QByteArray read_file(const QString& path);

// ropescope-cli with `args`; code is -1 when it crashed or did not finish.
struct CliRun {
    int code = -1;
    QString out, err;
};
CliRun run_cli(const QStringList& args, int timeout_ms = 300000);
// `ropescope-cli trace <checkpoint> <input...> -o <out>`; false with the CLI's stderr in `error`.
bool make_trace(const QString& checkpoint, const QStringList& input, const QString& out,
                QString* error = nullptr);

// Starts the action and waits for its signal: false on a failure or after `timeout_ms`.
bool open_trace_and_wait(rs::ui::MainWindow& w, const QString& path, int timeout_ms = 60000);
bool open_checkpoint_and_wait(rs::ui::MainWindow& w, const QString& dir, int timeout_ms = 60000);
bool run_trace_and_wait(rs::ui::MainWindow& w, int timeout_ms = 60000);

}  // namespace rs::test
