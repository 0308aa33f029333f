// Sub-command registry and argument parsing for ropescope-cli; each command lives in its own file
// and registers itself with a static Command::Register object.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rs::cli {

// Parsed command line: positionals plus --key value options and --flag switches.
class Args {
public:
    // `flags` names the options that take no value (e.g. "json"); all other --x take one value.
    Args(int argc, char** argv, const std::vector<std::string>& flags);

    const std::vector<std::string>& positional() const { return positional_; }
    std::string positional(std::size_t i, const std::string& what) const;  // throws UsageError
    bool flag(const std::string& name) const;
    std::optional<std::string> get(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
    double get_double(const std::string& name, double fallback) const;
    long get_int(const std::string& name, long fallback) const;
    // Throws UsageError for any option not in `known` (flags included).
    void allow_only(const std::vector<std::string>& known) const;

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> flags_set_;
};

// Parses "0.5,1,2" for --<option> (core/io/number_list.h); throws UsageError naming the option on
// anything else, or on negative values when non_negative.
std::vector<double> parse_number_list(const std::string& text, const std::string& option, bool non_negative = true);

// The output file: `-o PATH` (kept as two positionals, since Args only knows --options) or `--out PATH`;
// throws UsageError with `hint` when neither is given.
std::string output_path(const Args& args, const std::string& hint);
// Same, but empty when no output file was given (commands that otherwise print to stdout).
std::string optional_output_path(const Args& args);

// Prints each of a trace's warnings (data usable but suspicious) to stderr as
// "ropescope-cli <command>: warning: <text>", after the command's output.
void print_warnings(const std::string& command, const std::vector<std::string>& warnings);

struct Command {
    std::string name;
    std::string usage;    // one line: "info DIR [--json] [--variant rope|eh|ec]"
    std::string summary;  // one sentence for `ropescope-cli help`
    std::vector<std::string> flags;  // value-less options this command accepts
    std::function<int(const Args&)> run;

    static std::map<std::string, Command>& registry();
    struct Register {
        explicit Register(Command c);
    };
};

}  // namespace rs::cli
