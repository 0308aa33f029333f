// Where a trace lives until it is complete, so no reader ever sees a partial file and an existing
// trace of the same name survives any failure or kill. On Linux the file is created unnamed with
// O_TMPFILE in the destination folder (even SIGKILL leaves nothing behind) and published by
// linkat() to a temporary name plus rename() over the destination. Where O_TMPFILE is not
// supported, a named temporary file in the same folder is used instead, removed on failure and by
// a SIGINT/SIGTERM handler.
#pragma once

#include <string>

namespace rs {

class TraceOutputFile {
  public:
    // Throws FileError when the destination's folder cannot hold a new file or the destination
    // is not a regular file. `allow_unnamed` false forces the named temporary file (for tests).
    explicit TraceOutputFile(std::string destination, bool allow_unnamed = true);
    ~TraceOutputFile();  // discards the temporary unless committed
    TraceOutputFile(const TraceOutputFile&) = delete;
    TraceOutputFile& operator=(const TraceOutputFile&) = delete;

    // The path to create the HDF5 file at: "/proc/self/fd/N" for the unnamed file, else the
    // temporary name.
    const std::string& write_path() const { return write_path_; }
    bool unnamed() const { return fd_ >= 0; }
    const std::string& destination() const { return destination_; }

    // After the writer closed the file: flush it to disk and replace the destination atomically.
    void commit();

  private:
    void open_unnamed();
    void open_named();
    void discard() noexcept;

    std::string destination_;
    std::string folder_;
    std::string write_path_;
    std::string temp_name_;  // named fallback only
    int fd_ = -1;            // unnamed file only
    int slot_ = -1;          // signal-cleanup registry slot of the named fallback
    bool committed_ = false;
};

}  // namespace rs
