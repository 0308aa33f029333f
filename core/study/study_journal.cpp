// Journal folder: study.json (which study) and unit-NNNNNNNN.json files.
#include "study_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "error.h"
#include "json_depth.h"

namespace rs {

namespace fs = std::filesystem;

namespace {

constexpr const char* kHead = "study.json";

// Writes `text` to dir/name via dir/.name.tmp, flushed to disk before the rename.
void write_atomically(const fs::path& dir, const std::string& name, const std::string& text) {
    const fs::path tmp = dir / ("." + name + ".tmp"), dst = dir / name;
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw FileError(tmp.string(), std::string("cannot create: ") + std::strerror(errno));
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < text.size()) {
        const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
        if (w < 0 && errno == EINTR) continue;
        ok = w > 0;
        if (ok) done += std::size_t(w);
    }
    const int err = errno;
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), dst.c_str()) != 0) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw FileError(dst.string(), std::string("cannot write: ") + std::strerror(err ? err : errno));
    }
}

std::string read_text(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw FileError(p.string(), "cannot open for reading");
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

nlohmann::json parse(const fs::path& p) {
    const std::string text = read_text(p);
    if (!json_depth_within(text)) throw FileError(p.string(), "JSON nested too deeply");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw FileError(p.string(), std::string("damaged journal entry (") + e.what() + ")");
    }
}

std::string unit_name(long index) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "unit-%08ld.json", index);
    return buf;
}

}  // namespace

StudyJournal::StudyJournal(std::string dir, const StudyHeader& header, const std::string& shard)
    : dir_(std::move(dir)), header_(header), id_(header.id()) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw FileError(dir_, "cannot create the study journal: " + ec.message());
    const nlohmann::json head{{"study_id", id_}, {"shard", shard}, {"identity", header.identity()}};
    const fs::path p = fs::path(dir_) / kHead;
    if (!fs::exists(p)) {
        write_atomically(dir_, kHead, head.dump(1) + "\n");
        return;
    }
    const auto j = parse(p);
    if (j != head)
        throw FileError(dir_, "holds the journal of another study or shard (" +
                                  j.value("identity", std::string("?")) +
                                  "); remove the folder or write the study to another file");
}

std::map<long, UnitResult> StudyJournal::load() const {
    std::map<long, UnitResult> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("unit-", 0) != 0 || e.path().extension() != ".json") continue;
        const auto j = parse(e.path());
        const auto bad = [&](const std::string& why) { return FileError(e.path().string(), why); };
        if (!j.is_object() || j.value("study_id", std::string()) != id_) throw bad("not a unit of this study");
        if (!j.contains("unit") || !j["unit"].is_number_integer()) throw bad("no unit index");
        UnitResult u;
        u.index = j["unit"].get<long>();
        if (u.index < 0 || u.index >= header_.units() || name != unit_name(u.index)) throw bad("wrong unit index");
        if (!j.contains("values") || !j["values"].is_array()) throw bad("no values");
        const auto per = header_.values_per_unit(unit_key(header_, u.index).checkpoint);
        if (j["values"].size() != per) throw bad("wrong number of values");
        const auto number = [&](const nlohmann::json& v) {
            if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
            if (!v.is_number()) throw bad("a value is not a number");
            return v.get<double>();
        };
        u.nll = number(j.value("nll", nlohmann::json()));
        for (const auto& v : j["values"]) u.values.push_back(number(v));
        if (!header_.nll_position_edges.empty()) {
            const auto& p = j.value("nll_by_position", nlohmann::json());
            if (!p.is_array() || p.size() + 1 != header_.nll_position_edges.size())
                throw bad("no nll_by_position of " + std::to_string(header_.nll_position_edges.size() - 1) + " buckets");
            for (const auto& v : p) u.nll_by_position.push_back(number(v));
        }
        out.emplace(u.index, std::move(u));
    }
    return out;
}

void StudyJournal::commit(const UnitResult& u) const {
    nlohmann::json values = nlohmann::json::array();
    for (double v : u.values) values.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
    nlohmann::json by_position = nlohmann::json::array();
    for (double v : u.nll_by_position) by_position.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
    const nlohmann::json j{{"study_id", id_},
                           {"unit", u.index},
                           {"nll", std::isnan(u.nll) ? nlohmann::json() : nlohmann::json(u.nll)},
                           {"nll_by_position", by_position},
                           {"values", values}};
    write_atomically(dir_, unit_name(u.index), j.dump() + "\n");
}

void StudyJournal::remove() const {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

}  // namespace rs
