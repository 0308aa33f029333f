// Rows of the aggregate table, from the same tables the study file stores.
#include "study_summary.h"

#include <filesystem>

#include "study_bootstrap.h"
#include "study_tables.h"

namespace rs {

namespace {

const TextTable& table_named(const std::vector<TextTable>& tables, const std::string& group) {
    for (const auto& t : tables)
        if (t.group == group) return t;
    throw std::logic_error("study table " + group + " missing");
}

std::string folder_name(const StudyCheckpoint& c) {
    return std::filesystem::path(c.path).filename().string();
}

}  // namespace

std::vector<SummaryRow> study_summary(const Study& s) {
    const auto& h = s.header;
    const auto tables = study_tables(s);
    Bootstrap bootstrap(h.bootstrap, h.seed);
    const auto cols = summary_columns(h);
    const std::size_t S = h.settings.size(), K1 = cols.size(), K = h.statistics.size();
    std::vector<SummaryRow> rows;
    const auto add = [&](const std::string& table, const std::string& ck, const std::string& variant,
                         const std::string& setting, const std::string& part, const std::string& col,
                         const AggregateTable& a, std::size_t at) {
        rows.push_back({table, ck, variant, setting, part, col, a.n[at], a.mean[at], a.sd[at], a.low[at], a.high[at]});
    };
    const AggregateTable summary = aggregate(table_named(tables, "summary"), bootstrap);
    for (std::size_t c = 0; c < h.checkpoints.size(); ++c)
        for (std::size_t si = 0; si < S; ++si)
            for (std::size_t part = 0; part < 2; ++part)
                for (std::size_t k = 0; k < K1; ++k)
                    add("summary", folder_name(h.checkpoints[c]), h.checkpoints[c].variant, h.settings[si],
                        part ? "imag" : "real", cols[k], summary, ((c * S + si) * 2 + part) * K1 + k);
    for (std::size_t c = 0; c < h.checkpoints.size(); ++c) {
        const AggregateTable twin = aggregate(table_named(tables, checkpoint_group(int(c)) + "/twin_difference"), bootstrap);
        for (std::size_t si = 0; si < S; ++si)
            for (std::size_t k = 0; k < K; ++k)
                add("twin", folder_name(h.checkpoints[c]), h.checkpoints[c].variant, h.settings[si],
                    "imag - real", cols[k], twin, si * K + k);
    }
    const auto pairs = checkpoint_pairs(h);
    const AggregateTable diff = aggregate(table_named(tables, "differences/checkpoints"), bootstrap);
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        const auto& a = h.checkpoints[std::size_t(pairs[p].first)];
        const auto& b = h.checkpoints[std::size_t(pairs[p].second)];
        for (std::size_t si = 0; si < S; ++si)
            for (std::size_t part = 0; part < 2; ++part)
                for (std::size_t k = 0; k < K1; ++k)
                    add("checkpoints", folder_name(a) + " - " + folder_name(b), a.variant + " - " + b.variant,
                        h.settings[si], part ? "imag" : "real", cols[k], diff, ((p * S + si) * 2 + part) * K1 + k);
    }
    const int base = baseline_setting(h);
    const AggregateTable sdiff = aggregate(table_named(tables, "differences/settings"), bootstrap);
    for (std::size_t c = 0; c < h.checkpoints.size() && base >= 0; ++c)
        for (std::size_t si = 0; si < S; ++si) {
            if (int(si) == base) continue;
            for (std::size_t part = 0; part < 2; ++part)
                for (std::size_t k = 0; k < K1; ++k)
                    add("settings", folder_name(h.checkpoints[c]), h.checkpoints[c].variant,
                        h.settings[si] + " - none", part ? "imag" : "real", cols[k], sdiff,
                        ((c * S + si) * 2 + part) * K1 + k);
        }
    return rows;
}

}  // namespace rs
