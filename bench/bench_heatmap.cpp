// Interactive heatmap timings (performance issue 7) on real traces, offscreen: opening a trace to
// the first painted heatmap in the main window, exact 512x512 tiles from Q/K/lse, and the GUI
// thread's time per pan/zoom frame of the attention view while tiles arrive. Prints tables only.
//
//   bench_heatmap --open A.h5 --frames B.h5 [--repetitions 5]
// (bench/README.md, section "Interactive", has the commands that make the two traces.)
#include <fcntl.h>
#include <unistd.h>
#include <QApplication>
#include <QElapsedTimer>
#include <QMouseEvent>
#include <QStandardPaths>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QWheelEvent>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "attention_view.h"
#include "heatmap_view.h"
#include "main_window.h"
#include "session.h"

using namespace rs::ui;
using Panel = AttentionView::Panel;

namespace {

struct Options {
    std::string open, frames;
    int repetitions = 5;
};

[[noreturn]] void usage() {
    std::fprintf(stderr, "usage: bench_heatmap [--open A.h5] [--frames B.h5] [--repetitions N]\n");
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc) usage();
        const std::string v = argv[++i];
        if (a == "--open")
            o.open = v;
        else if (a == "--frames")
            o.frames = v;
        else if (a == "--repetitions")
            o.repetitions = std::max(1, std::atoi(v.c_str()));
        else
            usage();
    }
    return o;
}

double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(q * double(v.size() - 1) + 0.5))];
}

// "median (min-max)" of one measurement over the repetitions.
std::string spread(const std::vector<double>& v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f (%.2f-%.2f)", percentile(v, 0.5),
                  *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
    return buf;
}

