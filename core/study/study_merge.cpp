// Merging partial study files.
#include "study_merge.h"

#include <cstring>

#include "error.h"
#include "study_file.h"

namespace rs {

namespace {

bool same_bits(const UnitResult& a, const UnitResult& b) {
    const auto same = [](const std::vector<double>& x, const std::vector<double>& y) {
        return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0;
    };
    return std::memcmp(&a.nll, &b.nll, sizeof a.nll) == 0 && same(a.values, b.values) &&
           same(a.nll_by_position, b.nll_by_position);
}

}  // namespace

Study merge_study_files(const std::vector<std::string>& paths) {
    if (paths.empty()) throw UsageError("study merge needs at least one partial study file");
    Study merged = read_study_file(paths.front());
    merged.shard.clear();
    for (std::size_t i = 1; i < paths.size(); ++i) {
        Study part = read_study_file(paths[i]);
        require_same_study(merged.header, paths.front(), part.header, paths[i]);
        for (auto& [index, unit] : part.units) {
            auto it = merged.units.find(index);
            if (it == merged.units.end()) merged.units.emplace(index, std::move(unit));
            else if (!same_bits(it->second, unit))
                throw FileError(paths[i], "unit " + std::to_string(index) +
                                              " differs from the same unit in an earlier partial");
        }
    }
    // Notes of the partials are the same study's notes; keep the first's.
    return merged;
}

}  // namespace rs
