// `qplayer solve FILE...`: solve QPS files with the chosen settings and print a report (one
// file) or a table (several); optionally write the solution of one file as JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace qplayer::cli {

struct SolveOptions {
  std::vector<std::string> files;
  std::string backend = "auto";
  std::string ordering = "auto";
  double eps_abs = 0.0;  // set from Settings' defaults in add_solve_command
  double eps_rel = 0.0;
  double time_limit = 0.0;  // <= 0 or unset: no limit
  int max_iter = 0;
  std::string json_path;  // empty: no JSON
  bool verbose = false;
  bool no_gap_check = false;
  bool closest_feasible = false;
};

/// Registers the subcommand and its options on `app`; `options` must outlive parsing.
CLI::App* add_solve_command(CLI::App& app, SolveOptions& options);

/// Runs the parsed command. Returns the process exit code: 0 when every file ran (whatever
/// the solver status), 2 when a file or a setting was rejected (one line on stderr each).
int run_solve(const SolveOptions& options);

}  // namespace qplayer::cli
