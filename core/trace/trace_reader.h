// Lazy reader of a RoPEScope trace (docs/trace-format.md). open() reads only the metadata and the
// statistics and checks the schema version and every dataset's shape against the metadata; Q/K,
// lse, overview maps, NLL, curves and noise sweeps load when first asked for.
//
// Thread safety: a TraceReader may be used by ONE thread at a time (e.g. the GUI's worker; move
// it between threads freely). Different readers may run concurrently (HDF5 is built thread-safe).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "attention_tile.h"
#include "head_stats.h"
#include "noise_experiment.h"
#include "trace_curves.h"
#include "trace_meta.h"

namespace rs {

struct OverviewMap {
    int cells = 0;
    std::vector<int> edges;   // [cells + 1] position boundaries (overview_edges)
    std::vector<float> mean;  // [cells, cells] mean probability per cell
};

class TraceReader {
  public:
    // Throws FileError(path, reason) for a missing, non-HDF5, truncated, foreign (not a RoPEScope
    // trace), newer-schema or inconsistent file, one with soft or external links or data stored
    // beyond what its shapes need, and for values no run writes (non-finite statistics, token ids
    // outside the vocabulary, out-of-range attributes). Lazy reads throw FileError too, e.g. for
    // non-finite Q/K/lse/NLL or a tile whose logits are not finite.
    static TraceReader open(const std::string& path);
    TraceReader(TraceReader&&) noexcept;
    TraceReader& operator=(TraceReader&&) noexcept;
    ~TraceReader();

    const std::string& path() const;
    const TraceMeta& meta() const;
    const RunStats& stats() const;

    // Loaded on first use and kept.
    const std::vector<float>& token_nll();  // [T-1]
    double mean_nll();
    const TraceCurves& curves();
    const std::vector<NoiseSweep>& noise();

    // One head's map at one pyramid level (`cells` from meta().overview_cells).
    OverviewMap overview(int layer, int head, int cells);
    // Decoded per-head arrays (cached, see set_cache_bytes): the REAL post-RoPE queries of a query
    // head [T, d], the keys of a KV head [T, d], an analysis head's row log-sum-exps [T].
    std::vector<float> queries(int layer, int query_head);
    std::vector<float> keys(int layer, int kv_head);
    std::vector<float> lse(int layer, int head);

    // Exact tile (attention_tile.h); throws UsageError for requests outside the trace.
    Tile tile(const TileRequest& request);

    // Problems that leave the data usable but suspicious (an all-zero query head), each a full
    // sentence naming the file and the object, in the order found; reads may add more.
    const std::vector<std::string>& warnings() const;

    // Budget of the decoded-array cache (default 256 MiB).
    void set_cache_bytes(std::size_t bytes);

  private:
    struct Impl;
    explicit TraceReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace rs
