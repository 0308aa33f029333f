// What a GUI job hands back, typed: one of the session's bundles. A new kind of job is a compile
// error in MainWindow's handler (std::visit) until the window knows what to do with it.
#pragma once

#include <variant>
#include <vector>

#include "noise_experiment.h"
#include "session.h"

namespace rs::ui {

using NoiseSweeps = std::vector<NoiseSweep>;
using JobResult = std::variant<CheckpointBundle, TraceBundle, NoiseSweeps>;

}  // namespace rs::ui
