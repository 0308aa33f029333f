// HDF5 error stack -> exception text.
#include "hdf5_error.h"

#include <cerrno>
#include <cstring>
#include <vector>

namespace rs::h5 {

namespace {

herr_t collect(unsigned, const H5E_error2_t* e, void* out) {
    auto* lines = static_cast<std::vector<std::string>*>(out);
    lines->push_back(e->desc ? e->desc : "");
    return 0;
}

// HDF5's low-level write/read messages embed a long record ("time = ..., filename = '/proc/self/
// fd/5', ..., error message = 'File too large', ..."); the errno text is what a user needs.
std::string tidy(const std::string& desc) {
    const std::string key = "error message = '";
    const auto at = desc.find(key);
    if (at == std::string::npos) return desc;
    const auto end = desc.find('\'', at + key.size());
    const std::string reason = desc.substr(
        at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
    const auto comma = desc.find(':');
    return (comma == std::string::npos ? desc.substr(0, 20) : desc.substr(0, comma)) + ": " +
           reason;
}

}  // namespace

void silence_errors() {
    // HDF5 1.10 crashes in its exit handler on a file whose close failed (a trace discarded after
    // the disk filled up: the final flush cannot succeed). Files are always closed explicitly
    // here, so the handler is not needed; this must precede every other HDF5 call.
    static const bool no_atexit = [] {
        H5dont_atexit();
        return true;
    }();
    static_cast<void>(no_atexit);
    thread_local bool done = false;
    if (done) return;
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    done = true;
}

std::string error_stack_text() {
    std::vector<std::string> lines;  // outermost (API call) first
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &lines);
    H5Eclear2(H5E_DEFAULT);
    if (lines.empty()) return "unknown HDF5 error";
    std::string text = tidy(lines.back());
    if (lines.size() > 1 && lines.front() != lines.back()) text += " (" + lines.front() + ")";
    return text;
}

hid_t check_id(hid_t id, const std::string& what) {
    if (id < 0) throw Failure(what + ": " + error_stack_text());
    return id;
}

herr_t check(herr_t status, const std::string& what) {
    if (status < 0) throw Failure(what + ": " + error_stack_text());
    return status;
}

htri_t check_tri(htri_t status, const std::string& what) {
    if (status < 0) throw Failure(what + ": " + error_stack_text());
    return status;
}

std::string write_error_reason(int err) {
    const bool io = err == ENOSPC || err == EFBIG || err == EDQUOT || err == EIO;
    return io ? std::string(" (") + std::strerror(err) + ")" : "";
}

}  // namespace rs::h5
