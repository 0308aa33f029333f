// The trace's noise group, /experiments/noise (docs/trace-format.md, "Noise sweeps"): one
// subgroup per sweep (a sweep is one seed), with the per-token-bucket ΔNLL added in schema 1's
// optional datasets. Written by the trace writer and by save_trace_with_noise, read and checked
// by the trace reader. Internal to the trace store.
#pragma once

#include <span>
#include <vector>

#include "hdf5_io.h"
#include "noise_experiment.h"

namespace rs::trace {

// Creates /experiments/noise in `file` (which has none yet) holding `sweeps`. Throws UsageError
// for a sweep whose arrays disagree with its own sizes.
void write_noise_sweeps(hid_t file, std::span<const NoiseSweep> sweeps);

// Reads and validates every stored sweep of a trace of `tokens` tokens: shapes against the
// documented ones, values a run writes (finite where the definition is, NaN only where it says),
// bucket edges and counts consistent with the token count. Throws h5::Failure naming the dataset.
std::vector<NoiseSweep> read_noise_sweeps(hid_t file, int tokens);

}  // namespace rs::trace
