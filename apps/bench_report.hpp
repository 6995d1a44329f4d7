// OUT/summary.md of a `qplayer bench` run: the settings that make the figures comparable
// (accuracy, time limit, backend), the qpbenchmark metrics, and the failures by cause.
#pragma once

#include "bench_results.hpp"

#include <string>
#include <vector>

namespace qplayer::cli {

/// How the run was made; printed at the top so a summary is never read without its settings.
struct RunDescription {
  std::string data_dir;
  std::string accuracy;  ///< high, mid or low
  double tolerance = 0.0;
  double time_limit_s = 0.0;
  double kill_after_s = 0.0;
  std::string backend;
  double memory_limit_gb = 0.0;  ///< <= 0: none
  double wall_time_s = 0.0;      ///< of this invocation (a resumed run counts only its part)
  int resumed_rows = 0;          ///< rows taken over from an earlier run by --resume
};

/// Why a problem was not solved, in the words of the summary ("time limit", "crashed",
/// "wrong \"solved\"", ...); empty when the row is a success.
std::string failure_cause(const BenchRow& row);

/// Writes the summary of `rows` (all rows of results.csv) to `path`. Throws
/// std::runtime_error naming the path if it cannot be written.
void write_summary(const std::string& path, const RunDescription& run,
                   const std::vector<BenchRow>& rows);

}  // namespace qplayer::cli
