// One row of a `qplayer bench` run and its results.csv form. The CSV is the run's only source
// of truth: the summary, --resume and --compare all read it back, so another solver's results
// written with the same columns can be compared too.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace qplayer::cli {

/// What the runner learned about one problem. Residuals come from the original data, computed
/// by the runner (never the solver's own Info); NaN when there is no point to check.
struct BenchRow {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  std::string name;
  int n = -1;  ///< -1 (an empty cell): unknown, the child died before loading the file
  int m = -1;  ///< constraint rows (equalities + inequalities, box excluded)
  /// A qplayer::to_string status, or one of the runner's own: "timeout" (killed at the
  /// limit), "crashed (signal N)", "crashed (exit N)", "out_of_memory", "input_error",
  /// "error".
  std::string status;
  double setup_s = 0.0;
  double solve_s = 0.0;
  int iterations = 0;  ///< inner (Newton) iterations, what --max-iter counts
  double primal_residual = kNaN;
  double dual_residual = kNaN;
  double duality_gap = kNaN;
  double objective = kNaN;                    ///< in the file's sense (max stays max)
  std::optional<double> reference_objective;  ///< from DIR/manifest.csv, when present
  std::optional<bool> objective_match;        ///< |obj - ref| <= 1e-6 max(1, |ref|)
  bool verified = false;                      ///< status solved and r_p, r_d, r_g < tolerance
  double tolerance = 0.0;     ///< of the run (recorded per row so CSVs stay self-contained)
  double time_limit_s = 0.0;  ///< of the run

  bool found() const { return status == "solved"; }     ///< the solver claimed success
  double runtime() const { return setup_s + solve_s; }  ///< qpbenchmark times the whole call
};

/// The columns, in order: name,n,m,status,setup_s,solve_s,iterations,primal_residual,
/// dual_residual,duality_gap,objective,reference_objective,objective_match,verified,
/// tolerance,time_limit_s.
const std::vector<std::string>& results_columns();

/// Appends rows to OUT/results.csv as they finish, flushing each, so an interrupted run loses
/// at most the problem in flight and --resume can pick up from there.
class ResultsCsv {
 public:
  /// `append`: keep the existing file (its header included); else start a new one.
  /// Throws std::runtime_error naming the path if it cannot be written.
  ResultsCsv(std::string path, bool append);
  void append(const BenchRow& row);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Reads a results.csv (columns looked up by header name, so their order may differ).
/// Throws std::runtime_error naming the file and the missing column or bad line.
std::vector<BenchRow> read_results_csv(const std::string& path);

/// name -> reference objective from a manifest.csv with "name" and "reference_objective"
/// columns (empty cells skipped). A missing file gives an empty map.
std::map<std::string, double> read_reference_objectives(const std::string& manifest_path);

/// Splits one CSV line (RFC 4180 quotes allowed; no line breaks inside a field).
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace qplayer::cli
