// Where the GUI keeps what outlives a session — its settings and the traces of runs not yet saved
// — by default the user's config and cache folders; one folder instead for tests and scripted runs
// (`ropescope --settings-dir DIR`), so they neither read nor change the user's own.
#pragma once

#include <QString>

namespace rs::ui {

// Settings go to DIR (an INI file per application) and unsaved runs to DIR/runs from now on.
// Call before the first window is built.
void use_state_dir(const QString& dir);

// The folder of unsaved runs (created on demand) and whether `path` is a trace in it.
QString autosave_dir();
bool is_autosave_path(const QString& path);

}  // namespace rs::ui
