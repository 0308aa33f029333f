// Implementation of the shared test helpers.
#include "tests/test_util.h"

#include "checkpoint.h"
#include "error.h"
#include "safetensors.h"
#include "trace_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace rs::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto p = fs::temp_directory_path() / ("ropescope-test-" + std::to_string(rd()));
        if (fs::create_directory(p)) {
            path_ = p;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void write_file(const fs::path& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + p.string());
}

std::string read_file(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

static std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

CliResult run_cli(const std::vector<std::string>& args) {
    TempDir tmp;
    std::string cmd = shell_quote(ROPESCOPE_CLI);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " >" + shell_quote((tmp / "out").string()) + " 2>" + shell_quote((tmp / "err").string());
    int status = std::system(cmd.c_str());
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return {code, read_file(tmp / "out"), read_file(tmp / "err")};
}

void write_safetensors_raw(const fs::path& p, const std::string& header, const std::string& data) {
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[i] = char((n >> (8 * i)) & 0xff);
    write_file(p, out + header + data);
}

void write_safetensors(const fs::path& p, const std::vector<RawTensor>& tensors) {
    std::string header = "{", data;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = tensors[i];
        std::string shape;
        for (std::size_t k = 0; k < t.shape.size(); ++k) shape += (k ? "," : "") + std::to_string(t.shape[k]);
        header += (i ? "," : "") + std::string("\"") + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + shape +
                  "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
                  std::to_string(data.size() + t.bytes.size()) + "]}";
        data += t.bytes;
    }
    header += "}";
    write_safetensors_raw(p, header, data);
}

void copy_fixture(const std::string& name, const fs::path& dst) {
    fs::create_directories(dst);
    fs::copy(fixture_dir(name), dst, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::vector<float> tensor_floats(const TensorView& t) {
    std::vector<float> v(std::size_t(t.numel()));
    convert_to_f32(t.dtype, t.bytes, v);
    return v;
}

std::vector<std::int32_t> tensor_ids(const TensorView& t) {
    if (t.dtype != DType::I64) throw std::runtime_error(t.name + " is not I64");
    std::vector<std::int32_t> ids;
    for (std::int64_t i = 0; i < t.numel(); ++i) {
        std::int64_t v;
        std::memcpy(&v, t.bytes.data() + 8 * i, 8);
        ids.push_back(static_cast<std::int32_t>(v));
    }
    return ids;
}

GoldenFixture load_golden_fixture(const std::string& name) {
    const auto dir = fixture_dir(name);
    GoldenFixture f;
    f.checkpoint = std::make_shared<const Checkpoint>(Checkpoint::open(dir.string()));
    f.expected = std::make_shared<const SafetensorsFile>((dir / "expected.safetensors").string());
    f.ids = tensor_ids(f.expected->tensor("input_ids"));
    return f;
}

std::vector<std::string> golden_fixture_names() {
    std::ifstream f(fixture_dir("fixtures.json"));
    std::vector<std::string> names;
    for (const auto& e : nlohmann::json::parse(f)) {
        const auto name = e["name"].get<std::string>();
        const auto& refused = fixtures_refused_for_now();
        if (std::find(refused.begin(), refused.end(), name) == refused.end()) names.push_back(name);
    }
    return names;
}

const std::vector<std::string>& fixtures_refused_for_now() {
    // Every reference fixture runs today; a family whose reference exists before RoPEScope
    // computes it is listed here (and its refusal checked) until it does.
    static const std::vector<std::string> names = {};
    return names;
}

fs::path source_dir() { return fs::path(ROPESCOPE_SOURCE_DIR); }
fs::path fixture_dir(const std::string& name) { return source_dir() / "tests" / "fixtures" / name; }

std::shared_ptr<const Checkpoint> open_fixture(const std::string& name) {
    return std::make_shared<const Checkpoint>(Checkpoint::open(fixture_dir(name).string()));
}

std::string trace_open_error(const fs::path& p) {
    try {
        TraceReader::open(p.string());
    } catch (const FileError& e) {
        EXPECT_EQ(e.path(), p.string());
        return e.what();
    }
    return "";
}

}  // namespace rs::test
