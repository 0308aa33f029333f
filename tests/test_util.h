// Helpers shared by the C++ tests: temporary folders, writing raw files, running the CLI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rs {
struct TensorView;
class Checkpoint;
class SafetensorsFile;
}

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

// One tensor to write with write_safetensors: raw little-endian bytes.
struct RawTensor {
    std::string name;
    std::string dtype;  // "F32", "BF16", ...
    std::vector<std::int64_t> shape;
    std::string bytes;
};
// Writes a well-formed safetensors file (tensors laid out in the given order).
void write_safetensors(const std::filesystem::path& p, const std::vector<RawTensor>& tensors);
// Writes a file with an arbitrary header text and data buffer, for malformed-file tests.
void write_safetensors_raw(const std::filesystem::path& p, const std::string& header, const std::string& data);
// Copies a fixture checkpoint folder into `dst` (created), for tests that damage one file.
void copy_fixture(const std::string& name, const std::filesystem::path& dst);

// A safetensors tensor (F32/F16/BF16) as floats, and an I64 tensor as int32 token ids.
std::vector<float> tensor_floats(const TensorView& t);
std::vector<std::int32_t> tensor_ids(const TensorView& t);

// A golden fixture (tests/fixtures/<name>): its checkpoint, the reference outputs and input ids.
struct GoldenFixture {
    std::shared_ptr<const Checkpoint> checkpoint;
    std::shared_ptr<const SafetensorsFile> expected;  // expected.safetensors
    std::vector<std::int32_t> ids;
};
GoldenFixture load_golden_fixture(const std::string& name);
std::vector<std::string> golden_fixture_names();  // from tests/fixtures/fixtures.json
// Fixtures of families the reference computes but RoPEScope still refuses by name (not in
// golden_fixture_names; a test checks that each is refused).
const std::vector<std::string>& fixtures_refused_for_now();

// The FileError message of opening trace `p` (whose path() must be `p`), or "" when it opens.
std::string trace_open_error(const std::filesystem::path& p);

std::filesystem::path source_dir();
std::filesystem::path fixture_dir(const std::string& name);  // tests/fixtures/<name>
std::shared_ptr<const Checkpoint> open_fixture(const std::string& name);  // that checkpoint, opened

}  // namespace rs::test
