// Studies: unit order and shards, the bootstrap generator, a unit's statistics against a direct
// run, merge of shards == one run bit for bit, resume after SIGKILL, Ctrl-C, and bad input that
// leaves nothing behind.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "checkpoint.h"
#include "error.h"
#include "head_stats.h"
#include "model.h"
#include "study_bootstrap.h"
#include "study_file.h"
#include "study_journal.h"
#include "study_run.h"
#include "study_statistics.h"
#include "study_tables.h"
#include "tests/study_test_util.h"
#include "tests/test_util.h"

namespace rs {
namespace {

namespace fs = std::filesystem;

StudyHeader header(int C, int S, int X) {
    StudyHeader h;
    h.checkpoints.resize(std::size_t(C));
    h.settings.resize(std::size_t(S));
    h.texts.resize(std::size_t(X));
    return h;
}

TEST(StudySpec, UnitsRunCheckpointMajorThenSettingThenText) {
    const StudyHeader h = header(3, 2, 5);
    EXPECT_EQ(h.units(), 30);
    long expected = 0;
    for (int c = 0; c < 3; ++c)
        for (int s = 0; s < 2; ++s)
            for (int x = 0; x < 5; ++x) {
                EXPECT_EQ(unit_index(h, {c, s, x}), expected);
                const UnitKey k = unit_key(h, expected++);
                EXPECT_EQ(k.checkpoint, c);
                EXPECT_EQ(k.setting, s);
                EXPECT_EQ(k.text, x);
            }
}

TEST(StudySpec, ShardsPartitionTheUnits) {
    const StudyHeader h = header(2, 3, 7);
    std::vector<int> owner(std::size_t(h.units()), 0);
    for (int i = 0; i < 4; ++i) {
        const Shard s = parse_shard(std::to_string(i) + "/4");
        EXPECT_EQ(s.label(), std::to_string(i) + "/4");
        for (long u = 0; u < h.units(); ++u)
            if (s.contains(u)) {
                ++owner[std::size_t(u)];
                EXPECT_EQ(u % 4, i);
            }
    }
    for (int n : owner) EXPECT_EQ(n, 1);
    EXPECT_TRUE(parse_shard("0/1").whole());
    for (const char* bad : {"4/4", "-1/2", "1", "1/0", "a/b", "1/2x", ""})
        EXPECT_THROW(parse_shard(bad), UsageError) << bad;
}

TEST(StudyBootstrap, SplitMix64GivesTheReferenceSequence) {
    // The first outputs of SplitMix64 seeded with 0 (the reference implementation's values).
    SplitMix64 g(0);
    EXPECT_EQ(g.next(), 0xe220a8397b1dcdafull);
    EXPECT_EQ(g.next(), 0x6e789e6aa1b965f4ull);
    EXPECT_EQ(g.next(), 0x06c45d188009454full);
}

TEST(StudyBootstrap, AggregateIsTheDocumentedComputation) {
    const std::vector<double> x{0.3, 1.7, -0.2, 2.5, NAN, 0.9};
    Bootstrap boot(200, 42);
    const Aggregate a = boot(x);
    const std::vector<double> v{0.3, 1.7, -0.2, 2.5, 0.9};  // NaN left out
    ASSERT_EQ(a.n, 5);
    EXPECT_DOUBLE_EQ(a.mean, (0.3 + 1.7 - 0.2 + 2.5 + 0.9) / 5);
    double ss = 0;
    for (double y : v) ss += (y - a.mean) * (y - a.mean);
    EXPECT_DOUBLE_EQ(a.sd, std::sqrt(ss / 4));
    const auto idx = bootstrap_indices(42, 5, 200);
    std::vector<double> means;
    for (int b = 0; b < 200; ++b) {
        double s = 0;
        for (int i = 0; i < 5; ++i) {
            ASSERT_LT(idx[std::size_t(b * 5 + i)], 5u);
            s += v[idx[std::size_t(b * 5 + i)]];
        }
        means.push_back(s / 5);
    }
    std::sort(means.begin(), means.end());
    // numpy.quantile(means, 0.025): position 199 * 0.025 = 4.975 between sorted[4] and sorted[5].
    EXPECT_DOUBLE_EQ(a.low, means[4] + 0.975 * (means[5] - means[4]));
    EXPECT_DOUBLE_EQ(a.high, means[194] + 0.025 * (means[195] - means[194]));
    EXPECT_LT(a.low, a.mean);
    EXPECT_GT(a.high, a.mean);
    const Aggregate one = boot(std::vector<double>{1.0});
    EXPECT_EQ(one.n, 1);
    EXPECT_TRUE(std::isnan(one.sd) && std::isnan(one.low)) << "no interval from one text";
}

TEST(StudyJournal, RefusesTheJournalOfAnotherStudyAndADamagedUnit) {
    test::TempDir dir;
    StudyHeader a = header(1, 1, 2), b = a;
    a.checkpoints[0].layers = b.checkpoints[0].layers = 1;
    a.checkpoints[0].heads = b.checkpoints[0].heads = 1;
    a.statistics = b.statistics = {"entropy"};
    b.settings = {"pi_factor=4"};
    const std::string j = (dir / "s.h5.parts").string();
    {
        StudyJournal journal(j, a, "");
        journal.commit({1, 2.5, {0.25}, {}});
        const auto units = journal.load();
        ASSERT_EQ(units.size(), 1u);
        EXPECT_EQ(units.at(1).nll, 2.5);
        EXPECT_EQ(units.at(1).values, std::vector<double>{0.25});
    }
    try {
        StudyJournal other(j, b, "");
        FAIL() << "accepted another study's journal";
    } catch (const FileError& e) {
        EXPECT_EQ(e.path(), j);
    }
    EXPECT_THROW(StudyJournal(j, a, "0/2"), FileError) << "another shard";
    test::write_file(dir / "s.h5.parts/unit-00000000.json", "{\"study_id\": ");
    try {
        StudyJournal(j, a, "").load();
        FAIL() << "accepted a damaged unit";
    } catch (const FileError& e) {
        EXPECT_NE(e.path().find("unit-00000000.json"), std::string::npos) << e.what();
    }
}

// ---- runs ----------------------------------------------------------------------------------

struct SmallStudy {
    test::TempDir dir;
    fs::path corpus = dir / "windows.json";
    std::vector<std::string> args(const fs::path& out) const {
        return {"study", "-o", out.string(),
                "--checkpoint", test::fixture_dir("rope_f32").string(),
                "--checkpoint", test::fixture_dir("rope_pp_ec_f32").string(),
                "--corpus", corpus.string(),
                "--setting", "none", "--setting", "pi_factor=4",
                "--bootstrap", "300", "--seed", "7", "--quiet"};
    }
    SmallStudy() { test::write_ids_corpus(corpus, 5, 40); }
};

TEST(StudyRun, AUnitHoldsTheStatisticsOfADirectRun) {
    SmallStudy s;
    StudyRequest r;
    r.checkpoints = {test::fixture_dir("rope_f32").string()};
    r.settings = {"none", "pi_factor=4"};
    r.corpus = s.corpus.string();
    r.bootstrap = 50;
    const StudyPlan plan = plan_study(r);
    const auto out = s.dir / "study.h5";
    const StudyRunResult res = run_study(plan, out.string(), {});
    EXPECT_EQ(res.units_run, 10);
    EXPECT_FALSE(fs::exists(study_journal_dir(out.string()))) << "the journal goes once the file is complete";
    const Study st = read_study_file(out.string());
    ASSERT_EQ(st.units.size(), 10u);
    // Unit (checkpoint 0, setting pi_factor=4, text 3), computed again directly.
    CheckpointOptions o;
    o.config.rope_override.pi_factor = 4;
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(test::fixture_dir("rope_f32").string(), o));
    Model model(ck);
    HeadStatsProbe probe(true, study_stats_options(ck->config(), std::vector<int>(plan.header.thresholds.begin(),
                                                                                  plan.header.thresholds.end())));
    ForwardOptions fopt;
    fopt.probes = {&probe};
    const auto fr = model.forward(plan.ids[0][3], fopt);
    const UnitResult& u = st.units.at(unit_index(st.header, {0, 1, 3}));
    EXPECT_EQ(u.nll, fr.mean_nll());
    const auto direct = study_statistic_values(probe.stats(), st.header.statistics);
    ASSERT_EQ(u.values.size(), direct.size());
    for (std::size_t i = 0; i < direct.size(); ++i)
        if (!(std::isnan(direct[i]) && std::isnan(u.values[i]))) {
            EXPECT_EQ(u.values[i], direct[i]) << i;
        }
    EXPECT_EQ(st.header.settings, (std::vector<std::string>{"none", "pi_factor=4"}));
    // NLL by position: buckets 0, 16, 32, ... up to the longest text's predictions, each the plain
    // mean of the run's per-token NLL there.
    const auto& edges = st.header.nll_position_edges;
    int longest = 0;
    for (const auto& ids : plan.ids[0]) longest = std::max(longest, int(ids.size()));
    ASSERT_GE(edges.size(), 3u);
    EXPECT_EQ(edges.front(), 0);
    EXPECT_EQ(edges[1], 16);
    EXPECT_EQ(edges.back(), longest - 1);
    ASSERT_EQ(u.nll_by_position.size(), edges.size() - 1);
    for (std::size_t b = 0; b + 1 < edges.size(); ++b) {
        double sum = 0;
        int n = 0;
        for (int t = edges[b]; t < edges[b + 1] && t < int(fr.nll.size()); ++t) sum += fr.nll[std::size_t(t)], ++n;
        if (n == 0) EXPECT_TRUE(std::isnan(u.nll_by_position[b])) << b;
        else EXPECT_DOUBLE_EQ(u.nll_by_position[b], sum / n) << b;
    }
    // Its table averages the texts that reach each bucket.
    for (const auto& t : study_tables(st))
        if (t.group == "checkpoints/c00/nll_by_position") {
            Bootstrap boot(st.header.bootstrap, st.header.seed);
            const AggregateTable a = aggregate(t, boot);
            const std::size_t B = edges.size() - 1, X = st.header.texts.size();
            double sum = 0;
            int n = 0;
            for (std::size_t x = 0; x < X; ++x) {
                const double v = st.units.at(unit_index(st.header, {0, 1, int(x)})).nll_by_position[0];
                sum += v, ++n;
            }
            EXPECT_DOUBLE_EQ(a.mean[1 * B + 0], sum / n);
            EXPECT_EQ(a.n[1 * B + 0], int(X));
        }
}

TEST(StudyRun, MergeOfThreeShardsEqualsOneRunBitForBit) {
    SmallStudy s;
    const auto single = s.dir / "single.h5";
    auto r = test::run_cli(s.args(single));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> merge{"study", "merge", "-o", (s.dir / "merged.h5").string(), "--quiet"};
    for (int i = 0; i < 3; ++i) {
        const auto part = s.dir / ("part" + std::to_string(i) + ".h5");
        auto args = s.args(part);
        args.insert(args.end(), {"--shard", std::to_string(i) + "/3"});
        r = test::run_cli(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        merge.push_back(part.string());
        const Study p = read_study_file(part.string());
        EXPECT_EQ(p.shard, std::to_string(i) + "/3");
        for (const auto& [index, _] : p.units) EXPECT_EQ(index % 3, i);
    }
    r = test::run_cli(merge);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(test::numeric_datasets(single).size(), 30u);
    EXPECT_EQ(test::differing_datasets(single, s.dir / "merged.h5"), std::vector<std::string>{});
    // A partial on its own differs: the test can fail.
    EXPECT_FALSE(test::differing_datasets(single, s.dir / "part0.h5").empty());
}

TEST(StudyRun, MergeRefusesPartialsOfAnotherStudyByName) {
    SmallStudy s;
    auto a = s.args(s.dir / "a.h5");
    a.insert(a.end(), {"--shard", "0/2"});
    ASSERT_EQ(test::run_cli(a).exit_code, 0);
    auto b = s.args(s.dir / "b.h5");
    b.insert(b.end(), {"--shard", "1/2", "--setting", "rope_theta=40000"});
    const auto rb = test::run_cli(b);
    ASSERT_EQ(rb.exit_code, 0) << rb.err;
    const auto r = test::run_cli({"study", "merge", "-o", (s.dir / "m.h5").string(), (s.dir / "a.h5").string(),
                                  (s.dir / "b.h5").string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find((s.dir / "b.h5").string() + ": a partial of a different study: its settings"),
              std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(s.dir / "m.h5"));
}

pid_t spawn_cli(const std::vector<std::string>& args, const fs::path& logs) {
    const pid_t pid = fork();
    if (pid != 0) return pid;
    const int out = open((logs / "cli.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open((logs / "cli.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv{const_cast<char*>(ROPESCOPE_CLI)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(ROPESCOPE_CLI, argv.data());
    _exit(127);
}

int journaled_units(const fs::path& journal) {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(journal, ec))
        if (e.path().filename().string().rfind("unit-", 0) == 0) ++n;
    return n;
}

// Waits until the process has journaled a unit; false if it exited first.
bool wait_for_first_unit(pid_t pid, const fs::path& journal) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
        if (journaled_units(journal) > 0) return true;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
}

// One OpenMP thread per CLI: on a loaded 2-core machine two threads per tiny forward pass spend
// most of their time waiting for each other, and these tests are about the journal, not speed.
struct OneThread {
    OneThread() { setenv("OMP_NUM_THREADS", "1", 1); }
    ~OneThread() { setenv("OMP_NUM_THREADS", "2", 1); }
};

// Long enough that a kill lands mid-study: the sample checkpoint on 38 windows of 512 tokens.
std::vector<std::string> sample_study(const fs::path& out) {
    return {"study", "-o", out.string(), "--checkpoint", (test::source_dir() / "sample_data/rope").string(),
            "--corpus", (test::source_dir() / "sample_data/validation_ids.json").string(),
            "--setting", "none", "--setting", "pi_factor=4", "--max-tokens", "256", "--quiet"};
}

int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(StudyRun, ResumesAfterSigkillAndLosesNothing) {
    const OneThread one;
    test::TempDir dir;
    const auto out = dir / "study.h5", journal = fs::path(study_journal_dir(out.string()));
    const pid_t pid = spawn_cli(sample_study(out), dir.path());
    ASSERT_TRUE(wait_for_first_unit(pid, journal)) << test::read_file(dir / "cli.err");
    kill(pid, SIGKILL);
    EXPECT_EQ(wait_exit(pid), 128 + SIGKILL);
    const int kept = journaled_units(journal);
    EXPECT_GE(kept, 1);
    EXPECT_LT(kept, 76) << "killed before the end";
    EXPECT_FALSE(fs::exists(out)) << "no study file from a killed run";
    const auto r = test::run_cli(sample_study(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(std::to_string(kept) + " resumed"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(journal));
    const auto whole = dir / "whole.h5";
    ASSERT_EQ(test::run_cli(sample_study(whole)).exit_code, 0);
    EXPECT_EQ(test::differing_datasets(out, whole), std::vector<std::string>{});
}

TEST(StudyRun, CtrlCLeavesAValidPartialStudyThatTheSameCommandCompletes) {
    const OneThread one;
    test::TempDir dir;
    const auto out = dir / "study.h5", journal = fs::path(study_journal_dir(out.string()));
    const pid_t pid = spawn_cli(sample_study(out), dir.path());
    ASSERT_TRUE(wait_for_first_unit(pid, journal)) << test::read_file(dir / "cli.err");
    kill(pid, SIGINT);
    EXPECT_EQ(wait_exit(pid), 130) << test::read_file(dir / "cli.err");
    EXPECT_NE(test::read_file(dir / "cli.err").find("resumes from"), std::string::npos);
    const Study partial = read_study_file(out.string());
    EXPECT_GE(partial.units.size(), 1u);
    EXPECT_LT(partial.units.size(), 76u);
    EXPECT_EQ(long(partial.units.size()), journaled_units(journal));
    const auto r = test::run_cli(sample_study(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_study_file(out.string()).units.size(), 76u);
}

TEST(StudyRun, BadInputNamesTheFileAndWritesNothing) {
    test::TempDir dir;
    fs::create_directories(dir / "empty");
    test::write_file(dir / "bad.jsonl", "{\"text\": \"fine\"}\n{\"txt\": \"typo\"}\n");
    test::write_file(dir / "short.txt", "In the beginning");
    const std::string ck = (test::source_dir() / "sample_data/rope").string();
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
        {{"--corpus", (dir / "empty").string()}, (dir / "empty").string() + ": empty corpus"},
        {{"--corpus", (dir / "bad.jsonl").string()}, (dir / "bad.jsonl").string() + ": line 2: no \"text\" field"},
        {{"--corpus", (dir / "short.txt").string(), "--window", "512"}, (dir / "short.txt").string() + ": the text has"},
        {{"--corpus", (test::source_dir() / "sample_data/validation_ids.json").string(), "--checkpoint",
          (dir / "nowhere").string()},
         (dir / "nowhere").string()},
    };
    for (const auto& [extra, message] : cases) {
        std::vector<std::string> args{"study", "-o", (dir / "s.h5").string(), "--checkpoint", ck};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = test::run_cli(args);
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(dir / "s.h5"));
        EXPECT_FALSE(fs::exists(dir / "s.h5.parts"));
    }
}

TEST(StudyRun, DifferentTokenizersAndHeadCountsAreNotedNotRefused) {
    test::TempDir dir;
    test::write_ids_corpus(dir / "w.json", 3, 24);
    const auto out = dir / "s.h5";
    const auto r = test::run_cli({"study", "-o", out.string(), "--quiet", "--checkpoint",
                                  (test::source_dir() / "sample_data/rope_pp_eh").string(), "--checkpoint",
                                  test::fixture_dir("rope_f32").string(), "--corpus", (dir / "w.json").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("note: the checkpoints use different tokenizers"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("note: the checkpoints differ in layers or heads"), std::string::npos) << r.err;
    const Study s = read_study_file(out.string());
    ASSERT_EQ(s.header.notes.size(), 2u);
    EXPECT_NE(s.header.notes[0].find("per token position"), std::string::npos);
    EXPECT_NE(s.header.notes[1].find("not head by head"), std::string::npos);
    const auto show = test::run_cli({"study", "show", out.string(), "--csv"});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find("checkpoints,rope_pp_eh - rope_f32,RoPE++_EH - RoPE,none,imag,nll,3,"), std::string::npos)
        << show.out;
}

}  // namespace
}  // namespace rs
