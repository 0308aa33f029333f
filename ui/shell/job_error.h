// Why a GUI job failed: the kind of exception the core threw, so the error dialog can say whether a
// file could not be read, memory ran out, or the run itself was refused.
#pragma once

#include <QString>
#include <exception>

namespace rs::ui {

struct JobError {
    enum class Kind {
        File,         // rs::FileError: a file that cannot be read or is malformed
        Error,        // any other rs::Error (a refused run, a bad setting)
        OutOfMemory,  // std::bad_alloc
        Unexpected,   // anything else: a bug or a third-party library's exception
    };
    Kind kind = Kind::Unexpected;
    QString message;  // the exception's user-facing sentence, verbatim

    QString heading() const;  // "Cannot read file", "Error", "Out of memory", "Unexpected error"
};

// Classifies `failure` (not rs::Cancelled, which is no failure).
JobError describe_failure(const std::exception_ptr& failure);

}  // namespace rs::ui
