// Loading a study file for the Compare view: read and validated by core/study, with the aggregates
// the file stores (checked against its per-text values, never re-bootstrapped).
#include "study_comparison.h"

#include <QFileInfo>
#include <filesystem>

#include "error.h"
#include "study_file.h"

namespace rs::ui {

namespace {

const TextTable& table_named(const std::vector<TextTable>& tables, const std::string& group) {
    for (const auto& t : tables)
        if (t.group == group) return t;
    throw Error("study table " + group + " missing");
}

}  // namespace

int StudyComparison::statistic_index(const QString& name) const {
    const auto& k = header().statistics;
    for (std::size_t i = 0; i < k.size(); ++i)
        if (QString::fromStdString(k[i]) == name) return int(i);
    return -1;
}

QString StudyComparison::checkpoint_label(int checkpoint) const {
    const auto& ck = header().checkpoints[std::size_t(checkpoint)];
    return QString("%1 (%2)")
        .arg(QString::fromStdString(std::filesystem::path(ck.path).filename().string()),
             QString::fromStdString(ck.variant));
}

double StudyComparison::summary_at(const std::vector<double>& field, int checkpoint, int setting,
                                   int part, int column) const {
    const std::size_t S = header().settings.size();
    return field[((std::size_t(checkpoint) * S + std::size_t(setting)) * 2 + std::size_t(part)) *
                     columns() +
                 std::size_t(column)];
}

StudyComparison load_study_comparison(const QString& path) {
    StudyComparison c;
    c.path = QFileInfo(path).absoluteFilePath();
    // The plotted tables in order: summary, then per checkpoint heads (and NLL by position).
    auto plotted = [&c](const Study& study) {
        const auto tables = study_tables(study);
        const bool by_position = !study.header.nll_position_edges.empty();
        std::vector<TextTable> out{table_named(tables, "summary")};
        for (int ck = 0; ck < int(study.header.checkpoints.size()); ++ck) {
            const std::string group = checkpoint_group(ck);
            out.push_back(table_named(tables, group + "/heads"));
            if (by_position) out.push_back(table_named(tables, group + "/nll_by_position"));
            c.nll.push_back(table_named(tables, group + "/nll"));
        }
        return out;
    };
    auto read = read_study_with_aggregates(path.toStdString(), plotted);
    c.study = std::move(read.study);
    const bool by_position = !c.header().nll_position_edges.empty();
    auto next = read.aggregates.begin();
    c.summary = std::move(*next++);
    for (int ck = 0; ck < int(c.header().checkpoints.size()); ++ck) {
        c.heads.push_back(std::move(*next++));
        if (by_position) c.nll_by_position.push_back(std::move(*next++));
    }
    return c;
}

}  // namespace rs::ui
