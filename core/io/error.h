// Exceptions the core throws: each carries one user-facing sentence naming the file and the problem.
// Boundaries (CLI main, GUI workers) catch rs::Error and show what() verbatim.
#pragma once

#include <stdexcept>
#include <string>

namespace rs {

// Base of every error the core reports to a user.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A file that cannot be read or is malformed; message is "<path>: <reason>".
class FileError : public Error {
public:
    FileError(const std::string& path, const std::string& reason)
        : Error(path + ": " + reason), path_(path), reason_(reason) {}
    const std::string& path() const { return path_; }
    const std::string& reason() const { return reason_; }

private:
    std::string path_;
    std::string reason_;
};

// Arguments or settings that do not make sense together (bad --ids, head out of range...).
class UsageError : public Error {
public:
    using Error::Error;
};

// Thrown when a progress callback asks to stop; not a failure, callers usually just report it.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

// A run that would need more memory than the machine has; message gives needed vs available.
class ResourceError : public Error {
public:
    using Error::Error;
};

}  // namespace rs
