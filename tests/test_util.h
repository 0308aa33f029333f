// Helpers shared by the C++ tests: temporary folders, writing raw files, running the CLI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rs::test {

// A fresh directory under the system temp folder, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, const std::string& bytes);
std::string read_file(const std::filesystem::path& p);

struct CliResult {
    int exit_code;
    std::string out;
    std::string err;
};
// Runs the built ropescope-cli with `args` (shell-quoted here), capturing stdout and stderr.
CliResult run_cli(const std::vector<std::string>& args);

std::filesystem::path source_dir();
std::filesystem::path fixture_dir(const std::string& name);  // tests/fixtures/<name>

}  // namespace rs::test
