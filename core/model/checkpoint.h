// A Hugging Face checkpoint folder: config.json + safetensors weights (single file or sharded with
// model.safetensors.index.json), validated against the config before any weight is touched.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "head_layout.h"
#include "model_config.h"
#include "safetensors.h"

namespace rs {

struct CheckpointOptions {
    std::optional<Variant> variant;  // overrides rope_config and shape inference
    ConfigReadOptions config;        // config keys the user chose to run without
};

class Checkpoint {
  public:
    // Throws FileError naming the offending file for anything missing, malformed or inconsistent.
    static Checkpoint open(const std::string& dir, const CheckpointOptions& options = {});

    const std::string& dir() const { return dir_; }
    const ModelConfig& config() const { return config_; }
    const HeadLayout& layout() const { return layout_; }
    Variant variant() const { return layout_.variant; }
    // How the variant was decided: "rope_config", "tensor shapes" or "override".
    const std::string& variant_source() const { return variant_source_; }

    bool has(const std::string& name) const { return index_.count(name) != 0; }
    // Throws FileError if absent, or if a BF16/F16/F32 tensor holds a NaN or an infinity: the
    // values are scanned on first access (not on open, so `info` on a 100 GB checkpoint stays
    // instant), i.e. when a model loads the weight. Thread-safe.
    const TensorView& tensor(const std::string& name) const;
    long parameter_count() const;
    std::string weight_dtype() const;  // dtype of the embedding matrix, e.g. "BF16"
    std::vector<std::string> files() const;
    std::uint64_t mapped_bytes()
        const;  // all weight files, memory-mapped (page cache, reclaimable)

  private:
    void index_file(std::shared_ptr<SafetensorsFile> f);
    void check_tensors() const;

    std::string dir_;
    ModelConfig config_;
    HeadLayout layout_;
    std::string variant_source_;
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::map<std::string, const TensorView*> index_;
    // Names of tensors whose values were found finite; shared by copies of this Checkpoint.
    struct FiniteChecked {
        std::mutex mutex;
        std::set<std::string> names;
    };
    std::shared_ptr<FiniteChecked> finite_ = std::make_shared<FiniteChecked>();
};

// Shard file names listed by model.safetensors.index.json `text` (each a plain name inside the
// folder, in first-seen order); throws FileError(where, reason). Public for fuzzing.
std::vector<std::string> parse_safetensors_index(const std::string& text, const std::string& where);

// Names and shapes every Llama checkpoint of this config/layout must contain.
std::vector<std::pair<std::string, std::vector<std::int64_t>>> expected_tensors(
    const ModelConfig& c, const HeadLayout& l);

}  // namespace rs
