// CompareView: controls (figure, M(D) family, twin statistic, head kinds) over compare_figure.h.
#include "compare_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>

namespace rs::ui {

namespace {

// Refills `box` with `items`, keeping the current text when it is still there, else `fallback`.
void refill(QComboBox* box, const QStringList& items, const QString& fallback) {
    const QString keep = box->currentText();
    const QSignalBlocker block(box);
    box->clear();
    box->addItems(items);
    const int at = box->findText(keep);
    const int fb = box->findText(fallback);
    box->setCurrentIndex(at >= 0 ? at : fb >= 0 ? fb : 0);
}

}  // namespace

CompareView::CompareView(QWidget* parent) : SingleChartView({720, 480}, "compare_mass", parent) {
    figure_ = new QComboBox(this);
    figure_->addItem("M(D) curves", int(CompareFigure::Mass));
    figure_->addItem("twin heads", int(CompareFigure::Twins));
    figure_->addItem("NLL per text", int(CompareFigure::Nll));
    figure_->addItem("NLL by position", int(CompareFigure::Position));
    family_ = new QComboBox(this);
    family_->setToolTip("M: all keys; M_ex4: the first 4 keys (sinks) left out and renormalised; "
                        "inside_/beyond_: queries before/from the training length");
    statistic_ = new QComboBox(this);
    parts_ = new QComboBox(this);
    parts_->addItem("real and imaginary", int(CompareParts::Both));
    parts_->addItem("real heads", int(CompareParts::Real));
    parts_->addItem("imaginary heads", int(CompareParts::Imag));
    setting_ = new QComboBox(this);
    family_label_ = new QLabel("Mass", this);
    statistic_label_ = new QLabel("Statistic", this);
    parts_label_ = new QLabel("Heads", this);
    controls()->addWidget(new QLabel("Figure", this));
    controls()->addWidget(figure_);
    controls()->addWidget(new QLabel("Setting", this));
    controls()->addWidget(setting_);
    controls()->addSpacing(12);
    const std::pair<QLabel*, QComboBox*> rows[] = {
        {family_label_, family_}, {statistic_label_, statistic_}, {parts_label_, parts_}};
    for (const auto& row : rows) {
        controls()->addWidget(row.first);
        controls()->addWidget(row.second);
    }
    finish_controls();
    for (QComboBox* box : {figure_, family_, statistic_, parts_, setting_})
        connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
            update_controls();
            schedule();
        });
    update_controls();
    schedule();
}

void CompareView::set_study(std::shared_ptr<const StudyComparison> study) {
    study_ = std::move(study);
    QStringList statistics;
    if (study_)
        for (const auto& s : study_->header().statistics) statistics << QString::fromStdString(s);
    refill(family_, study_ ? mass_families(study_->header()) : QStringList{}, "M");
    refill(statistic_, statistics, "mean_distance");
    QStringList settings{"all settings"};
    if (study_)
        for (const auto& s : study_->header().settings) settings << QString::fromStdString(s);
    refill(setting_, settings, "all settings");
    update_controls();
    schedule();
}

void CompareView::update_controls() {
    const CompareFigure f = figure();
    family_label_->setVisible(f == CompareFigure::Mass);
    family_->setVisible(f == CompareFigure::Mass);
    parts_label_->setVisible(f == CompareFigure::Mass);
    parts_->setVisible(f == CompareFigure::Mass);
    statistic_label_->setVisible(f == CompareFigure::Twins);
    statistic_->setVisible(f == CompareFigure::Twins);
}

void CompareView::set_figure(CompareFigure figure) {
    figure_->setCurrentIndex(figure_->findData(int(figure)));
}

CompareFigure CompareView::figure() const {
    return CompareFigure(figure_->currentData().toInt());
}

bool CompareView::set_family(const QString& family) {
    const int at = family_->findText(family);
    if (at < 0) return false;
    family_->setCurrentIndex(at);
    return true;
}

QString CompareView::family() const {
    return family_->currentText();
}

bool CompareView::set_statistic(const QString& statistic) {
    const int at = statistic_->findText(statistic);
    if (at < 0) return false;
    statistic_->setCurrentIndex(at);
    return true;
}

QString CompareView::statistic() const {
    return statistic_->currentText();
}

void CompareView::set_parts(CompareParts parts) {
    parts_->setCurrentIndex(parts_->findData(int(parts)));
}

CompareParts CompareView::parts() const {
    return CompareParts(parts_->currentData().toInt());
}

bool CompareView::set_setting(const QString& label) {
    const int at = label.isEmpty() ? 0 : setting_->findText(label);
    if (at < 0 || (at == 0 && !label.isEmpty())) return false;
    setting_->setCurrentIndex(at);
    return true;
}

int CompareView::setting() const {
    return setting_->currentIndex() - 1;
}

ChartSpec CompareView::spec() const {
    if (!study_) {
        ChartSpec empty;
        empty.title = "Compare checkpoints";
        empty.x.title = "distance threshold D (tokens)";
        empty.y.title = "M(D): mass at distance ≥ D";
        empty.empty_message = "No study open: File ▸ Open study… shows the checkpoints of a "
                              "`ropescope-cli study` file side by side.";
        return empty;
    }
    switch (figure()) {
        case CompareFigure::Mass:
            return compare_mass_chart(*study_, family(), parts(), setting());
        case CompareFigure::Twins:
            return compare_twin_chart(*study_, statistic(), setting());
        case CompareFigure::Nll:
            return compare_nll_chart(*study_, setting());
        case CompareFigure::Position:
            return compare_position_chart(*study_, setting());
    }
    return {};
}

QString CompareView::figure_name() const {
    const QString only = setting() >= 0 ? "_" + setting_->currentText() : QString();
    switch (figure()) {
        case CompareFigure::Mass:
            return "compare_mass_" + family() + "_" + compare_parts_name(parts()) + only;
        case CompareFigure::Twins:
            return "compare_twins_" + statistic() + only;
        case CompareFigure::Nll:
            return "compare_nll" + only;
        case CompareFigure::Position:
            return "compare_position" + only;
    }
    return "compare";
}

QStringList CompareView::figure_parameters() const {
    if (!study_) return {};
    QStringList items = compare_source(*study_);
    if (setting() >= 0) items << "setting shown: " + setting_->currentText();
    switch (figure()) {
        case CompareFigure::Mass:
            items << "M(D) columns: " + family() << "heads: " + compare_parts_name(parts());
            break;
        case CompareFigure::Twins:
            items << "statistic: " + statistic();
            break;
        case CompareFigure::Nll:
            items << "values: the stored per-text mean NLL";
            break;
        case CompareFigure::Position:
            items << "values: each text's mean NLL by prediction-position bucket, mean over texts";
            break;
    }
    return items;
}

}  // namespace rs::ui
