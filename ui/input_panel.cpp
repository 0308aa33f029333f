// Input panel: editor + token view; tokenization of long texts is capped for the preview.
#include "ui/input_panel.h"

#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

#include "core/tokenizer.h"
#include "ui/run_cost.h"

namespace rs::ui {

namespace {
constexpr int kPreviewTokens = 2000;  // the token view shows at most this many tokens
}

InputPanel::InputPanel(QWidget* parent) : QWidget(parent) {
    editor_ = new QPlainTextEdit(this);
    editor_->setPlaceholderText(tr("Paste or load the text to run through the model…"));
    tokens_ = new QTextBrowser(this);
    tokens_->setOpenLinks(false);
    count_ = new QLabel(this);
    max_tokens_ = new QSpinBox(this);
    max_tokens_->setRange(2, 1 << 20);
    max_tokens_->setValue(kDefaultTraceTokens);
    max_tokens_->setPrefix(tr("max tokens "));
    auto* load = new QPushButton(tr("Load text file…"), this);
    auto* run = new QPushButton(tr("Run trace"), this);
    run->setDefault(true);
    run->setToolTip(
        tr("Run the text through the model with every attention head instrumented (Ctrl+R)"));
    timer_ = new QTimer(this);
    timer_->setSingleShot(true);
    timer_->setInterval(250);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(editor_);
    split->addWidget(tokens_);
    // The count gets a line of its own (and wraps): beside the buttons its text, which grows
    // with the input, would set the dock's minimum width and squeeze the views.
    count_->setWordWrap(true);
    count_->setToolTip(
        tr("Memory a trace of this many tokens needs, of what this machine can give it; the trace "
           "file's upper size; and the time predicted from rates measured when the checkpoint was "
           "opened. Run trace refuses a run that does not fit."));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(load);
    buttons->addStretch(1);
    buttons->addWidget(max_tokens_);
    buttons->addWidget(run);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(count_);
    layout->addLayout(buttons);

    connect(editor_, &QPlainTextEdit::textChanged, timer_, qOverload<>(&QTimer::start));
    connect(timer_, &QTimer::timeout, this, &InputPanel::retokenize);
    connect(load, &QPushButton::clicked, this, &InputPanel::load_file_requested);
    connect(run, &QPushButton::clicked, this, &InputPanel::run_requested);
    connect(max_tokens_, qOverload<int>(&QSpinBox::valueChanged), timer_,
            qOverload<>(&QTimer::start));
    retokenize();
}

void InputPanel::set_tokenizer(std::shared_ptr<const Tokenizer> tokenizer) {
    tokenizer_ = std::move(tokenizer);
    retokenize();
}

void InputPanel::set_cost_text(CostText cost) {
    cost_ = std::move(cost);
    retokenize();
}

QString InputPanel::count_text() const {
    return count_->text();
}

QString InputPanel::text() const {
    return editor_->toPlainText();
}
void InputPanel::set_text(const QString& text) {
    editor_->setPlainText(text);
}
int InputPanel::max_tokens() const {
    return max_tokens_->value();
}
void InputPanel::set_max_tokens(int n) {
    max_tokens_->setValue(n);
}

bool InputPanel::load_file(const QString& path, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error) *error = path + ": " + f.errorString();
        return false;
    }
    set_text(QString::fromUtf8(f.readAll()));
    return true;
}

void InputPanel::retokenize() {
    if (!tokenizer_) {
        count_->setText(tr("no tokenizer"));
        tokens_->setHtml(tr("<i>The open checkpoint has no tokenizer.json.</i>"));
        return;
    }
    const std::string text = editor_->toPlainText().toStdString();
    Encoding enc;
    try {
        enc = tokenizer_->encode(text, true);
    } catch (const std::exception& e) {
        count_->setText(tr("cannot tokenize"));
        tokens_->setPlainText(QString::fromStdString(e.what()));
        return;
    }
    const int n = int(enc.ids.size());
    QString count = n > max_tokens()
                        ? tr("%1 tokens (the run uses the first %2)").arg(n).arg(max_tokens())
                        : tr("%1 tokens").arg(n);
    if (cost_ && n >= 2) {
        const QString cost = cost_(std::min(n, max_tokens()));
        if (!cost.isEmpty()) count += " · " + cost;
    }
    count_->setText(count);
    QString html = "<div style='font-family: monospace; line-height: 160%'>";
    for (int i = 0; i < std::min(n, kPreviewTokens); ++i) {
        const QString shown =
            QString::fromStdString(tokenizer_->token_display(enc.ids[i])).toHtmlEscaped();
        const char* bg = (i % 2) ? "#dbe9f6" : "#f6e3c7";
        const char* border = i < max_tokens() ? "" : "color:#999;";
        html += QString("<span title='#%1 id %2' style='background:%3;%4'>%5</span>&#8203;")
                    .arg(i)
                    .arg(enc.ids[i])
                    .arg(bg)
                    .arg(border)
                    .arg(shown);
    }
    if (n > kPreviewTokens) html += tr(" … (%1 more)").arg(n - kPreviewTokens);
    tokens_->setHtml(html + "</div>");
}

}  // namespace rs::ui
