// Progress bar and signal-driven cancellation for the CLI.
#include "app/cli/progress_bar.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace rs::cli {

namespace {
std::atomic<bool> g_cancel{false};

extern "C" void on_signal(int sig) {
    if (g_cancel.exchange(true)) {
        // Second signal: the user insists; restore the default action and re-raise.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}
}  // namespace

void install_cancel_handler() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

bool cancel_requested() { return g_cancel.load(); }

ProgressBar::ProgressBar(std::string what, bool quiet)
    : what_(std::move(what)), quiet_(quiet || !isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {
    install_cancel_handler();
}

ProgressBar::~ProgressBar() {
    if (drawn_) std::fputc('\n', stderr);
}

ProgressFn ProgressBar::callback() {
    return [this](long done, long total) {
        draw(done, total);
        return !cancel_requested();
    };
}

void ProgressBar::draw(long done, long total) {
    if (quiet_ || total <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    drawn_ = true;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? done / secs : 0;
    const double eta = rate > 0 ? (total - done) / rate : 0;
    const int width = 30, filled = int(width * double(done) / double(total));
    std::fprintf(stderr, "\r[%.*s%*s] %ld/%ld %s  %.2f/s  elapsed %.0fs  ETA %.0fs ", filled,
                 "##############################", width - filled, "", done, total, what_.c_str(), rate, secs, eta);
    std::fflush(stderr);
}

}  // namespace rs::cli
