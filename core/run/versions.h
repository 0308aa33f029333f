// Run-time versions of the C libraries the core links (HDF5, PCRE2, utf8proc), as the loaded
// shared libraries report them, for the About box and bug reports.
#pragma once

#include <string>

namespace rs {

std::string hdf5_runtime_version();      // "1.10.8"
std::string pcre2_runtime_version();     // "10.42 2022-12-11"
std::string utf8proc_runtime_version();  // "2.8.0"

}  // namespace rs
