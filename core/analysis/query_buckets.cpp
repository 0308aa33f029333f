// Query-position bucket ranges.
#include "query_buckets.h"

#include <algorithm>

#include "error.h"

namespace rs {

std::vector<int> default_query_bucket_edges(int tokens) {
    std::vector<int> out;
    for (long e = 64; e < tokens; e *= 2) out.push_back(int(e));
    return out;
}

std::vector<QueryBucket> make_query_buckets(int tokens, int train_length,
                                            const std::vector<int>& edges) {
    for (std::size_t i = 0; i < edges.size(); ++i)
        if (edges[i] <= 0 || (i && edges[i] <= edges[i - 1]))
            throw UsageError("query bucket edges must be positive and increasing");
    std::vector<QueryBucket> out{{"all", 0, tokens}};
    if (train_length > 0) {
        const int L = std::min(train_length, tokens);
        out.push_back({"inside", 0, L});
        out.push_back({"beyond", L, tokens});
    }
    int lo = 0;
    auto add = [&](int hi) {
        out.push_back({"q" + std::to_string(lo) + "_" + std::to_string(hi), lo, hi});
        lo = hi;
    };
    for (int e : edges)
        if (e < tokens) add(e);
    add(tokens);
    return out;
}

}  // namespace rs
