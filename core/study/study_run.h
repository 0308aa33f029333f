// A study run: the plan (corpus read, every checkpoint opened with every setting, texts tokenized,
// all checked before any model runs), then the units of one shard run in order, each committed
// to the journal as it finishes, and the study file assembled from the journal.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "checkpoint.h"
#include "study_spec.h"

namespace rs {

struct StudyRequest {
    std::vector<std::string> checkpoints;           // folders
    std::vector<std::string> settings{"none"};      // RopeOverride labels
    std::string corpus;
    int max_tokens = 0;  // 0: whole texts
    int window = 0;      // > 0: cut a single .txt into windows of this many tokens
    int bootstrap = 1000;
    std::uint64_t seed = 0;
    Shard shard;
};

struct StudyPlan {
    StudyHeader header;
    Shard shard;
    std::vector<std::vector<std::vector<std::int32_t>>> ids;  // [checkpoint][text]
    std::vector<std::vector<CheckpointOptions>> options;      // [checkpoint][setting]
};

// Reads and checks everything a study needs. Throws UsageError for bad settings (a repeated or
// malformed label), FileError naming the file for a bad corpus or checkpoint.
StudyPlan plan_study(const StudyRequest& request);

struct StudyProgress {
    long units_done = 0, units_total = 0;  // of this shard, journaled ones included
    long tokens_done = 0, tokens_total = 0;
    long tokens_run = 0;  // by this process (the rate's numerator)
    double seconds = 0;   // since this process started running units
};

struct StudyRunOptions {
    std::function<void(const StudyProgress&)> progress;  // after each unit and inside it
    std::function<bool()> keep_going;                     // false: stop (Ctrl-C)
    std::function<void(const std::string&)> note;         // one line: budget notes, resumes
};

struct StudyRunResult {
    long units_run = 0, units_resumed = 0, units_in_shard = 0;
    long tokens_run = 0;
    double seconds = 0;  // running units (models opened included)
};

// The journal folder of a study written to `out`.
std::string study_journal_dir(const std::string& out);

// Runs the plan's shard into `out` (journal `<out>.parts/`, removed once the file is complete).
// When keep_going turns false, writes the partial study file from the journal and throws
// Cancelled; any other failure leaves the journal for a rerun of the same command.
StudyRunResult run_study(const StudyPlan& plan, const std::string& out, const StudyRunOptions& options);

}  // namespace rs
