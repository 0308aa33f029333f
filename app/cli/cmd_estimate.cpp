// `ropescope-cli estimate DIR --tokens 512,4096,32768`: what runs of those lengths will cost —
// memory, trace size, work and predicted time on this machine — before starting any of them.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/cli/checkpoint_args.h"
#include "app/cli/command.h"
#include "error.h"
#include "machine_rates.h"
#include "run_estimate.h"
#include "run_plan.h"

namespace rs::cli {
namespace {

int run(const Args& args) {
    std::vector<int> lengths;
    for (double t :
         parse_number_list(args.get_or("tokens", "512,2048,4096,8192,16384,32768"), "tokens")) {
        if (t < 1 || t > 1e7 || t != double(int(t)))
            throw UsageError("--tokens must be whole numbers >= 1");
        lengths.push_back(int(t));
    }
    const bool instrumented = !args.flag("plain");  // the `trace` command's instrumentation
    const auto ck = open_checkpoint(args);
    const MachineRates rates = measure_machine_rates(ck->config(), ck->layout());
    const std::uint64_t available = available_memory(), mapped = ck->mapped_bytes();
    nlohmann::json rows = nlohmann::json::array();
    if (!args.flag("json"))
        std::printf("%8s %12s %12s %12s %14s %10s  %s\n", "tokens", "memory", "trace file", "GFLOP",
                    "attn entries", "time", "fits");
    for (int T : lengths) {
        // As `trace` and `stats` run: one layer converted at a time.
        const RunPlan plan =
            instrumented ? trace_plan(T, QKPrecision::F16, false) : forward_plan(T, false);
        const RunEstimate e = estimate_run(ck->config(), ck->layout(), plan, mapped);
        const double secs = predict_seconds(e, rates, instrumented);
        const bool fits = e.needed() <= available;
        rows.push_back({{"tokens", T},
                        {"memory_bytes", e.needed()},
                        {"mapped_bytes", e.mapped},
                        {"trace_bytes", e.trace_file},
                        {"linear_gflop", e.linear_flops * 1e-9},
                        {"attention_gflop", e.attention_flops * 1e-9},
                        {"attention_entries", e.attention_entries},
                        {"seconds", secs},
                        {"fits", fits}});
        if (!args.flag("json"))
            std::printf("%8d %12s %12s %12.0f %14.3g %9.0fs  %s\n", T,
                        format_bytes(double(e.needed())).c_str(),
                        format_bytes(double(e.trace_file)).c_str(),
                        (e.linear_flops + e.attention_flops) * 1e-9, e.attention_entries, secs,
                        fits ? "yes" : "no");
    }
    if (args.flag("json")) {
        std::cout
            << nlohmann::json{{"available_bytes", available},
                              {"instrumented", instrumented},
                              {"threads", rates.threads},
                              {"gemm_gflops", rates.gemm_flops_per_second * 1e-9},
                              {"lm_head_gflops", rates.lm_head_flops_per_second * 1e-9},
                              {"ns_per_converted_weight", rates.seconds_per_converted_weight * 1e9},
                              {"ns_per_entry", (instrumented ? rates.seconds_per_entry_instrumented
                                                             : rates.seconds_per_entry_plain) *
                                                   1e9},
                              {"runs", rows}}
                   .dump()
            << "\n";
        return 0;
    }
    std::printf("memory available %s; weights mapped from disk %s (page cache, not counted)\n",
                format_bytes(double(available)).c_str(), format_bytes(double(mapped)).c_str());
    std::printf(
        "measured now: GEMM %.0f GFLOP/s (lm_head %.0f, %d threads), attention %.2f ns per entry "
        "(all threads busy%s), weight conversion %.2f ns per weight\n",
        rates.gemm_flops_per_second * 1e-9, rates.lm_head_flops_per_second * 1e-9, rates.threads,
        (instrumented ? rates.seconds_per_entry_instrumented : rates.seconds_per_entry_plain) * 1e9,
        instrumented ? ", with statistics and overview" : "",
        rates.seconds_per_converted_weight * 1e9);
    return 0;
}

const Command::Register reg{Command{
    "estimate", "DIR",
    "Memory, trace size, work and predicted time of runs of the given lengths (--plain: no "
    "instrumentation).",
    join_options({{{"tokens", "512,4096,32768", "the run lengths (default 512 to 32768)"},
                   {"plain", "", "runs without instrumentation (as `forward`), not as `trace`"}},
                  checkpoint_options()}),
    run}};

}  // namespace
}  // namespace rs::cli
