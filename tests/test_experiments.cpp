// Perplexity by position and the noise experiment: definitions, reproducibility, and the CLI
// (JSON output, Ctrl-C cancelling cleanly).
#include <gtest/gtest.h>

#include <fstream>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>

#include "noise_experiment.h"
#include "perplexity.h"
#include "tests/test_util.h"

using namespace rs;

namespace {

std::shared_ptr<const Checkpoint> open(const std::string& name) {
    return test::open_fixture(name);
}

std::vector<std::int32_t> some_ids(int n) {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * 31 + 7) % 97);
    return ids;
}

TEST(Perplexity, WindowsAverageTheirOwnForwardPasses) {
    Model model(open("rope_pp_eh_f32"));
    const auto ids = some_ids(50);
    PositionNllOptions opt;
    opt.context = 16;
    const auto r = nll_by_position(model, ids, opt);
    EXPECT_EQ(r.windows, 4);  // 0-15, 16-31, 32-47, 48-49
    ASSERT_EQ(r.mean_nll.size(), 15u);
    std::vector<double> sum(15, 0.0);
    double total = 0;
    int n = 0;
    for (int s : {0, 16, 32, 48}) {
        const int len = std::min(16, 50 - s);
        const auto f = model.forward(std::span(ids).subspan(s, len));
        for (std::size_t t = 0; t < f.nll.size(); ++t) sum[t] += f.nll[t], total += f.nll[t], ++n;
    }
    EXPECT_EQ(r.count[0], 4);
    EXPECT_EQ(r.count[1], 3);
    EXPECT_NEAR(r.mean_nll[0], sum[0] / 4, 1e-9);
    EXPECT_NEAR(r.mean_nll[7], sum[7] / 3, 1e-9);
    EXPECT_NEAR(r.mean, total / n, 1e-9);
}

TEST(Perplexity, WholeSequenceByDefault) {
    Model model(open("rope_f32"));
    const auto ids = some_ids(30);
    const auto r = nll_by_position(model, ids, {});
    const auto f = model.forward(ids);
    EXPECT_EQ(r.windows, 1);
    for (std::size_t t = 0; t < f.nll.size(); ++t) EXPECT_EQ(r.mean_nll[t], double(f.nll[t]));
}

TEST(Noise, ZeroSigmaIsTheBaselineAndSeedsReproduce) {
    Model model(open("rope_pp_ec_f32"));
    const auto ids = some_ids(40);
    NoiseOptions opt;
    opt.sigmas = {0.0, 1.0};
    opt.seed = 7;
    const auto a = run_noise_experiment(model, ids, opt);
    const auto b = run_noise_experiment(model, ids, opt);
    ASSERT_EQ(a.points.size(), 4u);  // real x {0, 1}, imag x {0, 1}
    EXPECT_EQ(a.points[0].delta_nll, 0.0);
    EXPECT_EQ(a.points[2].delta_nll, 0.0);
    EXPECT_NE(a.points[1].delta_nll, 0.0);
    EXPECT_NE(a.points[3].delta_nll, 0.0);
    for (std::size_t i = 0; i < a.points.size(); ++i)
        EXPECT_EQ(a.points[i].mean_nll, b.points[i].mean_nll);
    opt.seed = 8;
    const auto c = run_noise_experiment(model, ids, opt);
    EXPECT_NE(c.points[1].mean_nll, a.points[1].mean_nll);
    EXPECT_EQ(a.baseline_nll, model.forward(ids).mean_nll());
}

TEST(Noise, VirtualImaginaryNoiseCannotChangeAVanillaModelsLoss) {
    Model model(open("rope_bf16"));
    const auto ids = some_ids(40);
    NoiseOptions opt;
    opt.sigmas = {2.0};
    opt.targets = {NoiseTarget::Imag, NoiseTarget::Real};
    const auto s = run_noise_experiment(model, ids, opt);
    EXPECT_EQ(s.points[0].delta_nll, 0.0);                              // imag: analysis only
    EXPECT_NE(s.points[0].long_range_mass_imag, s.baseline_mass_imag);  // ...but the maps moved
    EXPECT_NE(s.points[1].delta_nll, 0.0);                              // real noise hurts
}

TEST(ExperimentsCli, StatsJsonAndPplJson) {
    const auto dir = test::fixture_dir("rope_pp_ec_f32").string();
    auto r = test::run_cli(
        {"stats", dir, "--ids", "1,2,3,4,5,6,7,8,9,10", "--thresholds", "2,4", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["heads"].size(), 2u * 8u);  // 2 layers x 8 attention heads
    EXPECT_EQ(j["thresholds"], nlohmann::json({2, 4}));
    r = test::run_cli({"ppl", dir, "--ids", "1,2,3,4,5,6,7,8,9,10", "--context", "4", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["windows"], 3);
    r = test::run_cli({"noise", dir, "--ids", "1,2,3,4,5,6", "--target", "sideways"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--target must be real, imag, both or each"), std::string::npos);
    r = test::run_cli({"stats", dir, "--text", "hello"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("tokenizer.json: missing"), std::string::npos) << r.err;
}

// True when process `pid` has a handler for SIGINT (the SigCgt bit mask of /proc/PID/status).
bool catches_sigint(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("SigCgt:", 0) == 0)
            return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1)) & 1;
    return false;
}

TEST(ExperimentsCli, CtrlCStopsALongRunCleanly) {
    std::string ids;
    for (int i = 0; i < 12000; ++i) ids += (i ? "," : "") + std::to_string(i % 97);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr);
        execl(ROPESCOPE_CLI, ROPESCOPE_CLI, "ppl", test::fixture_dir("rope_f32").c_str(), "--ids",
              ids.c_str(), "--context", "3000", (char*)nullptr);
        _exit(99);
    }
    // Interrupt only once the CLI has installed its handler (its SigCgt mask shows SIGINT caught):
    // before that, SIGINT's default action would kill it, which says nothing about the handler. A
    // fixed delay is not enough under sanitizers, whose start-up takes longer.
    for (int i = 0; i < 3000 && !catches_sigint(pid); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(catches_sigint(pid)) << "the CLI never installed a SIGINT handler";
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal instead of stopping cleanly";
    EXPECT_EQ(WEXITSTATUS(status), 130);
}

}  // namespace
