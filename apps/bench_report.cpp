// summary.md: Markdown tables readable as text. Every figure comes from compute_metrics over
// the rows of results.csv, so the summary can always be regenerated from the CSV.
#include "bench_report.hpp"

#include "bench_metrics.hpp"
#include "qplayer/version.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <stdexcept>

namespace qplayer::cli {
namespace {

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return buffer;
}

std::string rate(int count, int total) {
  const double percent = total > 0 ? 100.0 * count / total : 0.0;
  return format("%.1f %%", percent) + " (" + std::to_string(count) + "/" + std::to_string(total) +
         ")";
}

// The detail a cause's list shows after a name, when the cause alone does not say it all.
std::string detail(const BenchRow& row) {
  if (row.status == "timeout") return " (killed)";
  if (row.status.rfind("crashed", 0) == 0) return row.status.substr(7);  // " (signal 6)"
  if (failure_cause(row).rfind("other", 0) == 0) return " (" + row.status + ")";
  return "";
}

void write_header(std::ostream& out, const RunDescription& run, int problems) {
  out << "# qplayer bench: " << run.data_dir << "\n\n";
  out << "| setting | value |\n|:--|:--|\n";
  out << "| problems | " << problems << " |\n";
  out << "| accuracy | " << run.accuracy << " (tol = " << format("%g", run.tolerance)
      << ": eps_abs = eps_gap_abs = tol, eps_rel = 0, duality-gap check on) |\n";
  out << "| time limit | " << format("%g", run.time_limit_s)
      << " s (solver's limit, setup excluded; the process is killed at "
      << format("%g", run.kill_after_s) << " s) |\n";
  out << "| backend | " << run.backend << " |\n";
  out << "| memory limit | "
      << (run.memory_limit_gb > 0 ? format("%g GiB (address space)", run.memory_limit_gb)
                                  : std::string("none"))
      << " |\n";
  out << "| qplayer | " << QPLAYER_VERSION_STRING << " |\n";
  out << "| date | " << utc_now() << " |\n";
  out << "| wall time | " << format("%.1f", run.wall_time_s) << " s";
  if (run.resumed_rows > 0) out << " (this invocation; " << run.resumed_rows << " rows resumed)";
  out << " |\n\n";
}

void write_metrics(std::ostream& out, const std::vector<BenchRow>& rows, double time_limit) {
  const RunMetrics m = compute_metrics(rows, time_limit);
  out << "## Results\n\n| metric | value |\n|:--|--:|\n";
  out << "| success rate | " << rate(m.solved, m.problems) << " |\n";
  out << "| correct return code rate | " << rate(m.correct, m.problems) << " |\n";
  out << "| runtime (shm, s) | " << format("%.4g", m.runtime_shm) << " |\n";
  out << "| runtime, unverified at the limit (shm, s) | " << format("%.4g", m.runtime_verified_shm)
      << " |\n";
  out << "| primal residual (shm) | " << format("%.3g", m.primal_shm) << " |\n";
  out << "| dual residual (shm) | " << format("%.3g", m.dual_shm) << " |\n";
  out << "| duality gap (shm) | " << format("%.3g", m.gap_shm) << " |\n";
  int with_reference = 0, matching = 0;
  for (const BenchRow& row : rows)
    if (row.verified && row.objective_match) {
      ++with_reference;
      matching += *row.objective_match;
    }
  out << "| objective = reference (solved problems with one) | " << matching << "/"
      << with_reference << " |\n\n";
  out << "Solved = status `solved` AND r_p, r_d, r_g < tol, computed by the runner from the "
         "original data (qpbenchmark's rule). Correct return code = the status agrees with "
         "that check. Shifted geometric means: shm(v) = exp(mean(log(v + 10))) - 10; a "
         "problem not reported solved enters at the time limit (runtime = setup + solve) or "
         "at the tolerance (residuals), as in qpbenchmark; the second runtime row also charges "
         "the time limit to a \"solved\" that fails the check. The objective is compared with "
         "the manifest's reference to a relative 1e-6 (informational, not part of "
         "\"solved\").\n\n";
}

void write_failures(std::ostream& out, const std::vector<BenchRow>& rows) {
  std::map<std::string, std::vector<std::string>> by_cause;
  int failures = 0;
  for (const BenchRow& row : rows) {
    const std::string cause = failure_cause(row);
    if (cause.empty()) continue;
    ++failures;
    by_cause[cause].push_back(row.name + detail(row));
  }
  out << "## Failures (" << failures << ")\n\n";
  if (failures == 0) {
    out << "None.\n\n";
  } else {
    out << "| cause | count | problems |\n|:--|--:|:--|\n";
    for (const auto& [cause, names] : by_cause) {
      out << "| " << cause << " | " << names.size() << " | ";
      for (std::size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << names[i];
      out << " |\n";
    }
    out << '\n';
  }
  std::vector<std::string> mismatches;
  for (const BenchRow& row : rows)
    if (row.verified && row.objective_match && !*row.objective_match)
      mismatches.push_back(row.name + " (" + format("%.10g", row.objective) + " vs " +
                           format("%.10g", *row.reference_objective) + ")");
  if (!mismatches.empty()) {
    out << "## Solved, but the objective differs from the reference\n\n";
    for (const auto& line : mismatches) out << "- " << line << '\n';
    out << '\n';
  }
}

}  // namespace

std::string failure_cause(const BenchRow& row) {
  if (row.found() && row.verified) return "";
  const std::string& s = row.status;
  if (row.found()) return "wrong \"solved\" (verification failed)";
  if (s == "time_limit" || s == "timeout") return "time limit";
  if (s == "max_iter") return "max_iter";
  if (s == "numerical_error") return "numerical error";
  if (s == "non_convex") return "non-convex";
  if (s == "primal_infeasible" || s == "dual_infeasible") return "declared infeasible";
  if (s.rfind("crashed", 0) == 0) return "crashed";
  if (s == "out_of_memory") return "out of memory";
  if (s == "input_error") return "input rejected";
  return "other";
}

void write_summary(const std::string& path, const RunDescription& run,
                   const std::vector<BenchRow>& rows) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
  write_header(out, run, static_cast<int>(rows.size()));
  write_metrics(out, rows, run.time_limit_s);
  write_failures(out, rows);
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace qplayer::cli
