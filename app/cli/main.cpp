// ropescope-cli entry point: dispatches to a registered command and turns core errors into
// one line on stderr and a non-zero exit.
#include <cstdio>
#include <iostream>

#include "app/cli/command.h"
#include "error.h"

namespace {

void print_help() {
    std::cout << "RoPEScope " ROPESCOPE_VERSION
                 " - real vs imaginary attention in RoPE / RoPE++ checkpoints\n\n"
                 "usage: ropescope-cli COMMAND ...   (every command accepts --json)\n\n";
    for (const auto& [name, c] : rs::cli::Command::registry())
        std::cout << "  " << c.usage() << "\n      " << c.summary << "\n";
}

// `ropescope-cli CMD --help` (or -h): the command's usage, what it does and its options, on stdout.
void print_command_help(const rs::cli::Command& c) { std::cout << c.help(); }

bool asks_for_help(int argc, char** argv) {
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help" || a == "-h") return true;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "help" || std::string(argv[1]) == "--help") {
        print_help();
        return argc < 2 ? 2 : 0;
    }
    if (std::string(argv[1]) == "--version") {
        std::cout << "ropescope-cli " ROPESCOPE_VERSION "\n";
        return 0;
    }
    auto& reg = rs::cli::Command::registry();
    auto it = reg.find(argv[1]);
    if (it == reg.end()) {
        std::cerr << "ropescope-cli: unknown command '" << argv[1] << "' (try: ropescope-cli help)\n";
        return 2;
    }
    const auto& cmd = it->second;
    if (asks_for_help(argc, argv)) {
        print_command_help(cmd);
        return 0;
    }
    try {
        // Every option is checked against the command's table before the command starts.
        rs::cli::Args args(argc - 2, argv + 2, cmd.flags());
        args.allow_only(cmd.allowed());
        return cmd.run(args);
    } catch (const rs::Cancelled&) {
        std::cerr << "ropescope-cli " << cmd.name << ": cancelled\n";
        return 130;
    } catch (const rs::UsageError& e) {
        std::cerr << "ropescope-cli " << cmd.name << ": " << e.what() << "\nusage: ropescope-cli "
                  << cmd.usage() << "\n";
        return 2;
    } catch (const rs::Error& e) {
        std::cerr << "ropescope-cli " << cmd.name << ": error: " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "ropescope-cli " << cmd.name << ": error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "ropescope-cli " << cmd.name << ": internal error: " << e.what() << "\n";
        return 3;
    }
}
