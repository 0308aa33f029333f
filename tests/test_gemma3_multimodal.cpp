// Multimodal Gemma 3 checkpoints (model_type gemma3): the language model is run from text_config
// and the tensors under its prefix, exactly as the text-only checkpoint of the same weights runs.
// The checkpoints are made here from the gemma3_text_f32 fixture (itself checked against the
// PyTorch reference): its config wrapped as text_config, its tensors renamed as the Hub publishes
// them (language_model.model.*) or as transformers 5 saves them (model.language_model.*), plus a
// vision-tower tensor that must be left unread.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>

#include "checkpoint.h"
#include "error.h"
#include "model.h"
#include "safetensors.h"
#include "tests/test_util.h"

using namespace rs;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A tensor of a written file under another (or the same) name, its bytes copied.
test::RawTensor raw_tensor(const std::string& name, const TensorView& t) {
    return {name, dtype_name(t.dtype), t.shape,
            std::string(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size())};
}

// The fixture's tensors under `rename(name)`, plus one vision tensor, written to `dir` with a
// gemma3 config wrapping the fixture's. `untied`: an lm_head tensor (a copy of the embedding, so
// the logits stay the same) under `rename("lm_head.weight")`, and tie_word_embeddings false.
void write_multimodal(const fs::path& dir,
                      const std::function<std::string(const std::string&)>& rename,
                      bool untied = false) {
    fs::create_directories(dir);
    const fs::path src = test::fixture_dir("gemma3_text_f32");
    json top = {{"architectures", {"Gemma3ForConditionalGeneration"}},
                {"model_type", "gemma3"},
                {"text_config", json::parse(test::read_file(src / "config.json"))},
                {"vision_config", {{"model_type", "siglip_vision_model"}}},
                {"image_token_index", 96}};
    if (untied) top["text_config"]["tie_word_embeddings"] = false;
    test::write_file(dir / "config.json", top.dump(2));
    SafetensorsFile weights((src / "model.safetensors").string());
    std::vector<test::RawTensor> out;
    for (const auto& [name, t] : weights.tensors()) {
        out.push_back(raw_tensor(rename(name), t));
        if (untied && name == "model.embed_tokens.weight")
            out.push_back(raw_tensor(rename("lm_head.weight"), t));
    }
    const float vision[4] = {1, 2, 3, 4};
    out.push_back({"vision_tower.vision_model.post_layernorm.weight",
                   "F32",
                   {4},
                   std::string(reinterpret_cast<const char*>(vision), sizeof vision)});
    test::write_safetensors(dir / "model.safetensors", out);
}

ForwardResult run(const std::string& dir) {
    const auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(dir));
    std::vector<std::int32_t> ids;
    for (int i = 0; i < 40; ++i) ids.push_back((i * 37 + 11) % 97);
    ForwardOptions opt;
    opt.keep_logits = true;
    return Model(ck).forward(ids, opt);
}

void expect_same(const ForwardResult& a, const ForwardResult& b) {
    ASSERT_EQ(a.logits.size(), b.logits.size());
    EXPECT_EQ(0, std::memcmp(a.logits.data(), b.logits.data(), sizeof(float) * a.logits.size()));
    ASSERT_EQ(a.nll, b.nll);
}

}  // namespace

TEST(Gemma3Multimodal, RunsItsLanguageModelExactlyAsTheTextCheckpoint) {
    const auto text = run(test::fixture_dir("gemma3_text_f32").string());
    test::TempDir tmp;
    // As published on the Hub: language_model.model.* and language_model.lm_head.weight.
    const auto hub = [](const std::string& n) { return "language_model." + n; };
    // As transformers 5 saves it: model.language_model.*, lm_head.weight unprefixed.
    const auto v5 = [](const std::string& n) {
        return n.rfind("model.", 0) == 0 ? "model.language_model." + n.substr(6) : n;
    };
    write_multimodal(tmp / "hub", hub);
    write_multimodal(tmp / "hub_untied", hub, true);
    write_multimodal(tmp / "v5", v5);
    write_multimodal(tmp / "v5_untied", v5, true);
    for (const char* dir : {"hub", "hub_untied", "v5", "v5_untied"}) {
        SCOPED_TRACE(dir);
        expect_same(run((tmp / dir).string()), text);
    }
}

TEST(Gemma3Multimodal, ATensorUnderBothNamesIsRefused) {
    test::TempDir tmp;
    const fs::path dir = tmp / "both";
    write_multimodal(dir, [](const std::string& n) { return "language_model." + n; });
    // The same norm once more under the text model's own name: two tensors for one weight.
    SafetensorsFile written((dir / "model.safetensors").string());
    std::vector<test::RawTensor> out;
    for (const auto& [name, t] : written.tensors()) {
        out.push_back(raw_tensor(name, t));
        if (name == "language_model.model.norm.weight")
            out.push_back(raw_tensor("model.norm.weight", t));
    }
    test::write_safetensors(dir / "model.safetensors", out);
    try {
        Checkpoint::open(dir.string());
        FAIL() << "opened";
    } catch (const FileError& e) {
        EXPECT_NE(std::string(e.what()).find("tensor 'model.norm.weight' also appears in"),
                  std::string::npos)
            << e.what();
    }
}
