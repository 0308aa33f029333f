// The trace file layout in one place (docs/trace-format.md explains it for readers): names, the
// schema version, and every dataset's element kind and shape, which the writer creates and the
// reader checks on open. Internal to the trace store.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hdf5_io.h"
#include "trace_meta.h"

namespace rs::trace {

constexpr const char* kFormat = "ropescope-trace";  // root attribute "format"
// Bump on any change a reader of the previous version would misread; readers refuse newer ones.
constexpr int kSchemaVersion = 1;

enum class Elem { QK, F32, F64, I32, I64, U8, Str, NoiseTarget };

struct DatasetSpec {
    std::string path;  // relative to the root
    Elem elem;
    h5::Dims dims;  // empty: scalar
};

// The sizes that fix every dataset's shape.
struct Shape {
    hsize_t tokens = 0, layers = 0, heads = 0, query_heads = 0, kv_heads = 0, head_dim = 0,
            half = 0;
    hsize_t thresholds = 0, bins = 0, curve_points = 0;
    // Sink-aware, query-bucketed statistics (optional: traces before them have none).
    bool buckets_stored = false;
    hsize_t sink_counts = 0, buckets = 0;
    // Gemma 3's second spectrum, of its local-RoPE layers (optional: one spectrum without it).
    bool local_rope = false;
    std::vector<int> overview_cells;  // finest first
};

// "NaN", "+Inf", "-Inf" or the number, for messages about a bad value.
std::string value_text(double v);
// Throws h5::Failure: "dataset 'PATH' holds V at [AT]; WHY".
[[noreturn]] void bad_value(const std::string& path, std::size_t at, double v,
                            const std::string& why);
// Distance thresholds as runs write them (stats/thresholds, a noise sweep's thresholds): >= 1, in
// increasing order. Throws bad_value naming `path` and the first one that is not.
void check_thresholds(const std::string& path, std::span<const std::int32_t> thresholds);

// The range a statistic's definition gives it (head_stats.h), with room for float sums over
// 32k-token rows: a finite but impossible value (a mass of 7.5) would otherwise be shown as
// measured. One tolerance, 1e-3, for every reader of the trace (stats, buckets, noise sweeps).
struct StatRange {
    double lo, hi;
    const char* why;
    bool holds(double v) const { return v >= lo && v <= hi; }  // NaN does not
};
struct StatRanges {
    StatRange mass, distance, entropy;
};
StatRanges stat_ranges(int tokens);

// The length of a one-dimensional dataset (found by hard links alone, as h5::find_dataset),
// refused when missing, not a list or longer than `most`.
hsize_t list_length(hid_t file, const std::string& path, hsize_t most);

std::string layer_group(int layer, int layers);  // "layers/07": zero-padded so names sort
std::string overview_path(int layer, int layers, int cells);  // "layers/07/overview/512"

std::vector<DatasetSpec> meta_datasets(const Shape& s);
std::vector<DatasetSpec> layer_datasets(const Shape& s, int layer);
std::vector<DatasetSpec> stats_datasets(const Shape& s);  // with the bucketed ones if stored
// Names of the bucketed per-head statistics, each under stats/buckets/ (per head) and
// stats/uniform/ (the uniform reference), in the order of bucket_stat_fields.
constexpr const char* kBucketGroup = "stats/buckets";
constexpr const char* kUniformGroup = "stats/uniform";
std::vector<DatasetSpec> result_datasets(const Shape& s);  // loss and curves
std::vector<DatasetSpec> noise_datasets(const std::string& group, hsize_t points,
                                        hsize_t thresholds);

// How each dataset is laid out on disk (chunking and filters); see docs/trace-format.md for why.
h5::Storage storage_for(const DatasetSpec& spec);

// The HDF5 file type of an element kind.
h5::Handle file_type_of(Elem e, QKPrecision qk);
// The in-memory type matching file_type_of for QK (raw f16 bits or float) and NoiseTarget.
h5::Handle noise_target_type();

// Throws h5::Failure naming the dataset when it is missing, reached through a soft or external
// link, its shape or exact element type is not the spec, or its storage is not bounded by its
// shape (h5::check_storage). Returns the dataset, open, with its identity.
h5::LinkedDataset check_dataset(hid_t file, const DatasetSpec& spec, QKPrecision qk);

}  // namespace rs::trace
