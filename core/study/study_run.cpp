// Planning and running a study's units.
#include "study_run.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "error.h"
#include "head_stats.h"
#include "model.h"
#include "rope_override.h"
#include "run_budget.h"
#include "run_input.h"
#include "run_plan.h"
#include "study_corpus.h"
#include "study_file.h"
#include "study_hash.h"
#include "study_journal.h"
#include "study_positions.h"
#include "study_statistics.h"
#include "tokenizer.h"
#include "trace_output_file.h"

namespace rs {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> canonical_settings(const std::vector<std::string>& labels) {
    std::vector<std::string> out;
    for (const auto& l : labels) {
        const std::string c = parse_rope_override(l).label();
        if (std::find(out.begin(), out.end(), c) != out.end())
            throw UsageError("--setting " + l + " given twice (as " + c + ")");
        out.push_back(c);
    }
    if (out.empty()) throw UsageError("a study needs at least one --setting");
    return out;
}

std::string tokenizer_identity(const std::string& dir) {
    const fs::path p = fs::path(dir) / "tokenizer.json";
    if (!fs::exists(p)) return "none";
    std::ifstream f(p, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return "fnv1a:" + Fnv1a().add(bytes).hex();
}

StudyCheckpoint describe(const Checkpoint& ck) {
    StudyCheckpoint d;
    d.path = fs::absolute(ck.dir()).lexically_normal().string();
    while (d.path.size() > 1 && d.path.back() == '/') d.path.pop_back();
    d.variant = variant_name(ck.variant());
    d.variant_source = ck.variant_source();
    d.config_json = ck.config().source_text;
    for (const auto& line : provenance_lines(ck.config())) d.rope_sources += line + "\n";
    d.tokenizer = tokenizer_identity(ck.dir());
    d.layers = ck.config().num_hidden_layers;
    d.heads = ck.layout().analysis_heads();
    d.max_position_embeddings = ck.config().max_position_embeddings;
    for (const auto& h : ck.layout().heads) {
        d.imag.push_back(h.imag);
        d.is_virtual.push_back(h.is_virtual);
        d.query_head.push_back(h.query_head);
        d.kv_head.push_back(h.kv_head);
        d.twin.push_back(h.twin);
    }
    return d;
}

void check_vocabulary(const Corpus& corpus, const std::vector<std::string>& names,
                      const std::vector<std::vector<std::int32_t>>& ids, const Checkpoint& ck) {
    const int vocab = ck.config().vocab_size;
    for (std::size_t x = 0; x < ids.size(); ++x)
        for (auto id : ids[x])
            if (id >= vocab)
                throw FileError(corpus.path, names[x] + ": token id " + std::to_string(id) +
                                                 " is outside the vocabulary of " + ck.dir() + " (" +
                                                 std::to_string(vocab) + " ids)");
}

// Notes the study file keeps: what the reader must know to compare its numbers.
std::vector<std::string> study_notes(const StudyHeader& h) {
    std::vector<std::string> notes;
    std::set<std::string> tokenizers;
    std::set<std::pair<int, int>> shapes;
    for (const auto& c : h.checkpoints) {
        tokenizers.insert(c.tokenizer);
        shapes.insert({c.layers, c.heads});
    }
    if (tokenizers.size() > 1)
        notes.push_back("the checkpoints use different tokenizers: a text is a different token "
                        "sequence for each, and statistics are per token position");
    if (shapes.size() > 1)
        notes.push_back("the checkpoints differ in layers or heads: compare them by the aggregates "
                        "over heads (/summary, /differences), not head by head");
    return notes;
}

}  // namespace

StudyPlan plan_study(const StudyRequest& r) {
    if (r.checkpoints.empty()) throw UsageError("a study needs at least one --checkpoint");
    if (r.bootstrap < 0) throw UsageError("--bootstrap must be at least 0");
    StudyPlan plan;
    plan.shard = r.shard;
    StudyHeader& h = plan.header;
    h.settings = canonical_settings(r.settings);
    const Corpus corpus = read_corpus(r.corpus, r.window);
    h.corpus_path = fs::absolute(r.corpus).lexically_normal().string();
    h.corpus_format = corpus_format_name(corpus.format);
    h.corpus_hash = corpus.hash;
    h.window = r.window, h.max_tokens = r.max_tokens, h.bootstrap = r.bootstrap, h.seed = r.seed;
    std::vector<std::vector<std::string>> names;
    for (const auto& dir : r.checkpoints) {
        const Checkpoint ck = Checkpoint::open(dir);
        h.checkpoints.push_back(describe(ck));
        std::vector<CheckpointOptions> per_setting;
        for (const auto& s : h.settings) {
            CheckpointOptions o;
            o.config.rope_override = parse_rope_override(s);
            static_cast<void>(Checkpoint::open(dir, o));  // the setting applies to this model
            per_setting.push_back(o);
        }
        plan.options.push_back(std::move(per_setting));
        std::unique_ptr<Tokenizer> tok;
        if (corpus.needs_tokenizer()) tok = std::make_unique<Tokenizer>(input_tokenizer(dir));
        CorpusTokens t = corpus_tokens(corpus, tok.get(), r.max_tokens);
        check_vocabulary(corpus, t.names, t.ids, ck);
        names.push_back(t.names);
        plan.ids.push_back(std::move(t.ids));
    }
    // Windows of one long text: as many as every checkpoint's tokenization gives.
    std::size_t X = names.front().size();
    for (const auto& n : names) X = std::min(X, n.size());
    h.texts.assign(names.front().begin(), names.front().begin() + long(X));
    int shortest = 0;
    for (auto& per_text : plan.ids) {
        per_text.resize(X);
        std::vector<std::int32_t> counts;
        for (const auto& ids : per_text) {
            counts.push_back(std::int32_t(ids.size()));
            shortest = shortest ? std::min(shortest, int(ids.size())) : int(ids.size());
        }
        h.tokens.push_back(std::move(counts));
    }
    // One set of M(D) thresholds every text reaches, so every unit has the same columns.
    h.thresholds = default_mass_thresholds(shortest);
    int longest = 0;
    for (const auto& counts : h.tokens)
        for (auto n : counts) longest = std::max(longest, int(n));
    h.nll_position_edges = nll_position_edges(longest);
    HeadStatsOptions measured;  // the sink counts and exclusion every unit's probe uses
    measured.thresholds.assign(h.thresholds.begin(), h.thresholds.end());
    h.statistics = study_statistic_names(measured);
    h.notes = study_notes(h);
    if (names.size() > 1 && std::any_of(names.begin(), names.end(), [&](const auto& n) { return n.size() != X; }))
        h.notes.push_back("the windows of the text are cut per tokenizer; the study uses the " +
                          std::to_string(X) + " that every checkpoint has");
    return plan;
}

std::string study_journal_dir(const std::string& out) { return out + ".parts"; }

namespace {

using Clock = std::chrono::steady_clock;

// One (checkpoint, setting) model, opened when its first unit runs.
struct OpenModel {
    int checkpoint = -1, setting = -1;
    std::unique_ptr<Model> model;
};

void open_for(OpenModel& m, const StudyPlan& plan, int c, int s, const StudyRunOptions& o) {
    if (m.checkpoint == c && m.setting == s) return;
    m.model.reset();
    const auto& dir = plan.header.checkpoints[std::size_t(c)].path;
    auto ck = std::make_shared<const Checkpoint>(Checkpoint::open(dir, plan.options[std::size_t(c)][std::size_t(s)]));
    int longest = 0;
    for (const auto& ids : plan.ids[std::size_t(c)]) longest = std::max(longest, int(ids.size()));
    const RunBudget budget = budget_run(*ck, statistics_plan(longest, true));
    if (o.note)
        for (const auto& n : budget.notes) o.note(n);
    require_budget(budget);
    m.model = std::make_unique<Model>(ck, budget.plan.layers_resident);
    m.checkpoint = c, m.setting = s;
}

UnitResult run_unit(Model& model, const StudyHeader& h, long index, const std::vector<std::int32_t>& ids,
                    const ProgressFn& progress) {
    HeadStatsProbe probe(true, study_stats_options(model.checkpoint().config(),
                                                   std::vector<int>(h.thresholds.begin(), h.thresholds.end())));
    ForwardOptions fopt;
    fopt.probes = {&probe};
    fopt.progress = progress;
    const ForwardResult fr = model.forward(ids, fopt);
    UnitResult u;
    u.index = index;
    u.nll = fr.mean_nll();
    u.nll_by_position = nll_by_position(fr.nll, h.nll_position_edges);
    u.values = study_statistic_values(probe.stats(), h.statistics);
    return u;
}

Study journaled_study(const StudyPlan& plan, const StudyJournal& journal) {
    Study s;
    s.header = plan.header;
    s.shard = plan.shard.whole() ? "" : plan.shard.label();
    s.units = journal.load();
    return s;
}

}  // namespace

StudyRunResult run_study(const StudyPlan& plan, const std::string& out, const StudyRunOptions& o) {
    const StudyHeader& h = plan.header;
    const std::string shard = plan.shard.whole() ? "" : plan.shard.label();
    { TraceOutputFile check(out); }  // an unwritable destination fails before any unit runs
    StudyJournal journal(study_journal_dir(out), h, shard);
    const auto done = journal.load();
    StudyRunResult r;
    StudyProgress p;
    std::vector<long> todo;
    for (long i = 0; i < h.units(); ++i) {
        if (!plan.shard.contains(i)) continue;
        const auto k = unit_key(h, i);
        const long tokens = plan.ids[std::size_t(k.checkpoint)][std::size_t(k.text)].size();
        ++p.units_total, p.tokens_total += tokens;
        if (done.count(i)) ++p.units_done, p.tokens_done += tokens;
        else todo.push_back(i);
    }
    r.units_in_shard = p.units_total, r.units_resumed = p.units_done;
    if (r.units_resumed && o.note)
        o.note("note: resuming: " + std::to_string(r.units_resumed) + " of " + std::to_string(p.units_total) +
               " units already done in " + journal.dir());
    const auto keep_going = [&] { return !o.keep_going || o.keep_going(); };
    const auto t0 = Clock::now();
    OpenModel m;
    try {
        for (long i : todo) {
            if (!keep_going()) throw Cancelled();
            const auto k = unit_key(h, i);
            const auto& ids = plan.ids[std::size_t(k.checkpoint)][std::size_t(k.text)];
            open_for(m, plan, k.checkpoint, k.setting, o);
            const ProgressFn inner = [&](long a, long b) {
                StudyProgress q = p;
                q.tokens_done += long(ids.size()) * a / std::max(1L, b);
                q.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
                if (o.progress) o.progress(q);
                return keep_going();
            };
            journal.commit(run_unit(*m.model, h, i, ids, inner));
            ++p.units_done, ++r.units_run;
            p.tokens_done += long(ids.size()), p.tokens_run += long(ids.size());
            p.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            if (o.progress) o.progress(p);
        }
    } catch (const Cancelled&) {
        write_study_file(out, journaled_study(plan, journal));
        throw;
    }
    r.tokens_run = p.tokens_run;
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    write_study_file(out, journaled_study(plan, journal));
    journal.remove();
    return r;
}

}  // namespace rs
