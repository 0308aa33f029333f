// The perplexity protocols against brute force: every token the sliding protocol scores has the
// NLL of one direct forward pass over exactly its window, derived here from the definition
// (window W, stride S, the first window scoring all its tokens); length sweeps average full
// consecutive windows of each length.
#include <gtest/gtest.h>

#include <cmath>

#include "error.h"
#include "perplexity.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

std::shared_ptr<const Checkpoint> open(const std::string& name) {
    return test::open_fixture(name);
}

std::vector<std::int32_t> text_ids(int n) {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * 37 + 11) % 97);
    return ids;
}

// The window the definition gives the prediction of text token p (p >= 1): the first window
// [0, W) for p < W; else the window ending at the first W + k*S past p (at most T), W long.
std::pair<int, int> expected_window(int p, int T, int W, int S) {
    if (p < W) return {0, std::min(W, T)};
    int end = W;
    while (end <= p) end += S;
    end = std::min(end, T);
    return {end - W, end};
}

void expect_sliding_matches_brute_force(const std::string& fixture, int T, int W, int S) {
    Model model(open(fixture));
    const auto ids = text_ids(T);
    PositionNllOptions opt;
    opt.protocol = PplProtocol::Sliding;
    opt.context = W;
    opt.stride = S;
    const PositionNll r = nll_by_position(model, ids, opt);
    ASSERT_EQ(r.token_nll.size(), std::size_t(T - 1));
    double total = 0;
    long scored = 0;
    for (int p = 1; p < T; ++p) {
        const auto [b, e] = expected_window(p, T, W, S);
        if (p == b) {  // S == W: a window's first token has no context in it
            EXPECT_TRUE(std::isnan(r.token_nll.at(std::size_t(p - 1)))) << p;
            continue;
        }
        ++scored;
        const auto direct = model.forward(std::span(ids).subspan(b, e - b));
        const double want = direct.nll.at(std::size_t(p - b - 1));
        EXPECT_EQ(r.token_nll.at(std::size_t(p - 1)), want) << fixture << " token " << p << " window [" << b << ", " << e << ")";
        total += want;
    }
    EXPECT_EQ(r.scored, scored);
    EXPECT_NEAR(r.mean, total / double(scored), 1e-12);
}

TEST(PplSliding, EachScoredTokenHasTheNllOfItsOwnWindow) {
    expect_sliding_matches_brute_force("rope_pp_ec_f32", 70, 24, 8);  // last stride partial
    expect_sliding_matches_brute_force("rope_pp_ec_bf16_sharded", 33, 12, 1);
    expect_sliding_matches_brute_force("rope_pp_eh_f32", 64, 16, 16);  // stride = window
    expect_sliding_matches_brute_force("rope_f32", 41, 20, 5);
}

TEST(PplSliding, WindowsFollowTheDefinition) {
    PositionNllOptions opt;
    opt.protocol = PplProtocol::Sliding;
    opt.context = 10;
    opt.stride = 4;
    const auto w = ppl_windows(21, opt);
    ASSERT_EQ(w.size(), 4u);
    const int want[4][3] = {{0, 10, 1}, {4, 14, 10}, {8, 18, 14}, {11, 21, 18}};
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(w[i].begin, want[i][0]) << i;
        EXPECT_EQ(w[i].end, want[i][1]) << i;
        EXPECT_EQ(w[i].score_from, want[i][2]) << i;
    }
    // A text shorter than the window: one window over all of it, whatever the stride.
    const auto one = ppl_windows(7, opt);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].end, 7);
}

TEST(PplSliding, BadStrideIsRefused) {
    PositionNllOptions opt;
    opt.protocol = PplProtocol::Sliding;
    opt.context = 10;
    for (int s : {0, -1, 11}) {
        opt.stride = s;
        EXPECT_THROW(ppl_windows(50, opt), UsageError) << s;
    }
}

TEST(PplConsecutive, TokenNllIsTheWindowsOwnAndFirstTokensAreUnscored) {
    Model model(open("rope_pp_ec_f32"));
    const auto ids = text_ids(40);
    PositionNllOptions opt;
    opt.context = 16;
    const PositionNll r = nll_by_position(model, ids, opt);
    EXPECT_EQ(r.protocol, PplProtocol::Consecutive);
    EXPECT_EQ(r.scored, 15 + 15 + 7);
    for (int s : {0, 16, 32}) {
        const int e = std::min(40, s + 16);
        const auto f = model.forward(std::span(ids).subspan(s, e - s));
        if (s > 0) {
            EXPECT_TRUE(std::isnan(r.token_nll[std::size_t(s - 1)])) << s;
        }
        for (int j = 0; j < int(f.nll.size()); ++j) EXPECT_EQ(r.token_nll[std::size_t(s + j)], f.nll[j]);
    }
}

TEST(PplSweep, EachLengthAveragesItsFullConsecutiveWindows) {
    Model model(open("rope_pp_eh_f32"));
    const auto ids = text_ids(50);
    const std::vector<int> lengths{8, 16, 32};
    const auto sweep = nll_by_length(model, ids, lengths, {});
    ASSERT_EQ(sweep.size(), 3u);
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        const int L = lengths[i];
        double total = 0;
        long n = 0;
        int windows = 0;
        for (int s = 0; s + L <= 50; s += L, ++windows) {  // the partial tail is left out
            const auto f = model.forward(std::span(ids).subspan(s, L));
            for (float v : f.nll) total += v, ++n;
        }
        EXPECT_EQ(sweep[i].length, L);
        EXPECT_EQ(sweep[i].windows, windows) << L;
        EXPECT_EQ(sweep[i].scored, n) << L;
        EXPECT_NEAR(sweep[i].mean_nll, total / n, 1e-12) << L;
    }
}

TEST(PplSweep, SlidingSweepUsesTheLengthAsTheWindow) {
    Model model(open("rope_f32"));
    const auto ids = text_ids(40);
    PositionNllOptions opt;
    opt.protocol = PplProtocol::Sliding;
    opt.stride = 4;
    const std::vector<int> lengths{12};
    const auto sweep = nll_by_length(model, ids, lengths, opt);
    opt.context = 12;
    const auto direct = nll_by_position(model, ids, opt);
    EXPECT_EQ(sweep[0].mean_nll, direct.mean);
    EXPECT_EQ(sweep[0].scored, 39);
}

TEST(PplSweep, ALengthLongerThanTheTextIsRefusedBeforeAnyRun) {
    Model model(open("rope_f32"));
    const auto ids = text_ids(20);
    const std::vector<int> lengths{8, 64};
    int runs = 0;
    PositionNllOptions opt;
    opt.progress = [&](long, long) { ++runs; return true; };
    try {
        nll_by_length(model, ids, lengths, opt);
        FAIL() << "no error";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("64"), std::string::npos) << e.what();
    }
    EXPECT_EQ(runs, 0);
}

}  // namespace
