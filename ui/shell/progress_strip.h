// Status-bar strip for the running job: title, progress bar, ETA and a Cancel button.
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace rs::ui {

class JobRunner;

class ProgressStrip : public QWidget {
    Q_OBJECT
public:
    ProgressStrip(JobRunner* runner, QWidget* parent = nullptr);

private:
    void on_started(const QString& title);
    void on_progress(long done, long total, double eta);
    void on_ended();

    QLabel* title_;
    QProgressBar* bar_;
    QLabel* eta_;
    QPushButton* cancel_;
};

}  // namespace rs::ui
