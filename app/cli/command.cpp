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

std::string output_path(const Args& args, const std::string& hint) {
    std::string out = optional_output_path(args);
    if (out.empty()) throw UsageError(hint);
    return out;
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
