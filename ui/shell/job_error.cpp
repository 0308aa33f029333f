// JobError: classification by rethrowing, most derived exception types first.
#include "job_error.h"

#include <QCoreApplication>
#include <new>

#include "error.h"

namespace rs::ui {

QString JobError::heading() const {
    switch (kind) {
        case Kind::File: return QCoreApplication::translate("JobError", "Cannot read file");
        case Kind::Error: return QCoreApplication::translate("JobError", "Error");
        case Kind::OutOfMemory: return QCoreApplication::translate("JobError", "Out of memory");
        case Kind::Unexpected: break;
    }
    return QCoreApplication::translate("JobError", "Unexpected error");
}

JobError describe_failure(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const FileError& e) {
        return {JobError::Kind::File, QString::fromStdString(e.what())};
    } catch (const Error& e) {
        return {JobError::Kind::Error, QString::fromStdString(e.what())};
    } catch (const std::bad_alloc&) {
        return {JobError::Kind::OutOfMemory, QStringLiteral("out of memory")};
    } catch (const std::exception& e) {
        return {JobError::Kind::Unexpected, QString::fromStdString(e.what())};
    } catch (...) {
        return {JobError::Kind::Unexpected, QStringLiteral("an exception of unknown type")};
    }
}

}  // namespace rs::ui
