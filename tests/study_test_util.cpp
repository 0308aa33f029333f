// Study test helpers: corpora and raw HDF5 comparison through the HDF5 C API.
#include "tests/study_test_util.h"

#include <hdf5.h>

#include <cstring>
#include <map>
#include <stdexcept>

#include "tests/test_util.h"

namespace rs::test {

void write_ids_corpus(const std::filesystem::path& p, int windows, int length) {
    std::string s = "{\"description\":\"test windows\",\"window_length\":" + std::to_string(length) +
                    ",\"windows\":[";
    for (int w = 0; w < windows; ++w) {
        s += w ? ",[" : "[";
        for (int t = 0; t < length; ++t) s += (t ? "," : "") + std::to_string((t * 37 + w * 11 + 5) % 97);
        s += "]";
    }
    write_file(p, s + "]}");
}

namespace {

herr_t collect(hid_t, const char* name, const H5O_info_t* info, void* out) {
    if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
}

// Raw bytes of a numeric dataset in its native memory type; empty optional-like flag for strings.
bool raw(hid_t file, const std::string& name, std::string& bytes) {
    const hid_t d = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
    const hid_t t = H5Dget_type(d);
    const bool numeric = H5Tget_class(t) == H5T_INTEGER || H5Tget_class(t) == H5T_FLOAT;
    if (numeric) {
        const hid_t mt = H5Tget_native_type(t, H5T_DIR_ASCEND);
        const hid_t sp = H5Dget_space(d);
        const auto n = H5Sget_simple_extent_npoints(sp);
        bytes.assign(std::size_t(n) * H5Tget_size(mt), '\0');
        if (n > 0) H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
        H5Sclose(sp);
        H5Tclose(mt);
    }
    H5Tclose(t);
    H5Dclose(d);
    return numeric;
}

std::map<std::string, std::string> numbers(const std::filesystem::path& p) {
    const hid_t f = H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) throw std::runtime_error("cannot open " + p.string());
    std::vector<std::string> names;
    H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, collect, &names);
    std::map<std::string, std::string> out;
    for (const auto& n : names) {
        std::string bytes;
        if (raw(f, n, bytes)) out[n] = bytes;
    }
    H5Fclose(f);
    return out;
}

}  // namespace

std::vector<std::string> numeric_datasets(const std::filesystem::path& p) {
    std::vector<std::string> out;
    for (const auto& [k, _] : numbers(p)) out.push_back(k);
    return out;
}

std::vector<std::string> differing_datasets(const std::filesystem::path& a, const std::filesystem::path& b) {
    const auto na = numbers(a), nb = numbers(b);
    std::vector<std::string> out;
    for (const auto& [k, v] : na)
        if (!nb.count(k) || nb.at(k) != v) out.push_back(k);
    for (const auto& [k, _] : nb)
        if (!na.count(k)) out.push_back(k);
    return out;
}

}  // namespace rs::test
