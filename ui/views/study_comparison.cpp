// Loading a study file for the Compare view: read and validated by core/study, aggregated with the
// file's own bootstrap seed and resample count.
#include "study_comparison.h"

#include <QFileInfo>
#include <filesystem>

#include "error.h"
#include "study_bootstrap.h"
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
    c.study = read_study_file(path.toStdString());
    const auto tables = study_tables(c.study);
    Bootstrap bootstrap(c.header().bootstrap, c.header().seed);
    c.summary = aggregate(table_named(tables, "summary"), bootstrap);
    for (int ck = 0; ck < int(c.header().checkpoints.size()); ++ck) {
        const std::string group = checkpoint_group(ck);
        c.heads.push_back(aggregate(table_named(tables, group + "/heads"), bootstrap));
        c.nll.push_back(table_named(tables, group + "/nll"));
        if (!c.header().nll_position_edges.empty())
            c.nll_by_position.push_back(aggregate(table_named(tables, group + "/nll_by_position"), bootstrap));
    }
    return c;
}

}  // namespace rs::ui
