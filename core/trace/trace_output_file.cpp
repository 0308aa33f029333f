// Atomic publication of a trace file (see trace_output_file.h for the strategy).
#include "trace_output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <random>

#include "error.h"

namespace rs {

namespace {

namespace fs = std::filesystem;

// ---- signal cleanup of named temporaries: fixed slots the handler can read without locks ----
constexpr int kSlots = 8;
constexpr std::size_t kPathMax = 4096;
char g_paths[kSlots][kPathMax];
std::atomic<bool> g_claimed[kSlots];  // slot allocation between threads
std::atomic<bool> g_ready[kSlots];    // slot holds a complete path the handler may unlink
struct sigaction g_prev_int, g_prev_term;

void chain(int sig, siginfo_t* info, void* ctx) {
    const struct sigaction& prev = sig == SIGINT ? g_prev_int : g_prev_term;
    if (prev.sa_flags & SA_SIGINFO) {
        prev.sa_sigaction(sig, info, ctx);
    } else if (prev.sa_handler == SIG_DFL) {
        signal(sig, SIG_DFL);
        raise(sig);
    } else if (prev.sa_handler != SIG_IGN) {
        prev.sa_handler(sig);
    }
}

extern "C" void unlink_temporaries(int sig, siginfo_t* info, void* ctx) {
    const int saved = errno;
    for (int i = 0; i < kSlots; ++i)
        if (g_ready[i].load(std::memory_order_acquire)) unlink(g_paths[i]);
    errno = saved;
    chain(sig, info, ctx);
}

// Installed the first time a named temporary is needed; earlier handlers (e.g. the CLI's
// cancel-on-Ctrl-C) keep working because ours calls them after removing the files.
void install_handlers() {
    static bool installed = false;
    if (installed) return;
    installed = true;
    struct sigaction sa {};
    sa.sa_sigaction = unlink_temporaries;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_prev_int);
    sigaction(SIGTERM, &sa, &g_prev_term);
}

int register_temporary(const std::string& path) {
    if (path.size() >= kPathMax) return -1;
    for (int i = 0; i < kSlots; ++i) {
        bool expected = false;
        if (!g_claimed[i].compare_exchange_strong(expected, true)) continue;
        std::memcpy(g_paths[i], path.c_str(), path.size() + 1);
        g_ready[i].store(true, std::memory_order_release);
        return i;
    }
    return -1;  // more than kSlots concurrent writers: still removed on failure, not on signals
}

void unregister_temporary(int slot) {
    if (slot < 0) return;
    g_ready[slot].store(false, std::memory_order_release);
    g_claimed[slot].store(false);
}

std::string random_suffix() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    return std::to_string(getpid()) + "-" + std::to_string(rd() % 1000000) + "-" +
           std::to_string(counter++);
}

std::string errno_text() {
    return std::strerror(errno);
}

void fsync_folder(const std::string& folder) {
    const int dfd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return;  // durability of the rename is best effort; the data itself was synced
    fsync(dfd);
    close(dfd);
}

}  // namespace

TraceOutputFile::TraceOutputFile(std::string destination, bool allow_unnamed)
    : destination_(std::move(destination)) {
    if (destination_.empty()) throw UsageError("the output path is empty");
    const fs::path dest(destination_);
    folder_ = dest.has_parent_path() ? dest.parent_path().string() : ".";
    std::error_code ec;
    if (!fs::is_directory(folder_, ec))
        throw FileError(destination_, "the folder " + folder_ + " does not exist");
    const auto st = fs::status(dest, ec);
    if (fs::exists(st) && !fs::is_regular_file(st))
        throw FileError(destination_, "exists and is not a regular file");
    if (allow_unnamed) open_unnamed();
    if (fd_ < 0) open_named();
}

TraceOutputFile::~TraceOutputFile() {
    if (!committed_) discard();
}

void TraceOutputFile::open_unnamed() {
    const int fd = open(folder_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0) {
        if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return;  // use a named file
        throw FileError(destination_, "cannot create a file in " + folder_ + ": " + errno_text());
    }
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    if (access(proc.c_str(), W_OK) != 0) {  // no /proc: HDF5 could not reach the file by name
        close(fd);
        return;
    }
    fd_ = fd;
    write_path_ = proc;
}

void TraceOutputFile::open_named() {
    const std::string base = fs::path(destination_).filename().string();
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string name =
            (fs::path(folder_) / ("." + base + ".tmp-" + random_suffix())).string();
        const int fd = open(name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno == EEXIST) continue;
            throw FileError(destination_,
                            "cannot create a file in " + folder_ + ": " + errno_text());
        }
        close(fd);
        temp_name_ = name;
        write_path_ = name;
        install_handlers();
        slot_ = register_temporary(name);
        return;
    }
    throw FileError(destination_, "cannot find a free temporary name in " + folder_);
}

void TraceOutputFile::commit() {
    if (committed_) return;
    if (fd_ >= 0) {
        if (fsync(fd_) != 0)
            throw FileError(destination_, "cannot flush the trace to disk: " + errno_text());
        // linkat cannot replace an existing name, so link to a fresh temporary and rename over.
        for (int attempt = 0; attempt < 100 && temp_name_.empty(); ++attempt) {
            const std::string name =
                (fs::path(folder_) /
                 ("." + fs::path(destination_).filename().string() + ".tmp-" + random_suffix()))
                    .string();
            if (linkat(AT_FDCWD, write_path_.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) ==
                0)
                temp_name_ = name;
            else if (errno != EEXIST)
                throw FileError(destination_, "cannot publish the trace: " + errno_text());
        }
        if (temp_name_.empty())
            throw FileError(destination_, "cannot find a free temporary name in " + folder_);
    } else {
        const int fd = open(temp_name_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) {
            const std::string why = errno_text();
            if (fd >= 0) close(fd);
            throw FileError(destination_, "cannot flush the trace to disk: " + why);
        }
        close(fd);
    }
    if (rename(temp_name_.c_str(), destination_.c_str()) != 0) {
        const std::string why = errno_text();
        unlink(temp_name_.c_str());
        throw FileError(destination_, "cannot replace the destination: " + why);
    }
    unregister_temporary(slot_);
    slot_ = -1;
    fsync_folder(folder_);
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    committed_ = true;
}

void TraceOutputFile::discard() noexcept {
    if (!temp_name_.empty()) unlink(temp_name_.c_str());
    unregister_temporary(slot_);
    slot_ = -1;
    if (fd_ >= 0) close(fd_);  // the unnamed file vanishes with its last descriptor
    fd_ = -1;
}

}  // namespace rs
