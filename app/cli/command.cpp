// Argument parsing shared by every ropescope-cli command.
#include "app/cli/command.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "error.h"
#include "number_list.h"

namespace rs::cli {

Args::Args(int argc, char** argv, const std::vector<std::string>& flags) {
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--", 0) != 0 || a == "--") {
            positional_.push_back(a);
            continue;
        }
        std::string key = a.substr(2);
        if (auto eq = key.find('='); eq != std::string::npos) {
            values_[key.substr(0, eq)] = key.substr(eq + 1);
        } else if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
            flags_set_.push_back(key);
        } else {
            if (i + 1 >= argc) throw UsageError("option --" + key + " needs a value");
            values_[key] = argv[++i];
        }
    }
}

std::string Args::positional(std::size_t i, const std::string& what) const {
    if (i >= positional_.size()) throw UsageError("missing argument: " + what);
    return positional_[i];
}

bool Args::flag(const std::string& name) const {
    return std::find(flags_set_.begin(), flags_set_.end(), name) != flags_set_.end();
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

double Args::get_double(const std::string& name, double fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    char* end = nullptr;
    double d = std::strtod(v->c_str(), &end);
    if (end == v->c_str() || *end) throw UsageError("--" + name + " expects a number, got '" + *v + "'");
    return d;
}

long Args::get_int(const std::string& name, long fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    char* end = nullptr;
    long d = std::strtol(v->c_str(), &end, 10);
    if (end == v->c_str() || *end) throw UsageError("--" + name + " expects an integer, got '" + *v + "'");
    return d;
}

void Args::allow_only(const std::vector<std::string>& known) const {
    auto ok = [&](const std::string& k) { return std::find(known.begin(), known.end(), k) != known.end(); };
    for (const auto& [k, _] : values_)
        if (!ok(k)) throw UsageError("unknown option --" + k);
    for (const auto& k : flags_set_)
        if (!ok(k)) throw UsageError("unknown option --" + k);
}

std::vector<double> parse_number_list(const std::string& text, const std::string& option, bool non_negative) {
    return rs::parse_number_list(text, "--" + option, non_negative ? kNonNegativeNumbers : NumberListBounds{});
}

std::string optional_output_path(const Args& args) {
    const auto& p = args.positional();
    for (std::size_t i = 0; i + 1 < p.size(); ++i)
        if (p[i] == "-o") return p[i + 1];
    return args.get_or("out", "");
}

std::vector<std::string> operands(const Args& args) {
    std::vector<std::string> out;
    const auto& p = args.positional();
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (p[i] == "-o") {
            ++i;
            continue;
        }
        out.push_back(p[i]);
    }
    return out;
}

std::string output_path(const Args& args, const std::string& hint) {
    std::string out = optional_output_path(args);
    if (out.empty()) throw UsageError(hint);
    return out;
}

const std::vector<Option>& checkpoint_options() {
    static const std::vector<Option> options{
        {"variant", "rope|eh|ec", "read the checkpoint as this RoPE variant"},
        {"ignore-config-key", "K,...", "do not apply these config.json keys (reported on stderr)"},
    };
    return options;
}

const std::vector<Option>& input_options() {
    static const std::vector<Option> options{
        {"text-file", "F", "the model input: a UTF-8 text file, tokenized", "input", true},
        {"text", "S", "the model input: this text, tokenized", "input", true},
        {"ids", "1,2,3", "the model input: these token ids", "input", true},
        {"ids-file", "F", "the model input: token ids separated by commas or whitespace", "input",
         true},
        {"max-tokens", "N", "use at most the first N tokens"},
        {"no-bos", "", "do not put the tokenizer's BOS token first"},
    };
    return options;
}

const std::vector<Option>& quiet_option() {
    static const std::vector<Option> options{
        {"quiet", "", "no progress or estimate lines on stderr"}};
    return options;
}

std::vector<Option> join_options(std::initializer_list<std::vector<Option>> parts) {
    std::vector<Option> out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

namespace {

Option json_option() { return {"json", "", "print the result as JSON on stdout"}; }

std::string option_text(const Option& o) {
    return "--" + o.name + (o.takes_value() ? " " + o.value : "");
}

}  // namespace

std::vector<std::string> Command::flags() const {
    std::vector<std::string> out{json_option().name};
    for (const auto& o : options)
        if (!o.takes_value()) out.push_back(o.name);
    return out;
}

std::vector<std::string> Command::allowed() const {
    std::vector<std::string> out{json_option().name};
    for (const auto& o : options) out.push_back(o.name);
    return out;
}

std::string Command::usage() const {
    std::string line = name + (operands.empty() ? "" : " " + operands);
    for (std::size_t i = 0; i < options.size();) {
        std::size_t end = i + 1;
        if (!options[i].group.empty())
            while (end < options.size() && options[end].group == options[i].group) ++end;
        std::string alternatives;
        for (std::size_t k = i; k < end; ++k)
            alternatives += (k > i ? " | " : "") + option_text(options[k]);
        line += options[i].required ? " (" + alternatives + ")" : " [" + alternatives + "]";
        i = end;
    }
    return line + " [--json]";
}

std::string Command::help() const {
    std::string text =
        "usage: ropescope-cli " + usage() + "\n\n" + summary + "\n\noptions:\n";
    std::vector<Option> all = options;
    all.push_back(json_option());
    for (const auto& o : all) {
        std::string head = "  " + option_text(o);
        if (head.size() < 28) head.resize(28, ' ');
        text += head + "  " + o.help + "\n";
    }
    return text;
}

std::map<std::string, Command>& Command::registry() {
    static std::map<std::string, Command> commands;
    return commands;
}

Command::Register::Register(Command c) { registry().emplace(c.name, std::move(c)); }

void print_warnings(const std::string& command, const std::vector<std::string>& warnings) {
    for (const auto& w : warnings)
        std::cerr << "ropescope-cli " << command << ": warning: " << w << "\n";
}

}  // namespace rs::cli
