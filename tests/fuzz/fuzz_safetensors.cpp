// libFuzzer target: the safetensors header parser over arbitrary file bytes. Every view it
// accepts is read end to end, so a span reaching past the buffer is an AddressSanitizer report.
#include <cstddef>
#include <cstdint>
#include <span>

#include "error.h"
#include "safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        std::map<std::string, std::string> metadata;
        const auto tensors = rs::parse_safetensors({data, size}, "fuzz.safetensors", &metadata);
        unsigned sum = 0;
        for (const auto& [name, t] : tensors) {
            for (const std::uint8_t b : t.bytes) sum += b;
            if (t.numel() < 0) __builtin_trap();  // validated shapes never overflow
            (void)t.shape_string();
        }
        volatile unsigned keep = sum;
        (void)keep;
    } catch (const rs::FileError&) {
        // The expected outcome for malformed input: one message naming the file.
    }
    return 0;
}
