// Issue 15, item 3: one Model shared by runs on several threads, as the GUI's jobs share it when
// a run is superseded (Ctrl+R, then Ctrl+N before the trace is done). Meaningful under TSan too.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "error.h"
#include "model.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

std::shared_ptr<const Checkpoint> sharded_fixture() {
    return std::make_shared<const Checkpoint>(
        Checkpoint::open(test::fixture_dir("rope_pp_ec_bf16_sharded").string()));
}

std::vector<std::int32_t> some_ids(int n) {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * 37 + 11) % 97);
    return ids;
}

// A superseded run keeps going until it next polls its progress; meanwhile the next run streams
// the same layers. Both must read weights nobody else writes, and the next run's result must be
// the one a run alone gives, bit for bit.
void superseded_run_and_next_share_the_model(bool resident) {
    const auto ck = sharded_fixture();
    const Model model(ck, resident);
    const auto ids = some_ids(48);
    const std::vector<float> alone = model.forward(ids).nll;

    std::atomic<bool> superseded{false};
    std::atomic<int> first_runs{0};
    bool first_cancelled = false;
    std::thread first([&] {
        ForwardOptions opt;
        opt.progress = [&](long, long) { return !superseded.load(); };
        try {
            for (;; ++first_runs) model.forward(ids, opt);  // until the next run supersedes it
        } catch (const Cancelled&) {
            first_cancelled = true;
        }
    });
    while (first_runs.load() == 0) std::this_thread::yield();  // the first run is inside the model
    std::vector<std::vector<float>> next;
    for (int r = 0; r < 20; ++r) next.push_back(model.forward(ids).nll);
    superseded = true;
    first.join();

    EXPECT_TRUE(first_cancelled);
    for (const auto& nll : next) {
        ASSERT_EQ(nll.size(), alone.size());
        EXPECT_EQ(0, std::memcmp(nll.data(), alone.data(), sizeof(float) * alone.size()));
    }
}

TEST(ModelConcurrency, StreamingRunsSupersededOnOneModelDoNotShareState) {
    superseded_run_and_next_share_the_model(false);
}

TEST(ModelConcurrency, ResidentRunsSupersededOnOneModelDoNotShareState) {
    superseded_run_and_next_share_the_model(true);
}

}  // namespace
