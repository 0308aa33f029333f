// Helpers of the study tests: small token-id corpora for the fixture checkpoints, and a
// dataset-by-dataset comparison of two HDF5 files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rs::test {

// A token-id windows file (the format of sample_data/validation_ids.json) with `windows` windows
// of `length` ids below 97 (the fixtures' vocabulary), different per window.
void write_ids_corpus(const std::filesystem::path& p, int windows, int length);

// Names of the numeric datasets whose raw values differ between the two files (and of those only
// one has); empty when every number is bit-identical.
std::vector<std::string> differing_datasets(const std::filesystem::path& a, const std::filesystem::path& b);

// Every numeric dataset of the file, by path (for tests that want one).
std::vector<std::string> numeric_datasets(const std::filesystem::path& p);

}  // namespace rs::test
