// ropescope GUI entry point: `ropescope [CHECKPOINT_DIR | TRACE.h5] [--text-file F] [--run]
// [--tab N] [--screenshot OUT.png]`. --run traces the text once the checkpoint is open;
// --screenshot saves the window once everything asked for is loaded, then quits (docs, smoke tests).
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "ui/input_panel.h"
#include "ui/job_runner.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("RoPEScope");
    QApplication::setOrganizationName("RoPEScope");
    QApplication::setApplicationVersion(ROPESCOPE_VERSION);

    QCommandLineParser cli;
    cli.setApplicationDescription("Real vs imaginary attention in RoPE / RoPE++ checkpoints");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument("path", "a checkpoint folder or a trace (.h5) to open");
    QCommandLineOption text_file("text-file", "load this text into the input panel", "file");
    QCommandLineOption run("run", "trace the input text once the checkpoint is open");
    QCommandLineOption tab("tab", "show this view tab (0-based)", "index");
    QCommandLineOption shot("screenshot", "save a screenshot once loaded, then quit", "png");
    cli.addOptions({text_file, run, tab, shot});
    cli.process(app);

    rs::ui::MainWindow window;
    window.show();
    if (cli.isSet(text_file)) {
        QString error;
        if (!window.input_panel()->load_file(cli.value(text_file), &error)) std::fprintf(stderr, "%s\n", qPrintable(error));
    }
    auto finish = [&] {
        if (cli.isSet(tab)) window.tabs()->setCurrentIndex(cli.value(tab).toInt());
        if (!cli.isSet(shot)) return;
        // Give views a moment to fetch tiles and lay out, then save and quit.
        QTimer::singleShot(1500, &window, [&] {
            const bool ok = window.grab().save(cli.value(shot));
            std::fprintf(stderr, "%s %s\n", ok ? "saved" : "could not save", qPrintable(cli.value(shot)));
            QApplication::exit(ok ? 0 : 1);
        });
    };
    QObject::connect(&window, &rs::ui::MainWindow::job_failed, &app, [&](const QString&) {
        if (cli.isSet(shot)) QApplication::exit(1);
    });
    QObject::connect(&window, &rs::ui::MainWindow::checkpoint_loaded, &window, [&] {
        if (cli.isSet(run))
            window.run_trace();
        else
            finish();
    });
    QObject::connect(&window, &rs::ui::MainWindow::trace_loaded, &window, finish);
    const QStringList paths = cli.positionalArguments();
    if (!paths.isEmpty()) {
        const QFileInfo info(paths.first());
        if (info.isDir())
            window.open_checkpoint(info.absoluteFilePath());
        else
            window.open_trace(info.absoluteFilePath());
    } else if (cli.isSet(shot)) {
        finish();
    }
    return QApplication::exec();
}
