// The text to run: an editor, file loading, a live token count and a token view that shows every
// token with visible whitespace (re-tokenized on a short timer after each edit, not per keystroke),
// and next to the count what a run of that many tokens will cost.
#pragma once

#include <QWidget>
#include <functional>
#include <memory>

class QLabel;
class QPlainTextEdit;
class QTextBrowser;
class QPushButton;
class QTimer;
class QSpinBox;

namespace rs {
class Tokenizer;
}

namespace rs::ui {

class InputPanel : public QWidget {
    Q_OBJECT
public:
    explicit InputPanel(QWidget* parent = nullptr);

    // What the open checkpoint offers: `model_open` false (no checkpoint, e.g. only a trace open)
    // or a null tokenizer disables Run trace and says why.
    void set_model(bool model_open, std::shared_ptr<const Tokenizer> tokenizer);
    // Text shown after the token count for a run of `tokens` tokens (the run's cost; empty: none)
    // and the notes that go with it, added to the line's tooltip.
    struct CostLine {
        QString text;
        QString notes;
    };
    using CostText = std::function<CostLine(int tokens)>;
    void set_cost_text(CostText cost);
    QString count_text() const;  // the line under the editor: token count and cost
    QString count_tooltip() const;  // what the cost means, and the run's notes
    bool run_enabled() const;
    QString text() const;
    void set_text(const QString& text);
    int max_tokens() const;
    // Tokens a run of the current text would use (the count capped at max tokens), up to date
    // even while the delayed re-tokenization is pending; 0 without a tokenizer.
    int run_tokens();
    void set_max_tokens(int n);
    // Loads a UTF-8 text file into the editor; returns false (and leaves the editor) if unreadable.
    bool load_file(const QString& path, QString* error);

signals:
    void run_requested();
    void load_file_requested();

private:
    void retokenize();
    void update_count();  // count and cost line for the current text and max tokens

    std::shared_ptr<const Tokenizer> tokenizer_;
    bool model_open_ = false;
    int text_tokens_ = -1;  // tokens of the current text; -1 when it cannot be tokenized
    CostText cost_;
    QString count_help_;  // the count line's tooltip before any notes
    QPlainTextEdit* editor_;
    QTextBrowser* tokens_;
    QLabel* count_;
    QSpinBox* max_tokens_;
    QPushButton* run_;
    QTimer* timer_;
    int run_tokens_ = 0;
};

}  // namespace rs::ui
