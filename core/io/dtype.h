// Element types found in safetensors files, and exact conversion of BF16/F16/F32 to float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace rs {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool, F8E4M3, F8E5M2 };

// Parses a safetensors dtype tag ("BF16"...); nullopt for tags the format does not define.
std::optional<DType> parse_dtype(const std::string& tag);
std::string dtype_name(DType t);
std::size_t dtype_size(DType t);
// True for the dtypes the model can compute with (BF16, F16, F32).
bool is_float_weight_dtype(DType t);

float bf16_to_f32(std::uint16_t bits);
float f16_to_f32(std::uint16_t bits);
std::uint16_t f32_to_bf16_rne(float v);  // round-to-nearest-even, as torch does
std::uint16_t f32_to_f16_rne(float v);

// Converts `src` (raw little-endian bytes of `n` elements of `t`) into `dst` (n floats).
// `t` must satisfy is_float_weight_dtype; src need not be aligned.
void convert_to_f32(DType t, std::span<const std::uint8_t> src, std::span<float> dst);

}  // namespace rs
