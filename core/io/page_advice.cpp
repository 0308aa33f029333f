// madvise(2) wrapper; the advice degrades to nothing where the kernel does not know it.
#include "page_advice.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace rs {

void advise_huge_pages(void* data, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
    constexpr std::size_t kHugePage = std::size_t(2) << 20;
    if (bytes < 2 * kHugePage) return;
    // madvise wants page-aligned bounds: advise the whole pages inside the buffer.
    const auto page = std::uintptr_t(sysconf(_SC_PAGESIZE));
    const auto first = reinterpret_cast<std::uintptr_t>(data);
    const std::uintptr_t begin = (first + page - 1) / page * page;
    const std::uintptr_t end = (first + bytes) / page * page;
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

}  // namespace rs
