// `qplayer bench DIR`: run every .QPS/.QPS.gz file of DIR under qpbenchmark's rules, one
// isolated child process per problem, and write OUT/results.csv, OUT/solutions/NAME.json and
// OUT/summary.md; `qplayer bench --compare OUT1 OUT2 ...` compares finished runs.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace qplayer::cli {

struct BenchOptions {
  std::string data_dir;           ///< empty with --compare
  std::string accuracy = "high";  ///< high 1e-9, mid 1e-6, low 1e-3 (benchmarks.md)
  std::string backend = "auto";
  std::string ordering = "auto";
  /// qpbenchmark's limit is 1000 s; on a small machine pass a smaller one (it is recorded).
  double time_limit = 1000.0;
  std::string out_dir = "bench-out";
  bool resume = false;
  double memory_limit_gb = 0.0;  ///< 0: no limit
  std::vector<std::string> compare;
  std::string plot_path;  ///< empty: beside the first compared run (RunComparison)
};

/// Registers the subcommand and its options on `app`; `options` must outlive parsing.
CLI::App* add_bench_command(CLI::App& app, BenchOptions& options);

/// Runs the parsed command. Exit code: 0 when the run completed (whatever the statuses),
/// 2 on rejected input (missing DIR, no QPS file, OUT not writable, a file the reader
/// rejects — that one is still recorded and the run goes on), 1 on an internal error.
int run_bench(const BenchOptions& options);

}  // namespace qplayer::cli
