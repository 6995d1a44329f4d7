// qpbenchmark's aggregate metrics. Kept apart from the Markdown and the comparison table so
// both print numbers computed by one definition.
#include "bench_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qplayer::cli {

double shifted_geometric_mean(const std::vector<double>& values, double shift) {
  if (values.empty()) return 0.0;
  long double sum = 0.0L;
  for (double v : values) {
    const long double x = std::isnan(v) ? std::numeric_limits<long double>::infinity() : v;
    sum += std::log1p(x / shift);
  }
  return static_cast<double>(shift * std::expm1(sum / static_cast<long double>(values.size())));
}

RunMetrics compute_metrics(const std::vector<BenchRow>& rows, double failure_time_s) {
  RunMetrics metrics;
  metrics.problems = static_cast<int>(rows.size());
  std::vector<double> runtime, runtime_verified, primal, dual, gap;
  for (const BenchRow& row : rows) {
    // found & verified, as qpbenchmark's found_and_valid: a foreign CSV's "verified" alone
    // does not count.
    const bool found = row.found();
    const bool success = found && row.verified;
    metrics.found += found;
    metrics.solved += success;
    metrics.correct += found == success;
    runtime.push_back(found ? row.runtime() : failure_time_s);
    runtime_verified.push_back(success ? row.runtime() : failure_time_s);
    primal.push_back(found ? row.primal_residual : row.tolerance);
    dual.push_back(found ? row.dual_residual : row.tolerance);
    gap.push_back(found ? row.duality_gap : row.tolerance);
  }
  if (metrics.problems > 0) {
    metrics.success_rate = 100.0 * metrics.solved / metrics.problems;
    metrics.correct_rate = 100.0 * metrics.correct / metrics.problems;
  }
  metrics.runtime_shm = shifted_geometric_mean(runtime);
  metrics.runtime_verified_shm = shifted_geometric_mean(runtime_verified);
  metrics.primal_shm = shifted_geometric_mean(primal);
  metrics.dual_shm = shifted_geometric_mean(dual);
  metrics.gap_shm = shifted_geometric_mean(gap);
  return metrics;
}

double largest_time_limit(const std::vector<BenchRow>& rows) {
  double limit = 0.0;
  for (const BenchRow& row : rows)
    if (std::isfinite(row.time_limit_s)) limit = std::max(limit, row.time_limit_s);
  return limit;
}

}  // namespace qplayer::cli
