// libFuzzer target: checkpoint JSON files — config.json (parse, RoPE parameters, head layout and
// the expected tensor list) and model.safetensors.index.json — over the same input bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checkpoint.h"
#include "error.h"
#include "model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const rs::ModelConfig c = rs::parse_model_config(text, "config.json");
        (void)c.rope_params();
        const auto variant = rs::variant_from_config(c);
        const rs::HeadLayout layout = rs::make_head_layout(c, variant.value_or(rs::Variant::Rope));
        (void)rs::expected_tensors(c, layout);
    } catch (const rs::Error&) {
        // FileError for the file; make_head_layout may refuse a layout the same way.
    }
    try {
        (void)rs::parse_safetensors_index(text, "model.safetensors.index.json");
    } catch (const rs::FileError&) {
    }
    return 0;
}
