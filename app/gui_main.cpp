// ropescope GUI entry point: `ropescope [CHECKPOINT_DIR | TRACE.h5] [--text-file F] [--run]
// [--noise 0.5,1,2] [--tab N] [--zoom A:B] [--size WxH] [--screenshot OUT.png] [--settings-dir D]`.
// --run traces the text once the checkpoint is open, --noise then runs the noise experiment;
// --screenshot saves the window once everything asked for is loaded and drawn, then quits (docs,
// smoke tests); --settings-dir keeps settings and unsaved runs in D instead of the user's folders.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>
#include <vector>

#include "app_state.h"
#include "error.h"
#include "number_list.h"
#include "attention_view.h"
#include "input_panel.h"
#include "main_window.h"

namespace {

// The icon from resources/ropescope.qrc: PNGs at each size (no SVG plugin needed), SVG for the
// rest.
QIcon app_icon() {
    QIcon icon;
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addFile(QString(":/icons/ropescope-%1.png").arg(size), QSize(size, size));
    icon.addFile(":/icons/ropescope.svg");
    return icon;
}

// Saves the window once the attention maps have settled (tiles come from a worker), then quits.
void save_when_drawn(rs::ui::MainWindow& window, const QString& path, int tries_left = 400) {
    if (!window.attention_view()->settled() && tries_left > 0) {
        QTimer::singleShot(25, &window, [&window, path, tries_left] {
            save_when_drawn(window, path, tries_left - 1);
        });
        return;
    }
    // One more turn of the event loop so the last tile is painted before the grab.
    QTimer::singleShot(200, &window, [&window, path] {
        const bool ok = window.grab().save(path);
        std::fprintf(stderr, "%s %s\n", ok ? "saved" : "could not save", qPrintable(path));
        QApplication::exit(ok ? 0 : 1);
    });
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("RoPEScope");
    QApplication::setOrganizationName("RoPEScope");
    QApplication::setApplicationVersion(ROPESCOPE_VERSION);
    QApplication::setWindowIcon(app_icon());
    QApplication::setDesktopFileName("ropescope");

    QCommandLineParser cli;
    cli.setApplicationDescription("Real vs imaginary attention in RoPE / RoPE++ checkpoints");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument("path", "a checkpoint folder or a trace (.h5) to open");
    QCommandLineOption text_file("text-file", "load this text into the input panel", "file");
    QCommandLineOption run("run", "trace the input text once the checkpoint is open");
    QCommandLineOption noise("noise", "then run the noise experiment with these sigmas", "list");
    QCommandLineOption tab("tab", "show this view tab (0-based)", "index");
    QCommandLineOption zoom("zoom", "show positions A to B in the attention view", "A:B");
    QCommandLineOption size("size", "window size in pixels", "WxH");
    QCommandLineOption shot("screenshot", "save a screenshot once loaded, then quit", "png");
    QCommandLineOption settings_dir(
        "settings-dir", "keep settings and unsaved runs in this folder, not the user's", "dir");
    cli.addOptions({text_file, run, noise, tab, zoom, size, shot, settings_dir});
    cli.process(app);
    std::vector<double> sigmas;
    try {
        if (cli.isSet(noise))
            sigmas = rs::parse_number_list(cli.value(noise).toStdString(), "--noise",
                                           rs::kNonNegativeNumbers);
    } catch (const rs::UsageError& e) {
        std::fprintf(stderr, "ropescope: %s\n", e.what());
        return 2;
    }

    if (cli.isSet(settings_dir)) rs::ui::use_state_dir(cli.value(settings_dir));

    rs::ui::MainWindow window;
    if (cli.isSet(size)) {
        const QStringList wh = cli.value(size).split('x');
        if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
    }
    window.show();
    if (cli.isSet(text_file)) {
        QString error;
        if (!window.input_panel()->load_file(cli.value(text_file), &error))
            std::fprintf(stderr, "%s\n", qPrintable(error));
    }
    bool finished = false;  // once: later noise runs from the menu must not switch tabs again
    auto finish = [&] {
        if (finished) return;
        finished = true;
        if (cli.isSet(tab)) window.tabs()->setCurrentIndex(cli.value(tab).toInt());
        if (cli.isSet(zoom)) {
            const QStringList ab = cli.value(zoom).split(':');
            if (ab.size() == 2)
                window.attention_view()->set_viewport(
                    {ab[0].toInt(), ab[1].toInt(), ab[0].toInt(), ab[1].toInt(), 1});
        }
        if (cli.isSet(shot)) save_when_drawn(window, cli.value(shot));
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
    QObject::connect(&window, &rs::ui::MainWindow::trace_loaded, &window, [&] {
        if (!sigmas.empty() && window.checkpoint().model)
            window.run_noise(sigmas);
        else
            finish();
    });
    QObject::connect(&window, &rs::ui::MainWindow::noise_loaded, &window, finish);
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
