// Unit order, shards and the identity of a study.
#include "study_spec.h"

#include <charconv>

#include "error.h"
#include "study_hash.h"

namespace rs {

namespace {

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return "[" + out + "]";
}

std::vector<std::string> checkpoint_paths(const StudyHeader& h) {
    std::vector<std::string> out;
    for (const auto& c : h.checkpoints) out.push_back(c.path);
    return out;
}

}  // namespace

std::size_t StudyHeader::values_per_unit(int c) const {
    const auto& ck = checkpoints.at(std::size_t(c));
    return std::size_t(ck.layers) * std::size_t(ck.heads) * statistics.size();
}

std::string StudyHeader::identity() const {
    std::string s = "checkpoints " + joined(checkpoint_paths(*this)) + "\nsettings " + joined(settings) +
                    "\ncorpus " + corpus_format + " " + corpus_hash + "\ntexts " + joined(texts) +
                    "\nstatistics " + joined(statistics) + "\nmax_tokens " + std::to_string(max_tokens) +
                    "\nwindow " + std::to_string(window) + "\nbootstrap " + std::to_string(bootstrap) +
                    "\nseed " + std::to_string(seed) + "\n";
    return s;
}

std::string StudyHeader::id() const { return Fnv1a().add(identity()).hex(); }

UnitKey unit_key(const StudyHeader& h, long index) {
    const long X = long(h.texts.size()), S = long(h.settings.size());
    return {int(index / (S * X)), int(index / X % S), int(index % X)};
}

long unit_index(const StudyHeader& h, const UnitKey& k) {
    return (long(k.checkpoint) * long(h.settings.size()) + k.setting) * long(h.texts.size()) + k.text;
}

std::string Shard::label() const { return std::to_string(index) + "/" + std::to_string(count); }

Shard parse_shard(std::string_view text) {
    const auto slash = text.find('/');
    Shard s;
    const auto num = [&](std::string_view part, int& out) {
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
        return !part.empty() && ec == std::errc() && end == part.data() + part.size();
    };
    if (slash == std::string_view::npos || !num(text.substr(0, slash), s.index) ||
        !num(text.substr(slash + 1), s.count) || s.count < 1 || s.index < 0 || s.index >= s.count)
        throw UsageError("--shard expects I/N with 0 <= I < N, got '" + std::string(text) + "'");
    return s;
}

void require_same_study(const StudyHeader& a, const std::string& a_name, const StudyHeader& b,
                        const std::string& b_name) {
    const auto differ = [&](const std::string& what, const std::string& va, const std::string& vb) {
        if (va != vb)
            throw FileError(b_name, "a partial of a different study: its " + what + " is " + vb +
                                        ", " + a_name + "'s is " + va);
    };
    differ("checkpoint list", joined(checkpoint_paths(a)), joined(checkpoint_paths(b)));
    differ("settings", joined(a.settings), joined(b.settings));
    differ("corpus hash", a.corpus_format + " " + a.corpus_hash, b.corpus_format + " " + b.corpus_hash);
    differ("text list", joined(a.texts), joined(b.texts));
    differ("statistics", joined(a.statistics), joined(b.statistics));
    differ("max tokens", std::to_string(a.max_tokens), std::to_string(b.max_tokens));
    differ("window", std::to_string(a.window), std::to_string(b.window));
    differ("bootstrap resamples", std::to_string(a.bootstrap), std::to_string(b.bootstrap));
    differ("seed", std::to_string(a.seed), std::to_string(b.seed));
}

}  // namespace rs
