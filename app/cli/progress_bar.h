// Progress on stderr for long CLI runs (items, rate, ETA), and Ctrl-C turned into a clean cancel:
// the first SIGINT/SIGTERM makes the progress callback return false, so the core throws Cancelled.
#pragma once

#include <chrono>
#include <string>

#include "probe.h"

namespace rs::cli {

class ProgressBar {
public:
    // `what` names the unit ("layers", "runs"); quiet = no drawing (but Ctrl-C still cancels).
    ProgressBar(std::string what, bool quiet);
    ~ProgressBar();  // finishes the line
    ProgressFn callback();

private:
    void draw(long done, long total);

    std::string what_;
    bool quiet_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

// Installs the SIGINT/SIGTERM handler (idempotent); true once a signal arrived.
void install_cancel_handler();
bool cancel_requested();

}  // namespace rs::cli
