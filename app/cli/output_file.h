// Text outputs of the CLI (CSV tables): written beside the target and renamed into place, so an
// interrupted or failed write never leaves half a file, and a full disk is an error naming it.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace rs::cli {

// Calls write(stream) on a temporary file next to `path`, then renames it to `path`. Throws
// FileError naming `path` when the file cannot be created, written or put in place.
void write_output_file(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace rs::cli
