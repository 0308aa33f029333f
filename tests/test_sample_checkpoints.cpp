// The bundled trained samples: RoPEScope's own tokenizer and forward pass reproduce the training
// script's validation loss (sample_data/validation.json, computed in PyTorch) to 1e-3.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "model.h"
#include "tokenizer.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

nlohmann::json read_json(const std::string& rel) {
    std::ifstream f(test::source_dir() / rel);
    return nlohmann::json::parse(f);
}

class SampleCheckpoint : public ::testing::TestWithParam<std::string> {};

TEST_P(SampleCheckpoint, ReproducesTheTrainingScriptsValidationLoss) {
    const auto windows = read_json("sample_data/validation_ids.json");
    const auto expected = read_json("sample_data/validation.json")["variants"][GetParam()];
    auto ck = std::make_shared<const Checkpoint>(
        Checkpoint::open((test::source_dir() / "sample_data" / GetParam()).string()));
    Model model(ck);
    // Three windows keep CI fast; sample_data/check_cpp.py compares all 38.
    for (int w : {0, 17, 37}) {
        const auto ids = windows["windows"][w].get<std::vector<std::int32_t>>();
        ASSERT_EQ(ids.size(), 512u);
        const double want = expected["per_window_mean_nll"][w].get<double>();
        EXPECT_NEAR(model.forward(ids).mean_nll(), want, 1e-3) << GetParam() << " window " << w;
    }
}

TEST_P(SampleCheckpoint, OwnTokenizerGivesTheValidationIds) {
    const auto windows = read_json("sample_data/validation_ids.json");
    const Tokenizer tok = Tokenizer::load((test::source_dir() / "sample_data" / GetParam()).string());
    const auto ids = tok.encode(test::read_file(test::source_dir() / "sample_data/validation.txt"), false).ids;
    const auto first = windows["windows"][0].get<std::vector<std::int32_t>>();
    ASSERT_GE(ids.size(), 511u);
    EXPECT_EQ(first[0], windows["bos_id"].get<int>());
    EXPECT_TRUE(std::equal(first.begin() + 1, first.end(), ids.begin()));
}

INSTANTIATE_TEST_SUITE_P(Variants, SampleCheckpoint, ::testing::Values("rope", "rope_pp_eh", "rope_pp_ec"));

}  // namespace
