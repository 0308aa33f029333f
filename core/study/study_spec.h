// What a study is, independent of how it is run or stored: checkpoints x settings x texts, the
// order of its units, shards, and the per-unit results a study file is assembled from.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rs {

// A checkpoint of a study as the study file records it.
struct StudyCheckpoint {
    std::string path;            // absolute, normalised
    std::string variant;         // "RoPE", "RoPE++_EH", "RoPE++_EC"
    std::string variant_source;  // "rope_config", "tensor shapes"
    std::string config_json;     // config.json verbatim
    std::string rope_sources;    // provenance lines of the RoPE settings, '\n'-ended
    std::string tokenizer;       // "<path> fnv1a:<hash>", or "none" (ids corpora only)
    int layers = 0;
    int heads = 0;  // analysis heads per layer (virtual imaginary heads included)
    int max_position_embeddings = 0;
    // Per analysis head: imaginary, virtual, query head, KV head, twin (-1: none).
    std::vector<std::uint8_t> imag, is_virtual;
    std::vector<std::int32_t> query_head, kv_head, twin;
};

struct StudyHeader {
    std::vector<StudyCheckpoint> checkpoints;  // [C]
    std::vector<std::string> settings;         // [S] RopeOverride labels
    std::vector<std::string> texts;            // [X]
    std::vector<std::vector<std::int32_t>> tokens;  // [C][X] tokens each checkpoint reads
    std::vector<std::string> statistics;       // [K] per-head columns (study_statistics.h)
    std::vector<std::int32_t> thresholds;      // D of the M_D columns
    // Prediction-position buckets of each unit's nll_by_position (study_positions.h); empty in a
    // file written before they existed.
    std::vector<std::int32_t> nll_position_edges;
    std::string corpus_path, corpus_format, corpus_hash;
    int window = 0, max_tokens = 0;
    int bootstrap = 0;       // resamples of every interval
    std::uint64_t seed = 0;  // of the bootstrap generator
    std::vector<std::string> notes;  // one line each (different tokenizers, head counts, ...)

    long units() const { return long(checkpoints.size() * settings.size() * texts.size()); }
    std::size_t values_per_unit(int checkpoint) const;  // layers * heads * statistics
    // The fields two partials of one study share, as one text, and its hash (the study id).
    std::string identity() const;
    std::string id() const;
};

// Unit order: index = (checkpoint * S + setting) * X + text (checkpoint-major, then setting,
// then text, each in the order given).
struct UnitKey {
    int checkpoint = 0, setting = 0, text = 0;
};
UnitKey unit_key(const StudyHeader& h, long index);
long unit_index(const StudyHeader& h, const UnitKey& k);

// `--shard I/N`: the units whose index is I mod N.
struct Shard {
    int index = 0, count = 1;
    bool contains(long unit) const { return unit % count == index; }
    bool whole() const { return count == 1; }
    std::string label() const;  // "I/N"
};
Shard parse_shard(std::string_view text);  // UsageError unless 0 <= I < N

struct UnitResult {
    long index = 0;
    double nll = 0;              // mean next-token NLL of the text
    std::vector<double> values;  // [layers * heads * statistics], NaN where not measured
    std::vector<double> nll_by_position;  // [position buckets]: mean NLL there, NaN where empty
};

struct Study {
    StudyHeader header;
    std::string shard;                 // "" for a whole study or a merge, else "I/N"
    std::map<long, UnitResult> units;  // done units by index
};

// Throws FileError(b_name) naming the first field in which the two differ (checkpoint list,
// settings, corpus, texts, statistics, max tokens, window, bootstrap, seed).
void require_same_study(const StudyHeader& a, const std::string& a_name, const StudyHeader& b,
                        const std::string& b_name);

}  // namespace rs
