// Runs one benchmark problem in a child process, so a crash, hang or out-of-memory in one
// problem becomes a failure row for that problem instead of the end of the whole run.
#pragma once

#include "bench_results.hpp"
#include "qplayer/settings.hpp"

#include <functional>
#include <string>

namespace qplayer::cli {

struct RunnerConfig {
  Settings settings;           ///< tolerances, time_limit and backend given to the solver
  double tolerance = 1e-9;     ///< the verification threshold (qpbenchmark: r < tol)
  double time_limit_s = 1000;  ///< recorded in each row
  /// The child is killed (SIGKILL) this long after it started: the solver's own limit
  /// excludes reading the file and setup, so this must leave room for both.
  double kill_after_s = 1505;
  double memory_limit_gb = 0.0;  ///< RLIMIT_AS of the child; <= 0: none
  std::string solutions_dir;     ///< NAME.json (the `solve --json` document) goes here
};

/// What one child produced: its row, plus what the command needs to decide whether to go on.
struct RunOutcome {
  BenchRow row;
  std::string message;  ///< one line for stderr when the file or the settings were rejected
  /// The solver rejected the settings (e.g. a backend not compiled in): every problem would
  /// fail alike, so the run should stop rather than record them all.
  bool settings_rejected = false;
};

/// Forks one child per problem; the child loads, solves, verifies from the original data
/// (compute_residuals, not the solver's Info), writes NAME.json and reports one JSON line
/// per event through a pipe. The parent never solves, so it stays single-threaded and safe
/// to fork from.
///
/// Test-only hooks (used by tests/cli, not a user feature): when the environment variable
/// QPLAYER_BENCH_TEST_CRASH names a problem, its child calls abort() after loading it;
/// QPLAYER_BENCH_TEST_HANG makes it sleep forever instead (exercises the kill at the limit).
class ProblemRunner {
 public:
  explicit ProblemRunner(RunnerConfig config);

  /// Runs the file at `path` under the name `name`. `tick` is called about once a second
  /// while the child runs (to refresh a progress line). Throws std::runtime_error only when
  /// no child can be started at all (fork or pipe failed).
  RunOutcome run(const std::string& path, const std::string& name,
                 const std::function<void()>& tick);

  const RunnerConfig& config() const { return config_; }

 private:
  RunnerConfig config_;
};

}  // namespace qplayer::cli
