// `qplayer bench --compare OUT1 OUT2 ...`: the qpbenchmark table of several runs side by side
// (shifted geometric means normalized to the best run, 1.0 = best) and a performance profile.
#pragma once

#include "bench_results.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace qplayer::cli {

/// Runs being compared, each read from its results.csv; problems are aligned by name over the
/// union of all runs, and a problem missing from a run counts as a failure of that run.
class RunComparison {
 public:
  /// `paths`: OUT directories (their results.csv is read) or CSV files. Throws
  /// std::runtime_error naming the file on unreadable input.
  explicit RunComparison(const std::vector<std::string>& paths);

  /// The side-by-side table, with a note when the runs' time limits or tolerances differ.
  void print_table(std::ostream& out) const;
  /// The performance profile (runtime of verified problems only).
  void write_profile(const std::string& svg_path) const;

  /// Where the profile goes without --plot: beside the first run's directory.
  static std::string default_plot_path(const std::string& first_path);

 private:
  std::vector<std::string> labels_;          ///< one per run: its directory name
  std::vector<std::string> names_;           ///< union of the problem names, sorted
  std::vector<std::vector<BenchRow>> rows_;  ///< [run][problem], aligned with names_
  double failure_time_s_ = 0.0;  ///< runtime charged to failures: the largest time limit
  bool limits_differ_ = false;
  bool tolerances_differ_ = false;
};

}  // namespace qplayer::cli
