// Tokenizer throughput on ~2.8 MB of English (State of the Union addresses 1946-2021) with the
// real Llama-3 (byte-level BPE) and Llama-2 (SentencePiece-style BPE) tokenizer files, whole corpus
// in one call and document by document. Compare with tokenizer_reference_bench.js (same corpus,
// same files, the Hugging Face Rust library); the id checksums printed first must match its.
// Setup: bench/tokenizer_bench_setup.sh. Cache folder: $ROPESCOPE_TOKENIZER_CACHE, default
// tests/tokenizer/.npm-cache.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "error.h"
#include "tokenizer.h"

namespace {

namespace fs = std::filesystem;

fs::path cache_dir() {
    if (const char* env = std::getenv("ROPESCOPE_TOKENIZER_CACHE")) return env;
    return fs::path(__FILE__).parent_path().parent_path() / "tests" / "tokenizer" / ".npm-cache";
}

struct Corpus {
    std::string text;
    std::vector<std::string> documents;  // split on blank lines, as the reference script does
};

const Corpus& corpus() {
    static const Corpus c = [] {
        Corpus out;
        const fs::path path = cache_dir() / "corpus" / "sotu_1946_2021.txt";
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw rs::FileError(path.string(), "missing: run bench/tokenizer_bench_setup.sh first");
        std::stringstream ss;
        ss << in.rdbuf();
        out.text = ss.str();
        std::size_t pos = 0;
        while (pos < out.text.size()) {
            std::size_t end = out.text.find("\n\n", pos);
            if (end == std::string::npos) end = out.text.size();
            if (end > pos) out.documents.push_back(out.text.substr(pos, end - pos));
            pos = end + 2;
        }
        return out;
    }();
    return c;
}

const rs::Tokenizer& tokenizer(const std::string& name) {
    static std::vector<std::pair<std::string, std::unique_ptr<rs::Tokenizer>>> loaded;
    for (const auto& [n, t] : loaded)
        if (n == name) return *t;
    loaded.emplace_back(name, std::make_unique<rs::Tokenizer>(
                                  rs::Tokenizer::load((cache_dir() / "models" / name).string())));
    return *loaded.back().second;
}

// FNV-1a over the ids, the same checksum the reference script prints.
std::uint32_t checksum(const std::vector<std::int32_t>& ids) {
    std::uint32_t h = 0x811c9dc5u;
    for (std::int32_t id : ids) h = (h ^ static_cast<std::uint32_t>(id)) * 0x01000193u;
    return h;
}

void BM_EncodeWholeCorpus(benchmark::State& state, const std::string& name) {
    const auto& tok = tokenizer(name);
    const std::string& text = corpus().text;
    std::size_t tokens = 0;
    for (auto _ : state) {
        auto enc = tok.encode(text, false);
        tokens = enc.ids.size();
        benchmark::DoNotOptimize(enc.ids.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
    state.counters["tokens"] = static_cast<double>(tokens);
}

void BM_EncodePerDocument(benchmark::State& state, const std::string& name) {
    const auto& tok = tokenizer(name);
    for (auto _ : state) {
        for (const auto& doc : corpus().documents) {
            auto enc = tok.encode(doc, false);
            benchmark::DoNotOptimize(enc.ids.data());
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpus().text.size()));
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::printf("corpus: %.2f MB, %zu documents\n",
                    static_cast<double>(corpus().text.size()) / 1e6, corpus().documents.size());
        for (const std::string name : {"llama3", "llama2"}) {
            const auto ids = tokenizer(name).encode(corpus().text, false).ids;
            std::printf("%s: %zu tokens, checksum %08x\n", name.c_str(), ids.size(), checksum(ids));
            benchmark::RegisterBenchmark(("EncodeWholeCorpus/" + name).c_str(),
                                         BM_EncodeWholeCorpus, name)
                ->Unit(benchmark::kMillisecond)
                ->MinTime(2.0);
            benchmark::RegisterBenchmark(("EncodePerDocument/" + name).c_str(),
                                         BM_EncodePerDocument, name)
                ->Unit(benchmark::kMillisecond)
                ->MinTime(2.0);
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_tokenizer: " << e.what() << "\n";
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
