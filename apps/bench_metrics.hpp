// The qpbenchmark metrics of a run, reproduced exactly (qpbenchmark/results.py, report.py):
// success rate, correct-return-code rate and shifted geometric means with shift 10 of the
// runtime and of the three residuals, failures replaced by the time limit / tolerance.
#pragma once

#include "bench_results.hpp"

#include <vector>

namespace qplayer::cli {

/// qpbenchmark's shift for all four means (runtime in seconds and the residuals alike).
constexpr double kShmShift = 10.0;

/// Shifted geometric mean exp(mean(log(v + sh))) - sh of non-negative values; computed as
/// sh * expm1(mean(log1p(v / sh))), the same number without the cancellation that would
/// otherwise leave ~5 significant digits of a residual mean of 1e-10 next to sh = 10.
/// NaN values count as +infinity. Empty input: 0.
double shifted_geometric_mean(const std::vector<double>& values, double shift = kShmShift);

struct RunMetrics {
  int problems = 0;
  int found = 0;              ///< the solver returned "solved" (qpbenchmark's `found`)
  int solved = 0;             ///< found AND verified from the original data: the success count
  int correct = 0;            ///< found == verified: the return code told the truth
  double success_rate = 0.0;  ///< percent
  double correct_rate = 0.0;  ///< percent
  /// Shifted geometric means. As in qpbenchmark a row that is not `found` enters at the
  /// failure value (time limit for runtime, the row's tolerance for residuals); a `found`
  /// row enters with its own value even if verification rejected it.
  double runtime_shm = 0.0;  ///< seconds, runtime = setup + solve (qpbenchmark times both)
  /// The same mean with every row that is not verified (a wrong "solved" included) at the
  /// time limit: ../shared/docs/benchmarks.md's wording, where a failure is anything that is
  /// not solved by the runner's check. qpbenchmark's code charges only rows not `found`, so
  /// a solver that claims "solved" quickly on a wrong answer gains from that claim.
  double runtime_verified_shm = 0.0;
  double primal_shm = 0.0;
  double dual_shm = 0.0;
  double gap_shm = 0.0;
};

/// Metrics of `rows`; `failure_time_s` is the runtime charged to failures (a run's own time
/// limit, or the largest limit when several runs are compared).
RunMetrics compute_metrics(const std::vector<BenchRow>& rows, double failure_time_s);

/// The largest time_limit_s among `rows` (0 when empty).
double largest_time_limit(const std::vector<BenchRow>& rows);

}  // namespace qplayer::cli
