// Move-only owner of one HDF5 identifier, closed with the H5?close function of its kind, so no
// code path (exceptions included) leaks a file, group, dataset, dataspace, type or property list.
// Internal to the trace store: only core/*.cpp files include HDF5 headers.
#pragma once

#include <hdf5.h>

#include <utility>

namespace rs::h5 {

using CloseFn = herr_t (*)(hid_t);

class Handle {
  public:
    Handle() = default;
    Handle(hid_t id, CloseFn close) : id_(id), close_(close) {}
    ~Handle() { reset(); }
    Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
    Handle& operator=(Handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
            close_ = o.close_;
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    hid_t get() const { return id_; }
    explicit operator bool() const { return id_ >= 0; }

    // Closes now and returns the close status (a file's close flushes, so its failure matters).
    herr_t close() {
        if (id_ < 0) return 0;
        const herr_t r = close_(std::exchange(id_, H5I_INVALID_HID));
        return r;
    }
    void reset() { static_cast<void>(close()); }

  private:
    hid_t id_ = H5I_INVALID_HID;
    CloseFn close_ = nullptr;
};

}  // namespace rs::h5
