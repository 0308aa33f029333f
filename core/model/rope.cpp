// RoPE spectrum and rotation; float32 arithmetic mirrors torch so logits match the reference.
#include "rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <tuple>

#include "error.h"

namespace rs {

namespace {

// HF llama3 rope scaling (transformers _compute_llama3_parameters), in double then rounded.
double llama3_adjust(double inv_freq, const Llama3Scaling& l) {
    const double low_wavelen = l.original_max_position_embeddings / l.low_freq_factor;
    const double high_wavelen = l.original_max_position_embeddings / l.high_freq_factor;
    const double wavelen = 2.0 * std::numbers::pi / inv_freq;
    if (wavelen < high_wavelen) return inv_freq;
    if (wavelen > low_wavelen) return inv_freq / l.factor;
    const double smooth = (l.original_max_position_embeddings / wavelen - l.low_freq_factor) /
                          (l.high_freq_factor - l.low_freq_factor);
    return (1.0 - smooth) * inv_freq / l.factor + smooth * inv_freq;
}

// One frequency of HF yarn; T is float (the model's float32 path, op by op as torch) or double.
template <class T>
T hf_yarn_blend(T pos_freq, int i, const HfYarn& y, double low, double high) {
    const T extrapolation = T(1) / pos_freq;
    const T interpolation = T(1) / (T(y.factor) * pos_freq);
    const T ramp = std::clamp((T(i) - T(low)) / T(high - low), T(0), T(1));
    const T extrapolation_share = T(1) - ramp;
    return interpolation * (T(1) - extrapolation_share) + extrapolation * extrapolation_share;
}

}  // namespace

std::pair<double, double> hf_yarn_correction_range(const HfYarn& y, int rotary_dim, double base) {
    // The dimension index whose frequency turns `rotations` times over the original length.
    const auto dim_of = [&](double rotations) {
        return rotary_dim * std::log(y.original_max_position_embeddings / (rotations * 2 * std::numbers::pi)) /
               (2 * std::log(base));
    };
    double low = dim_of(y.beta_fast), high = dim_of(y.beta_slow);
    if (y.truncate) {
        low = std::floor(low);
        high = std::ceil(high);
    }
    return {std::max(low, 0.0), std::min(high, double(rotary_dim - 1))};
}

// The dynamic-NTK base for a run of T tokens, in float32 as torch computes it (the run length
// arrives as an integer tensor, so every step after it is a float32 tensor op).
double dynamic_ntk_base(const RopeParams& p, int rotary_dim, long T) {
    const DynamicNtk& n = *p.dynamic_ntk;
    if (!(double(T) > n.max_position_embeddings)) return p.theta;
    const float grown = static_cast<float>(n.factor) * static_cast<float>(T) /
                            static_cast<float>(n.max_position_embeddings) -
                        static_cast<float>(n.factor - 1.0);
    const float exponent = static_cast<float>(double(rotary_dim) / double(rotary_dim - 2));
    const float scale = static_cast<float>(std::pow(double(grown), double(exponent)));
    return static_cast<double>(static_cast<float>(p.theta) * scale);
}

void check_longrope(const LongRope& l, int half) {
    for (const auto* list : {&l.short_factor, &l.long_factor})
        if (list->size() != std::size_t(half))
            throw UsageError("longrope factor lists need rotary_dim/2 = " + std::to_string(half) +
                             " entries, got " + std::to_string(list->size()));
}

RopeSpectrum make_rope_spectrum(const RopeParams& params, long run_length) {
    RopeParams p = params;
    if (p.head_dim <= 0 || p.head_dim % 2) throw UsageError("head_dim must be a positive even number");
    if (!(p.theta > 1.0) || !std::isfinite(p.theta)) throw UsageError("rope_theta must be > 1");
    if (!(p.partial_rotary_factor > 0.0 && p.partial_rotary_factor <= 1.0))
        throw UsageError("partial_rotary_factor must be in (0, 1]");
    if (!(p.linear_factor > 0.0) || !std::isfinite(p.linear_factor))
        throw UsageError("the position interpolation factor must be > 0");
    if (p.yarn_factor != 0.0 && !(p.yarn_factor >= 1.0))
        throw UsageError("the YaRN factor must be >= 1");
    RopeSpectrum s;
    s.head_dim = p.head_dim;
    s.rotary_dim = static_cast<int>(p.head_dim * p.partial_rotary_factor);
    if (s.rotary_dim < 2 || s.rotary_dim % 2)
        throw UsageError("head_dim * partial_rotary_factor must be an even number >= 2");
    const int half = s.half();
    if (p.dynamic_ntk) p.theta = dynamic_ntk_base(p, s.rotary_dim, run_length);
    const std::vector<double>* longrope_factors = nullptr;
    if (p.longrope) {
        check_longrope(*p.longrope, half);
        longrope_factors = double(run_length) > p.longrope->original_max_position_embeddings
                               ? &p.longrope->long_factor
                               : &p.longrope->short_factor;
    }
    double yarn_low = 0, yarn_high = 0;
    if (p.hf_yarn) {
        std::tie(yarn_low, yarn_high) = hf_yarn_correction_range(*p.hf_yarn, s.rotary_dim, p.theta);
        if (yarn_low == yarn_high) yarn_high += 0.001;  // as transformers: no zero-width ramp
    }
    s.inv_freq.resize(half);
    s.inv_freq_f32.resize(half);
    for (int i = 0; i < half; ++i) {
        // torch: 1.0 / (base ** (arange(0, dim, 2).float() / dim)) in float32.
        const float expo = static_cast<float>(2 * i) / static_cast<float>(s.rotary_dim);
        const float powf32 = static_cast<float>(std::pow(static_cast<double>(static_cast<float>(p.theta)), double(expo)));
        float f = 1.0f / powf32;
        double d = std::pow(p.theta, -2.0 * i / s.rotary_dim);
        if (longrope_factors) {  // torch: 1.0 / (ext_factors * base**shape), float32
            const double ext = (*longrope_factors)[std::size_t(i)];
            f = 1.0f / (static_cast<float>(ext) * powf32);
            d = 1.0 / (ext * std::pow(p.theta, 2.0 * i / s.rotary_dim));
        } else if (p.hf_yarn) {
            f = hf_yarn_blend<float>(powf32, i, *p.hf_yarn, yarn_low, yarn_high);
            d = hf_yarn_blend<double>(std::pow(p.theta, 2.0 * i / s.rotary_dim), i, *p.hf_yarn, yarn_low,
                                      yarn_high);
        } else if (p.yarn_factor > 0.0) {
            // upstream: r = 4096/(2π)·inv_freq; γ = clip((r-1)/31, 0, 1); blend PI and original.
            auto blend = [&](double x) {
                const double r = 4096.0 / 2.0 / std::numbers::pi * x;
                const double g = std::clamp((r - 1.0) / (32.0 - 1.0), 0.0, 1.0);
                return (1.0 - g) * x / p.yarn_factor + g * x;
            };
            f = static_cast<float>(blend(f));
            d = blend(d);
        } else if (p.linear_factor != 1.0) {
            f = static_cast<float>(f / p.linear_factor);
            d /= p.linear_factor;
        }
        if (p.llama3) {
            f = static_cast<float>(llama3_adjust(f, *p.llama3));
            d = llama3_adjust(d, *p.llama3);
        }
        s.inv_freq_f32[i] = f;
        s.inv_freq[i] = d;
    }
    if (p.yarn_factor > 0.0) s.cos_sin_scale = static_cast<float>(0.1 * std::log(p.yarn_factor) + 1.0);
    if (p.hf_yarn) s.cos_sin_scale = static_cast<float>(p.hf_yarn->attention_factor);
    if (p.longrope) s.cos_sin_scale = static_cast<float>(p.longrope->attention_factor);
    return s;
}

RopeTable make_rope_table(const RopeSpectrum& s, int T, int pos0) {
    RopeTable t;
    t.positions = T;
    t.half = s.half();
    t.cos.resize(std::size_t(T) * t.half);
    t.sin.resize(std::size_t(T) * t.half);
    for (int p = 0; p < T; ++p) {
        const float pos = static_cast<float>(pos0 + p);
        for (int i = 0; i < t.half; ++i) {
            const float angle = s.inv_freq_f32[i] * pos;  // one float32 product, as in the matmul
            t.cos[std::size_t(p) * t.half + i] = static_cast<float>(std::cos(double(angle))) * s.cos_sin_scale;
            t.sin[std::size_t(p) * t.half + i] = static_cast<float>(std::sin(double(angle))) * s.cos_sin_scale;
        }
    }
    return t;
}

void apply_rope(const RopeSpectrum& s, const RopeTable& t, float* x, int T, int n_heads, long ld) {
    const int half = s.half();
#pragma omp parallel for schedule(static) if (T >= 64)
    for (int p = 0; p < T; ++p) {
        const float* c = &t.cos[std::size_t(p) * half];
        const float* sn = &t.sin[std::size_t(p) * half];
        for (int h = 0; h < n_heads; ++h) {
            float* v = x + std::size_t(p) * ld + std::size_t(h) * s.head_dim;
            for (int i = 0; i < half; ++i) {
                const float a = v[i], b = v[i + half];
                const float ac = a * c[i], bs = b * sn[i], bc = b * c[i], as = a * sn[i];
                v[i] = ac - bs;         // x1*cos + (-x2)*sin
                v[i + half] = bc + as;  // x2*cos + x1*sin
            }
        }
    }
}

void imag_from_real(const RopeSpectrum& s, const float* src, long ld_src, float* dst, long ld_dst,
                    int T) {
    const int half = s.half();
    for (int p = 0; p < T; ++p) {
        const float* a = src + std::size_t(p) * ld_src;
        float* o = dst + std::size_t(p) * ld_dst;
        for (int i = 0; i < half; ++i) {
            o[i] = a[i + half];
            o[i + half] = -a[i];
        }
        for (int i = s.rotary_dim; i < s.head_dim; ++i) o[i] = 0.0f;
    }
}

}  // namespace rs
