// Input panel: editor + token view; tokenization of long texts is capped for the preview.
#include "input_panel.h"

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

#include "tokenizer.h"
#include "run_cost.h"

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
    max_tokens_->setToolTip(
        tr("The GUI traces at most this many tokens of the text (default %1); ropescope-cli trace "
           "uses all of them unless given --max-tokens.")
            .arg(kDefaultTraceTokens));
    auto* load = new QPushButton(tr("Load text file…"), this);
    run_ = new QPushButton(tr("Run trace"), this);
    run_->setDefault(true);
    run_->setToolTip(
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
    count_help_ =
        tr("Memory a trace of this many tokens needs, of what this machine can give it; the trace "
           "file's upper size; and the time predicted from rates measured when the checkpoint was "
           "opened. Run trace refuses a run that does not fit.");
    count_->setToolTip(count_help_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(load);
    buttons->addStretch(1);
    buttons->addWidget(max_tokens_);
    buttons->addWidget(run_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(count_);
    layout->addLayout(buttons);

    connect(editor_, &QPlainTextEdit::textChanged, timer_, qOverload<>(&QTimer::start));
    connect(timer_, &QTimer::timeout, this, &InputPanel::retokenize);
    connect(load, &QPushButton::clicked, this, &InputPanel::load_file_requested);
    connect(run_, &QPushButton::clicked, this, &InputPanel::run_requested);
    // A new cap changes the count and cost, not the tokens: no re-tokenization, no delay.
    connect(max_tokens_, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        if (timer_->isActive()) return;  // the pending re-tokenization updates the count
        update_count();
    });
    retokenize();
}

void InputPanel::set_model(bool model_open, std::shared_ptr<const Tokenizer> tokenizer) {
    model_open_ = model_open;
    tokenizer_ = std::move(tokenizer);
    retokenize();
}

bool InputPanel::run_enabled() const {
    return run_->isEnabled();
}

void InputPanel::set_cost_text(CostText cost) {
    cost_ = std::move(cost);
    update_count();
}

QString InputPanel::count_tooltip() const {
    return count_->toolTip();
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
int InputPanel::run_tokens() {
    if (timer_->isActive()) {
        timer_->stop();
        retokenize();
    }
    return run_tokens_;
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
    run_tokens_ = 0;
    text_tokens_ = -1;
    run_->setEnabled(model_open_ && tokenizer_);
    if (!model_open_) {
        count_->setText(tr("no checkpoint open"));
        tokens_->setHtml(
            tr("<i>Open a checkpoint (File ▸ Open checkpoint…, Ctrl+O) to run text "
               "through its model.</i>"));
        return;
    }
    if (!tokenizer_) {
        count_->setText(tr("no tokenizer"));
        tokens_->setHtml(
            tr("<i>The open checkpoint has no tokenizer.json, so text cannot be "
               "run.</i>"));
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
    text_tokens_ = n;
    update_count();
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

void InputPanel::update_count() {
    if (text_tokens_ < 0) return;
    const int n = text_tokens_;
    run_tokens_ = std::min(n, max_tokens());
    const QString tokens = n == 1 ? tr("1 token") : tr("%1 tokens").arg(n);
    QString count = n > max_tokens()
                        ? tr("%1 (the run uses the first %2)").arg(tokens).arg(max_tokens())
                        : tokens;
    QString tooltip = count_help_;
    if (cost_ && n >= 2) {
        const CostLine cost = cost_(run_tokens_);
        if (!cost.text.isEmpty()) count += " · " + cost.text;
        if (!cost.notes.isEmpty()) tooltip += "\n\n" + cost.notes;
    }
    count_->setText(count);
    count_->setToolTip(tooltip);
}

}  // namespace rs::ui
