// Asks each library at run time rather than quoting its header, so a system update of a shared
// library shows up without rebuilding.
#include "versions.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hdf5.h>
#include <pcre2.h>
#include <utf8proc.h>

namespace rs {

std::string hdf5_runtime_version() {
    unsigned major = 0, minor = 0, release = 0;
    if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

std::string pcre2_runtime_version() {
    char buf[64] = {};  // PCRE2_CONFIG_VERSION: at most 24 code units including the terminator
    if (pcre2_config(PCRE2_CONFIG_VERSION, buf) < 0) return "unknown";
    return buf;
}

std::string utf8proc_runtime_version() {
    return ::utf8proc_version();
}

}  // namespace rs
