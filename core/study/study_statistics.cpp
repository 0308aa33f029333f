// RunStats -> named per-head study columns.
#include "study_statistics.h"

#include <cmath>
#include <limits>

#include "error.h"

namespace rs {

std::vector<std::string> study_statistic_names(const std::vector<int>& thresholds) {
    std::vector<std::string> names;
    for (int d : thresholds) names.push_back("M_" + std::to_string(d));
    names.push_back("mean_distance");
    names.push_back("entropy");
    return names;
}

std::vector<double> study_statistic_values(const RunStats& st, const std::vector<std::string>& names) {
    if (study_statistic_names(st.thresholds) != names)
        throw Error("study: a run measured other statistics than the study's columns");
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> out;
    out.reserve(std::size_t(st.layers) * st.heads * names.size());
    for (int l = 0; l < st.layers; ++l)
        for (int h = 0; h < st.heads; ++h) {
            const bool seen = st.observed.at(std::size_t(l) * st.heads + h);
            const HeadStats& s = st.at(l, h);
            for (double m : s.long_range_mass) out.push_back(seen ? m : nan);
            out.push_back(seen ? s.mean_distance : nan);
            out.push_back(seen ? s.entropy : nan);
        }
    return out;
}

}  // namespace rs
