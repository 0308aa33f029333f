// HDF5 failures as exceptions: the library's automatic stderr printing is silenced and its error
// stack becomes the message text, so a damaged trace reads as one clear sentence.
// Internal to the trace store.
#pragma once

#include <hdf5.h>

#include <cerrno>
#include <string>

#include "error.h"

namespace rs::h5 {

// An HDF5 call failed; what() is "<what we tried>: <HDF5's most specific reason>". The trace
// reader and writer turn it into FileError(path, what()).
class Failure : public Error {
  public:
    using Error::Error;
};

// Turns off HDF5's automatic error printing for the calling thread (the setting is per thread in
// thread-safe builds). Cheap after the first call on a thread; every public entry calls it.
void silence_errors();

// The current thread's HDF5 error stack as one line (most specific reason first), then cleared.
std::string error_stack_text();

// " (No space left on device)" when `err` (errno after a failed write) is a full disk, a file-size
// limit, a quota or an I/O error, else "": HDF5's stdio driver reports "fwrite failed" without it.
std::string write_error_reason(int err);

// f() with HDF5 silenced on this thread; an HDF5 failure becomes FileError(path, doing + reason),
// with write_error_reason of the errno it left.
template <class F>
auto as_file_error(const std::string& path, const std::string& doing, F&& f) {
    silence_errors();
    errno = 0;
    try {
        return f();
    } catch (const Failure& e) {
        const int err = errno;
        throw FileError(path, doing + e.what() + write_error_reason(err));
    }
}

// Throw Failure(what + ": " + stack text) when an HDF5 call reports failure.
hid_t check_id(hid_t id, const std::string& what);
herr_t check(herr_t status, const std::string& what);
htri_t check_tri(htri_t status, const std::string& what);  // returns true/false, throws on < 0

}  // namespace rs::h5
