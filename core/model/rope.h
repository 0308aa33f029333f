// Rotary position embedding: the frequency spectrum (with every scaling RoPEScope understands)
// and the rotate_half rotation of queries/keys, computed in float32 exactly as HF/upstream do.
//
// Layout (HF Llama "rotate_half"): within the first rotary_dim entries of a head, pair i is
// (x[i], x[i + rotary_dim/2]); entries past rotary_dim pass through unrotated.
#pragma once

#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace rs {

// HF rope_scaling {"rope_type": "llama3", ...}: per-frequency blend by wavelength.
struct Llama3Scaling {
    double factor = 8.0;
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
    double original_max_position_embeddings = 8192;
};

// HF rope_type "yarn" as transformers' current main computes it (_compute_yarn_parameters): a
// ramp over the dimension index between the correction dims of beta_fast and beta_slow rotations
// in `original_max_position_embeddings` blends PI (factor) with the original frequencies.
struct HfYarn {
    double factor = 1.0;
    double original_max_position_embeddings = 0;
    double beta_fast = 32.0;
    double beta_slow = 1.0;
    double attention_factor = 1.0;  // resolved: explicit, from mscale/mscale_all_dim, or 0.1 ln f + 1
    bool truncate = true;           // floor/ceil the correction dims
};

// The correction range [low, high] of HF yarn (dimension indices, clipped to [0, rotary_dim-1]);
// unrounded when truncate is false.
std::pair<double, double> hf_yarn_correction_range(const HfYarn& y, int rotary_dim, double base);

// HF rope_type "longrope" (Phi-3): frequency i divided by short_factor[i], or by long_factor[i]
// in a run longer than original_max_position_embeddings (transformers' longrope_frequency_update).
struct LongRope {
    std::vector<double> short_factor;  // [rotary_dim/2]
    std::vector<double> long_factor;   // [rotary_dim/2]
    double original_max_position_embeddings = 0;
    double attention_factor = 1.0;  // resolved: explicit or sqrt(1 + ln f / ln original)
};

// HF rope_type "dynamic" (NTK): in a run of T > max_position_embeddings tokens the base becomes
// base * (factor*T/max - (factor-1))^(d/(d-2)), as transformers' dynamic_rope_update does for one
// forward pass over the whole sequence.
struct DynamicNtk {
    double factor = 1.0;
    double max_position_embeddings = 0;
};

struct RopeParams {
    double theta = 10000.0;  // rope_theta, already multiplied by any upstream scaling_factor
    int head_dim = 128;
    double partial_rotary_factor = 1.0;
    double linear_factor = 1.0;  // position interpolation: inv_freq /= factor (upstream `factor`)
    double yarn_factor = 0.0;    // > 0: upstream YaRN with this factor (ramp on r in [1, 32])
    std::optional<Llama3Scaling> llama3;
    std::optional<HfYarn> hf_yarn;
    std::optional<LongRope> longrope;
    std::optional<DynamicNtk> dynamic_ntk;
    // True when the spectrum depends on the run length (longrope, dynamic): computed per run.
    bool depends_on_run_length() const { return longrope.has_value() || dynamic_ntk.has_value(); }
};

struct RopeSpectrum {
    int head_dim = 0;
    int rotary_dim = 0;              // even, <= head_dim
    std::vector<double> inv_freq;    // [rotary_dim/2] in double, for theory curves
    std::vector<float> inv_freq_f32; // [rotary_dim/2] as the model computes it (float32, like torch)
    float cos_sin_scale = 1.0f;      // YaRN's attention factor (upstream: 0.1 ln(factor) + 1) on cos and sin
    int half() const { return rotary_dim / 2; }
};

// The spectrum of a run of `run_length` tokens; 0 = no run (transformers' spectrum at load time,
// which a run of at most the original length also uses). Throws UsageError for impossible
// parameters (odd rotary dim, theta <= 1, factor <= 0, factor lists of the wrong length...).
RopeSpectrum make_rope_spectrum(const RopeParams& p, long run_length = 0);

// cos/sin for positions [pos0, pos0 + T): each [T, half] row-major, float32, times cos_sin_scale.
struct RopeTable {
    int positions = 0;
    int half = 0;
    std::vector<float> cos;
    std::vector<float> sin;
};
RopeTable make_rope_table(const RopeSpectrum& s, int T, int pos0 = 0);

// Rotates x in place: x is [T, n_heads * head_dim] row-major with row stride `ld` floats.
//   real (standard RoPE):  x' = x*cos + rotate_half(x)*sin
void apply_rope(const RopeSpectrum& s, const RopeTable& t, float* x, int T, int n_heads,
                long ld);

// The imaginary twin of an already rotated query row block: q_imag = -rotate_half(q_real),
// which equals q*sin - rotate_half(q)*cos bit for bit (the −π/2 rotation of RoPE++).
// src and dst are [T, head_dim] with row strides ld_src / ld_dst. Pass-through dims (partial
// rotary) are real numbers with no imaginary part, so they are zero in the imaginary query.
void imag_from_real(const RopeSpectrum& s, const float* src, long ld_src, float* dst, long ld_dst,
                    int T);

}  // namespace rs
