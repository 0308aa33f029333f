// Sub-command registry and argument parsing for ropescope-cli; each command lives in its own file
// and registers itself with a static Command::Register object.
#pragma once

#include <functional>
#include <initializer_list>
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

// The output file: `-o PATH` (kept as two positionals, since Args only knows --options) or `--out
// PATH`; throws UsageError with `hint` when neither is given.
std::string output_path(const Args& args, const std::string& hint);
// Same, but empty when no output file was given (commands that otherwise print to stdout).
std::string optional_output_path(const Args& args);
// The positionals other than the `-o PATH` pair (a command's folders or files).
std::vector<std::string> operands(const Args& args);

// Prints each of a trace's warnings (data usable but suspicious) to stderr as
// "ropescope-cli <command>: warning: <text>", after the command's output.
void print_warnings(const std::string& command, const std::vector<std::string>& warnings);

// One option of a command. Its table entry is the only place the option is declared: the table
// gives Args the flags, main() the allowed options, and --help and the usage line their text.
struct Option {
    std::string name;   // without the leading "--"
    std::string value;  // the value's grammar for usage and help ("N", "0.5,1,2"); empty: a flag
    std::string help;   // one line for --help
    // Options sharing a group are alternatives, shown together: "(--a X | --b Y)" when one of them
    // is required, "[--a X | --b Y]" otherwise.
    std::string group = {};
    bool required = false;
    bool takes_value() const { return !value.empty(); }
};

// Options several commands share, to append to a table (functions: the tables are built during
// static initialisation, in other files).
const std::vector<Option>& checkpoint_options();  // --variant, --ignore-config-key
const std::vector<Option>& input_options();       // the model input (text_input.h)
const std::vector<Option>& quiet_option();        // --quiet
std::vector<Option> join_options(std::initializer_list<std::vector<Option>> parts);

struct Command {
    std::string name;
    std::string operands;  // the positionals of the usage line: "DIR", "[run.h5 | DIR]", or ""
    std::string summary;   // one sentence for `ropescope-cli help`
    std::vector<Option> options;  // every option the command reads, except --json (all take it)
    std::function<int(const Args&)> run;

    std::vector<std::string> flags() const;    // value-less options, --json included
    std::vector<std::string> allowed() const;  // every option name, --json included
    std::string usage() const;  // one line: "info DIR [--variant rope|eh|ec] [--json]"
    std::string help() const;   // usage, summary and one line per option

    static std::map<std::string, Command>& registry();
    struct Register {
        explicit Register(Command c);
    };
};

}  // namespace rs::cli
