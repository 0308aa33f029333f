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

    void set_tokenizer(std::shared_ptr<const Tokenizer> tokenizer);  // null: no text input possible
    // Text shown after the token count for a run of `tokens` tokens (the run's cost); empty: none.
    using CostText = std::function<QString(int tokens)>;
    void set_cost_text(CostText cost);
    QString count_text() const;  // the line under the editor: token count and cost
    QString text() const;
    void set_text(const QString& text);
    int max_tokens() const;
    void set_max_tokens(int n);
    // Loads a UTF-8 text file into the editor; returns false (and leaves the editor) if unreadable.
    bool load_file(const QString& path, QString* error);

signals:
    void run_requested();
    void load_file_requested();

private:
    void retokenize();

    std::shared_ptr<const Tokenizer> tokenizer_;
    CostText cost_;
    QPlainTextEdit* editor_;
    QTextBrowser* tokens_;
    QLabel* count_;
    QSpinBox* max_tokens_;
    QTimer* timer_;
};

}  // namespace rs::ui
