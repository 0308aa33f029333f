// RoPE settings a run applies in place of what config.json says — the "settings" axis of a study
// (base change, position interpolation, YaRN) — so a researcher never edits a checkpoint to try one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rs {

// Each field, when set, replaces the checkpoint's own value; an empty override changes nothing.
struct RopeOverride {
    std::optional<double> rope_theta;   // the RoPE base actually used (replaces rope_theta and
                                        // upstream's rope_config.scaling_factor)
    std::optional<double> pi_factor;    // linear position interpolation, HF rope_scaling "linear"
    std::optional<double> yarn_factor;  // upstream RoPE++ YaRN (rope_config.yarn with this factor)
    std::optional<double> yarn_hf_factor;  // HF rope_scaling "yarn" with this factor,
                                           // original_max_position_embeddings = the checkpoint's
                                           // max_position_embeddings, every other field default
    std::optional<double> ntk_factor;  // HF rope_scaling "dynamic" (NTK) with this factor beyond the
                                       // checkpoint's max_position_embeddings

    bool empty() const { return !rope_theta && !pi_factor && !yarn_factor && !yarn_hf_factor && !ntk_factor; }
    // "none", or "rope_theta=40000,pi_factor=4": the syntax parse_rope_override reads back.
    std::string label() const;
    bool operator==(const RopeOverride&) const = default;
};

// Reads a label ("none" or comma-separated key=value with keys rope_theta, pi_factor,
// yarn_factor, yarn_hf_factor, ntk_factor). Throws UsageError naming the key for an unknown key, a repeated
// key, a value that is not a finite number in range (rope_theta > 1, factors >= 1), or two
// position scalings together.
RopeOverride parse_rope_override(std::string_view label);

// Checks one value as parse_rope_override does (for CLI options that set a single field).
double checked_override_value(std::string_view key, std::string_view text);

}  // namespace rs
