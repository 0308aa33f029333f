// `ropescope-cli study`: checkpoints x RoPE settings x texts in one HDF5 study file, resumable and
// shardable; `study merge` combines partials, `study show` prints the aggregate table.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/output_file.h"
#include "app/cli/progress_bar.h"
#include "csv_writer.h"
#include "error.h"
#include "rope_override.h"
#include "study_file.h"
#include "study_merge.h"
#include "study_run.h"
#include "study_summary.h"

namespace rs::cli {
namespace {

enum class Action { Run, Merge, Show };

// The options each action reads; any other option given is refused by name.
const std::vector<std::string>& action_options(Action a) {
    static const std::vector<std::string> run{"checkpoint", "corpus", "setting", "max-tokens", "window",
                                              "shard", "bootstrap", "seed", "out", "quiet", "json"};
    static const std::vector<std::string> merge{"out", "quiet", "json"};
    static const std::vector<std::string> show{"csv", "out", "json"};
    return a == Action::Run ? run : a == Action::Merge ? merge : show;
}

const char* action_name(Action a) {
    return a == Action::Run ? "study" : a == Action::Merge ? "study merge" : "study show";
}

struct StudyOptions {
    Action action = Action::Run;
    StudyRequest request;
    std::vector<std::string> operands;  // merge: partials; show: the study file
    std::string out;
    bool quiet = false, json = false, csv = false;
};

int int_option(const Args& args, const std::string& name, long lo, long hi, long fallback) {
    if (!args.get(name)) return int(fallback);
    const long v = args.get_int(name, fallback);
    if (v < lo || v > hi)
        throw UsageError("--" + name + " must be between " + std::to_string(lo) + " and " +
                         std::to_string(hi) + ", got " + std::to_string(v));
    return int(v);
}

std::uint64_t seed_option(const Args& args) {
    const auto v = args.get("seed");
    if (!v) return 0;
    char* end = nullptr;
    errno = 0;
    const unsigned long long s = std::strtoull(v->c_str(), &end, 10);
    if (v->empty() || *end || errno || (*v)[0] == '-')
        throw UsageError("--seed expects a non-negative integer, got '" + *v + "'");
    return s;
}

StudyRequest parse_request(const Args& args) {
    StudyRequest r;
    r.checkpoints = args.get_all("checkpoint");
    if (r.checkpoints.empty()) throw UsageError("a study needs at least one --checkpoint DIR");
    const auto corpus = args.get("corpus");
    if (!corpus) throw UsageError("a study needs --corpus PATH");
    r.corpus = *corpus;
    if (auto s = args.get_all("setting"); !s.empty()) r.settings = s;
    for (const auto& label : r.settings) {
        try {
            static_cast<void>(parse_rope_override(label));
        } catch (const UsageError& e) {
            throw UsageError("--setting " + label + ": " + e.what());
        }
    }
    r.max_tokens = int_option(args, "max-tokens", 2, INT_MAX, 0);
    r.window = int_option(args, "window", 2, INT_MAX, 0);
    r.bootstrap = int_option(args, "bootstrap", 0, 1000000, 1000);
    r.seed = seed_option(args);
    if (auto s = args.get("shard")) r.shard = parse_shard(*s);
    return r;
}

// Every option checked before any file is read.
StudyOptions parse(const Args& args) {
    StudyOptions o;
    o.operands = operands(args);
    if (!o.operands.empty() && o.operands.front() == "merge") o.action = Action::Merge;
    else if (!o.operands.empty() && o.operands.front() == "show") o.action = Action::Show;
    if (o.action != Action::Run) o.operands.erase(o.operands.begin());
    const auto& allowed = action_options(o.action);
    for (const auto& name : args.given())
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            throw UsageError(std::string(action_name(o.action)) + " does not read --" + name);
    o.quiet = args.flag("quiet"), o.json = args.flag("json"), o.csv = args.flag("csv");
    o.out = optional_output_path(args);
    switch (o.action) {
        case Action::Run:
            if (!o.operands.empty()) throw UsageError("study takes no operand '" + o.operands.front() + "'");
            o.request = parse_request(args);
            if (o.out.empty()) throw UsageError("study needs -o STUDY.h5");
            break;
        case Action::Merge:
            if (o.out.empty()) throw UsageError("study merge needs -o STUDY.h5");
            if (o.operands.empty()) throw UsageError("study merge needs the partial study files");
            break;
        case Action::Show:
            if (o.operands.size() != 1) throw UsageError("study show needs one study file");
            break;
    }
    return o;
}

// The whole-study progress line: units, tokens, rate and ETA from this run's token rate.
class StudyProgressLine {
  public:
    explicit StudyProgressLine(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}
    ~StudyProgressLine() {
        if (drawn_ && tty_) std::fputc('\n', stderr);
    }
    void operator()(const StudyProgress& p) {
        if (quiet_) return;
        const auto now = std::chrono::steady_clock::now();
        const bool finished = p.units_done == p.units_total;
        if (drawn_ && !finished && now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::seconds(10)))
            return;
        last_ = now, drawn_ = true;
        const double rate = p.seconds > 0 ? double(p.tokens_run) / p.seconds : 0;
        const double eta = rate > 0 ? double(p.tokens_total - p.tokens_done) / rate : 0;
        std::fprintf(stderr, "%sunits %ld/%ld  tokens %ld/%ld  %.0f tokens/s  elapsed %.0fs  ETA %.0fs%s",
                     tty_ ? "\r" : "", p.units_done, p.units_total, p.tokens_done, p.tokens_total, rate,
                     p.seconds, eta, tty_ ? " " : "\n");
        std::fflush(stderr);
    }