// Drops the file's pages from the page cache (clean pages only, no root needed), so "cold" means
// read from disk as after a reboot.
void evict_from_page_cache(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

// Runs the event loop until `done` holds, sleeping in the loop rather than spinning (the worker
// threads need the cores). Returns false after `timeout_ms`.
bool wait_until(const std::function<bool()>& done, int timeout_ms = 120000) {
    QElapsedTimer t;
    t.start();
    QTimer tick;  // wakes WaitForMoreEvents to re-check conditions no event announces
    tick.start(1);
    while (!done()) {
        if (t.elapsed() > timeout_ms) return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

void send_wheel(QWidget* w, QPointF pos, int delta) {
    QWheelEvent e(pos, w->mapToGlobal(pos.toPoint()), QPoint(), QPoint(0, delta), Qt::NoButton,
                  Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

void send_drag(QWidget* w, QPointF from, QPointF to) {
    QMouseEvent press(QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton,
                      Qt::NoModifier);
    QMouseEvent move(QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QMouseEvent release(QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton,
                        Qt::NoModifier);
    QApplication::sendEvent(w, &press);
    QApplication::sendEvent(w, &move);
    QApplication::sendEvent(w, &release);
}

// (a) MainWindow::open_trace to the attention view's first heatmap painted: the worker opens the
// trace, every view is given it, the overview arrives, and a synchronous repaint draws it.
void bench_open(const Options& o) {
    std::printf("\n(a) open trace -> first heatmap painted, %s\n", o.open.c_str());
    std::printf("%-6s %12s %16s %18s\n", "cache", "rep", "trace loaded ms", "first heatmap ms");
    for (const bool cold : {true, false}) {
        std::vector<double> loaded, painted;
        for (int r = 0; r < o.repetitions; ++r) {
            MainWindow w;
            w.resize(1600, 900);
            w.show();
            QApplication::processEvents();
            if (cold) evict_from_page_cache(o.open);
            bool trace_loaded = false;
            QObject::connect(&w, &MainWindow::trace_loaded, [&] { trace_loaded = true; });
            QElapsedTimer t;
            t.start();
            w.open_trace(QString::fromStdString(o.open));
            if (!wait_until([&] { return trace_loaded; })) std::exit(1);
            loaded.push_back(t.nsecsElapsed() * 1e-6);
            if (!wait_until(
                    [&] { return bool(w.attention_view()->displayed_overview(Panel::Real)); }))
                std::exit(1);
            w.attention_view()->repaint();
            painted.push_back(t.nsecsElapsed() * 1e-6);
            std::printf("%-6s %12d %16.1f %18.1f\n", cold ? "cold" : "warm", r, loaded.back(),
                        painted.back());
        }
        std::printf("%-6s %12s %16s %18s\n", cold ? "cold" : "warm", "median (min-max)",
                    spread(loaded).c_str(), spread(painted).c_str());
    }
}

// (b) exact 512x512 tiles through the GUI's TraceTileSource: the first of a head decodes its Q and
// K from the file; later ones of the same head compute from the decoded copies.
void bench_tiles(const Options& o) {
    std::printf("\n(b) exact 512x512 tile (last 512 queries x last 512 keys), %s\n",
                o.open.c_str());
    std::vector<double> first, warm;
    for (int r = 0; r < o.repetitions; ++r) {
        evict_from_page_cache(o.open);
        const TraceBundle t = open_trace_bundle(o.open);
        const int T = t.tiles->tokens(), head = r % t.tiles->heads(), layer = r % t.tiles->layers();
        const MapRegion region{std::max(0, T - 512), T, std::max(0, T - 512), T, 1};
        QElapsedTimer timer;
        timer.start();
        t.tiles->tile(layer, head, region);
        first.push_back(timer.nsecsElapsed() * 1e-6);
        std::vector<double> each;
        for (int k = 0; k < 20; ++k) {
            timer.restart();
            t.tiles->tile(layer, head, region);
            each.push_back(timer.nsecsElapsed() * 1e-6);
        }
        warm.push_back(percentile(each, 0.5));
    }
    std::printf("%-44s %s\n", "first tile of a head, cold file, ms", spread(first).c_str());
    std::printf("%-44s %s\n", "warm tile (median of 20), ms", spread(warm).c_str());
}

// (c) Frames on the real attention view: an input event (wheel or drag), the events it causes,
// and a synchronous repaint of all three panels. Frames come at 60 per second and tiles arrive
// from the worker in between; a tile's arrival (grids and colours made of it) is timed apart.
void bench_frames(const Options& o) {
    std::printf("\n(c) pan/zoom frames on the attention view (3 panels, 1400x600), %s\n",
                o.frames.c_str());
    std::printf("%4s %7s %7s %8s %8s %8s %8s %8s %8s %8s %9s  %s\n", "rep", "frames", "exact",
                "wall med", "wall p95", "wall max", "cpu med", "cpu p95", "cpu max", "paint",
                "arrival", "slowest");
    const TraceBundle trace = open_trace_bundle(o.frames);
    std::vector<double> med, p95, worst, cpu_med, cpu_p95, cpu_worst, paint, arrival;
    for (int r = 0; r < o.repetitions; ++r) {
        AttentionView view;
        view.resize(1400, 600);
        view.show();
        view.set_source(trace.tiles, trace.reader->meta().layout);
        view.show_head(r % trace.tiles->layers(), 0);
        if (!wait_until([&] { return bool(view.displayed_overview(Panel::Real)); })) std::exit(1);
        HeatmapView* p = view.panel(Panel::Real);
        const QRectF m = p->map_rect();
        int arrivals = 0, exact = 0;
        QObject::connect(&view, &AttentionView::display_changed, [&] { ++arrivals; });
        std::vector<double> wall, cpu, paint_ms, arrival_cpu;
        auto frame = [&](auto&& input) {
            QElapsedTimer t;
            t.start();
            const double c0 = thread_cpu_ms();
            input();
            QApplication::processEvents();
            view.repaint();
            wall.push_back(t.nsecsElapsed() * 1e-6);
            cpu.push_back(thread_cpu_ms() - c0);
            double panels = 0;  // the three panels' paintEvents, the drawing part of the frame
            for (int w = 0; w < 3; ++w) panels += view.panel(Panel(w))->last_paint_ms();
            paint_ms.push_back(panels);
            if (view.displayed_tile(Panel::Real)) ++exact;
            while (t.elapsed() < 16) {
                const int before = arrivals;
                const double c = thread_cpu_ms();
                QApplication::processEvents(QEventLoop::AllEvents, 2);
                if (arrivals != before) arrival_cpu.push_back(thread_cpu_ms() - c);
                QThread::msleep(1);
            }
        };
        // Zoom in below the diagonal (key 1/4, query 3/4 of the map), pan there, zoom out.
        const QPointF anchor = m.topLeft() + QPointF(m.width() * 0.25, m.height() * 0.75);
        for (int i = 0; i < 30; ++i)
            frame([&] { send_wheel(p, anchor + QPointF(i % 7, -(i % 5)), 60); });
        for (int i = 0; i < 40; ++i)
            frame([&] {
                const QPointF d = i % 2 ? QPointF(9, 6) : QPointF(-9, -6);
                send_drag(p, m.center(), m.center() + d);
            });
        for (int i = 0; i < 30; ++i) frame([&] { send_wheel(p, m.center(), -60); });
        med.push_back(percentile(wall, 0.5));
        p95.push_back(percentile(wall, 0.95));
        worst.push_back(percentile(wall, 1.0));
        cpu_med.push_back(percentile(cpu, 0.5));
        cpu_p95.push_back(percentile(cpu, 0.95));
        cpu_worst.push_back(percentile(cpu, 1.0));
        paint.push_back(percentile(paint_ms, 0.5));
        arrival.push_back(percentile(arrival_cpu, 0.5));
        // Which frame was the slowest: frames 0-29 zoom in, 30-69 pan, 70-99 zoom out.
        const int slowest = int(std::max_element(wall.begin(), wall.end()) - wall.begin());
        std::printf("%4d %7d %7d %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %9.2f  #%d %s\n", r,
                    int(wall.size()), exact, med.back(), p95.back(), worst.back(), cpu_med.back(),
                    cpu_p95.back(), cpu_worst.back(), paint.back(), arrival.back(), slowest,
                    slowest < 30   ? "zoom in"
                    : slowest < 70 ? "pan"
                                   : "zoom out");
    }
    std::printf("median (min-max) over %d repetitions, ms:\n", o.repetitions);
    std::printf("  wall   median %s, p95 %s, max %s\n", spread(med).c_str(), spread(p95).c_str(),
                spread(worst).c_str());
    std::printf("  cpu    median %s, p95 %s, max %s\n", spread(cpu_med).c_str(),
                spread(cpu_p95).c_str(), spread(cpu_worst).c_str());
    std::printf("  panels' paintEvents (median per repetition) %s\n", spread(paint).c_str());
    std::printf("  tile arrival, GUI-thread CPU (median per repetition) %s\n",
                spread(arrival).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    if (o.open.empty() && o.frames.empty()) usage();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    // The main window keeps settings; the benchmark's go to a throwaway test location.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("RoPEScopeBench");
    if (!o.open.empty()) {
        bench_open(o);
        bench_tiles(o);
    }
    if (!o.frames.empty()) bench_frames(o);
    return 0;
}