  private:
    bool quiet_, tty_, drawn_ = false;
    std::chrono::steady_clock::time_point last_;
};

int run_action(const StudyOptions& o) {
    install_cancel_handler();
    const StudyPlan plan = plan_study(o.request);
    const auto& h = plan.header;
    for (const auto& n : h.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
    if (!o.quiet)
        std::fprintf(stderr, "study: %zu checkpoints x %zu settings x %zu texts = %ld units%s\n",
                     h.checkpoints.size(), h.settings.size(), h.texts.size(), h.units(),
                     plan.shard.whole() ? "" : (", shard " + plan.shard.label()).c_str());
    StudyRunOptions ro;
    StudyRunResult r;
    {
        StudyProgressLine line(o.quiet);
        ro.progress = [&line](const StudyProgress& p) { line(p); };
        ro.keep_going = [] { return !cancel_requested(); };
        ro.note = [&o](const std::string& n) {
            if (!o.quiet) std::fprintf(stderr, "%s\n", n.c_str());
        };
        try {
            r = run_study(plan, o.out, ro);
        } catch (const Cancelled&) {
            std::fprintf(stderr, "\nstudy: interrupted; %s holds the units done so far, and the same "
                                 "command resumes from %s\n",
                         o.out.c_str(), study_journal_dir(o.out).c_str());
            throw;
        }
    }
    const double units_per_s = r.seconds > 0 ? r.units_run / r.seconds : 0;
    const double tokens_per_s = r.seconds > 0 ? r.tokens_run / r.seconds : 0;
    if (o.json) {
        std::cout << nlohmann::json{{"out", o.out},       {"units_total", h.units()},
                                    {"units_in_shard", r.units_in_shard}, {"units_run", r.units_run},
                                    {"units_resumed", r.units_resumed},   {"tokens_run", r.tokens_run},
                                    {"seconds", r.seconds},               {"units_per_second", units_per_s},
                                    {"tokens_per_second", tokens_per_s},  {"notes", h.notes}}
                         .dump()
                  << "\n";
    } else {
        std::printf("%s: %ld units (%ld run, %ld resumed), %ld tokens in %.1f s (%.2f units/s, %.0f tokens/s)\n",
                    o.out.c_str(), r.units_in_shard, r.units_run, r.units_resumed, r.tokens_run, r.seconds,
                    units_per_s, tokens_per_s);
    }
    return 0;
}

int merge_action(const StudyOptions& o) {
    const Study merged = merge_study_files(o.operands);
    write_study_file(o.out, merged);
    const long done = long(merged.units.size()), total = merged.header.units();
    if (done < total)
        std::fprintf(stderr, "ropescope-cli study merge: warning: %ld of %ld units are missing; %s is a partial study\n",
                     total - done, total, o.out.c_str());
    if (o.json)
        std::cout << nlohmann::json{{"out", o.out}, {"partials", o.operands.size()}, {"units_done", done},
                                    {"units_total", total}}
                         .dump()
                  << "\n";
    else
        std::printf("%s: %zu partials merged, %ld of %ld units\n", o.out.c_str(), o.operands.size(), done, total);
    return 0;
}

void write_csv(std::ostream& f, const Study& s, const std::string& path, const std::vector<SummaryRow>& rows) {
    CsvWriter csv(f);
    csv.comment("study: " + path);
    csv.comment("units: " + std::to_string(s.units.size()) + " of " + std::to_string(s.header.units()));
    csv.comment("intervals: 95% percentile bootstrap over texts, " + std::to_string(s.header.bootstrap) +
                " resamples, seed " + std::to_string(s.header.seed));
    for (const auto& n : s.header.notes) csv.comment("note: " + n);
    csv.row({"table", "checkpoint", "variant", "setting", "part", "statistic", "n", "mean", "sd", "ci_low", "ci_high"});
    for (const auto& r : rows)
        csv.row({r.table, r.checkpoint, r.variant, r.setting, r.part, r.column, std::to_string(r.n),
                 csv_number(r.mean), csv_number(r.sd), csv_number(r.ci_low), csv_number(r.ci_high)});
}

void print_table(const Study& s, const std::vector<SummaryRow>& rows) {
    std::printf("%zu of %ld units; mean over texts [95%% bootstrap interval]\n", s.units.size(), s.header.units());
    for (const auto& n : s.header.notes) std::printf("note: %s\n", n.c_str());
    std::string table;
    for (const auto& r : rows) {
        if (r.table != table) std::printf("\n== %s\n", (table = r.table).c_str());
        std::printf("%-24s %-20s %-12s %-14s %4d %12.5g [%.5g, %.5g]\n", r.checkpoint.c_str(), r.setting.c_str(),
                    r.part.c_str(), r.column.c_str(), r.n, r.mean, r.ci_low, r.ci_high);
    }
}

int show_action(const StudyOptions& o) {
    const std::string& path = o.operands.front();
    const Study s = read_study_file(path);
    const auto rows = study_summary(s);
    if (o.json) {
        nlohmann::json j = nlohmann::json::array();
        const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
        for (const auto& r : rows)
            j.push_back({{"table", r.table}, {"checkpoint", r.checkpoint}, {"variant", r.variant},
                         {"setting", r.setting}, {"part", r.part}, {"statistic", r.column}, {"n", r.n},
                         {"mean", num(r.mean)}, {"sd", num(r.sd)}, {"ci_low", num(r.ci_low)},
                         {"ci_high", num(r.ci_high)}});
        std::cout << nlohmann::json{{"units_done", s.units.size()}, {"units_total", s.header.units()},
                                    {"notes", s.header.notes}, {"rows", j}}
                         .dump()
                  << "\n";
    } else if (!o.out.empty()) {
        write_output_file(o.out, [&](std::ostream& f) { write_csv(f, s, path, rows); });
    } else if (o.csv) {
        write_csv(std::cout, s, path, rows);
    } else {
        print_table(s, rows);
    }
    return 0;
}

int run(const Args& args) {
    const StudyOptions o = parse(args);
    switch (o.action) {
        case Action::Merge: return merge_action(o);
        case Action::Show: return show_action(o);
        case Action::Run: break;
    }
    return run_action(o);
}

const Command::Register reg{Command{
    "study", "[merge PART.h5... | show STUDY.h5]",
    "Checkpoints x RoPE settings x texts: per-head statistics and NLL of every text, with means, s.d. and "
    "95% bootstrap intervals over texts, twin, checkpoint and setting differences (docs/study-format.md). "
    "`study merge -o ALL.h5 PART.h5...` combines shards; `study show STUDY.h5` prints the table.",
    {{"checkpoint", "DIR", "a checkpoint folder; repeat for several (study)"},
     {"corpus", "PATH", "a folder of .txt, a .jsonl with \"text\", a .txt (with --window) or a token-id windows .json (study)"},
     {"setting", "LABEL", "a RoPE override: none, or rope_theta=X, pi_factor=F, yarn_factor=F, yarn_hf_factor=F, ntk_factor=F joined by commas (docs/config-keys.md); repeat; default none (study)"},
     {"max-tokens", "N", "cut every text to its first N tokens (study)"},
     {"window", "N", "cut a single .txt corpus into windows of N tokens (study)"},
     {"shard", "I/N", "run only the units whose index is I mod N, writing a partial study (study)"},
     {"bootstrap", "B", "bootstrap resamples of every interval; default 1000 (study)"},
     {"seed", "S", "seed of the bootstrap generator; default 0 (study)"},
     {"out", "STUDY.h5", "the study file to write (also -o); show: write the table as CSV"},
     {"csv", "", "show: print the table as CSV"},
     {"quiet", "", "no progress line on stderr (study, merge)"}},
    run}};

}  // namespace
}  // namespace rs::cli
