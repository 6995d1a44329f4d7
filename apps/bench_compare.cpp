// Comparison of runs: problems aligned by name, one failure value for all runs (the largest
// time limit), and the same metrics code as each run's summary.
#include "bench_compare.hpp"

#include "bench_metrics.hpp"
#include "bench_profile.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <set>

namespace qplayer::cli {
namespace {

namespace fs = std::filesystem;

// A trailing slash makes filename() empty; lexically_normal + this step gives the last name.
fs::path without_trailing_slash(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.filename().empty() && p.has_parent_path()) p = p.parent_path();
  return p;
}

std::string csv_of(const std::string& path) {
  const fs::path p = without_trailing_slash(path);
  return fs::is_directory(p) ? (p / "results.csv").string() : p.string();
}

std::string label_of(const std::string& path) {
  const fs::path p = without_trailing_slash(path);
  if (fs::is_directory(p)) return fs::absolute(p).lexically_normal().filename().string();
  if (p.filename() == "results.csv")
    return fs::absolute(p).lexically_normal().parent_path().filename().string();
  return p.stem().string();
}

std::string cell(const char* pattern, double value, int width) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, width, value);
  return buffer;
}

}  // namespace

RunComparison::RunComparison(const std::vector<std::string>& paths) {
  std::vector<std::vector<BenchRow>> runs;
  std::set<std::string> names;
  for (const auto& path : paths) {
    runs.push_back(read_results_csv(csv_of(path)));
    for (const BenchRow& row : runs.back()) names.insert(row.name);
    labels_.push_back(label_of(path));
  }
  // Two runs in directories of the same name (a/out, b/out) are told apart by their paths.
  const std::vector<std::string> base_names = labels_;
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (std::count(base_names.begin(), base_names.end(), base_names[i]) > 1) labels_[i] = paths[i];
  names_.assign(names.begin(), names.end());

  std::set<double> limits, tolerances;
  for (const auto& run : runs)
    for (const BenchRow& row : run) {
      limits.insert(row.time_limit_s);
      tolerances.insert(row.tolerance);
    }
  limits_differ_ = limits.size() > 1;
  tolerances_differ_ = tolerances.size() > 1;
  for (const auto& run : runs) failure_time_s_ = std::max(failure_time_s_, largest_time_limit(run));
  const double loosest_tolerance = tolerances.empty() ? 0.0 : *tolerances.rbegin();

  for (const auto& run : runs) {
    std::vector<BenchRow> aligned;
    for (const auto& name : names_) {
      const auto it = std::find_if(run.begin(), run.end(),
                                   [&name](const BenchRow& row) { return row.name == name; });
      if (it != run.end()) {
        aligned.push_back(*it);
        continue;
      }
      BenchRow missing;  // not run at all: a failure, like a crash
      missing.name = name;
      missing.status = "missing";
      missing.tolerance = run.empty() ? loosest_tolerance : run.front().tolerance;
      missing.time_limit_s = failure_time_s_;
      aligned.push_back(missing);
    }
    rows_.push_back(std::move(aligned));
  }
}

void RunComparison::print_table(std::ostream& out) const {
  std::vector<RunMetrics> metrics;
  for (const auto& rows : rows_) metrics.push_back(compute_metrics(rows, failure_time_s_));

  int width = 10;
  for (const auto& label : labels_) width = std::max(width, static_cast<int>(label.size()));
  constexpr int kNameWidth = 26;
  char line[128];
  std::snprintf(line, sizeof line, "%-*s", kNameWidth, "");
  out << line;
  for (const auto& label : labels_) out << ' ' << std::string(width - label.size(), ' ') << label;
  out << '\n';

  const auto print = [&](const char* name, const std::function<std::string(std::size_t)>& value) {
    std::snprintf(line, sizeof line, "%-*s", kNameWidth, name);
    out << line;
    for (std::size_t r = 0; r < metrics.size(); ++r) out << ' ' << value(r);
    out << '\n';
  };
  // qpbenchmark's tables: rates in percent, shifted geometric means divided by the best.
  const auto normalized = [&](double RunMetrics::*field) {
    double best = std::numeric_limits<double>::infinity();
    for (const auto& m : metrics) best = std::min(best, m.*field);
    return [&metrics, field, best, width](std::size_t r) {
      const double v = metrics[r].*field;
      const double ratio = best > 0 ? v / best : (v == 0 ? 1.0 : HUGE_VAL);
      return cell("%*.1f", ratio, width);
    };
  };
  print("problems", [&](std::size_t r) { return cell("%*.0f", metrics[r].problems, width); });
  print("success rate (%)",
        [&](std::size_t r) { return cell("%*.1f", metrics[r].success_rate, width); });
  print("correct return code (%)",
        [&](std::size_t r) { return cell("%*.1f", metrics[r].correct_rate, width); });
  print("runtime (shm)", normalized(&RunMetrics::runtime_shm));
  print("primal residual (shm)", normalized(&RunMetrics::primal_shm));
  print("dual residual (shm)", normalized(&RunMetrics::dual_shm));
  print("duality gap (shm)", normalized(&RunMetrics::gap_shm));
  print("runtime shm (s)",
        [&](std::size_t r) { return cell("%*.4g", metrics[r].runtime_shm, width); });
  print("runtime, verified (shm)", normalized(&RunMetrics::runtime_verified_shm));
  print("runtime, verified shm (s)",
        [&](std::size_t r) { return cell("%*.4g", metrics[r].runtime_verified_shm, width); });

  out << "\nshm: shifted geometric mean (sh = 10), divided by the best run's (1.0 = best). "
         "A problem not reported solved counts at the time limit ("
      << failure_time_s_
      << " s) for runtime and at the tolerance for residuals (qpbenchmark's rule); the "
         "\"verified\" runtime rows also count a \"solved\" that fails the check there.\n";
  if (limits_differ_)
    out << "note: the runs have different time limits; failures are counted at the largest ("
        << failure_time_s_ << " s).\n";
  if (tolerances_differ_)
    out << "note: the runs were verified at different tolerances; each row keeps its own.\n";
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const auto missing = std::count_if(rows_[r].begin(), rows_[r].end(),
                                       [](const BenchRow& row) { return row.status == "missing"; });
    if (missing > 0)
      out << "note: " << labels_[r] << " has no row for " << missing
          << " problem(s) of the other runs; they count as failures.\n";
  }
}

void RunComparison::write_profile(const std::string& svg_path) const {
  std::vector<std::vector<double>> times;
  for (const auto& rows : rows_) {
    std::vector<double> run;
    for (const BenchRow& row : rows)
      run.push_back(row.found() && row.verified ? row.runtime()
                                                : std::numeric_limits<double>::infinity());
    times.push_back(std::move(run));
  }
  PerformanceProfile(labels_, times).write_svg(svg_path);
}

std::string RunComparison::default_plot_path(const std::string& first_path) {
  fs::path p = fs::absolute(without_trailing_slash(first_path)).lexically_normal();
  if (!fs::is_directory(p)) p = p.parent_path();  // a CSV file: its directory is the run's
  return (p.parent_path() / "profile.svg").string();
}

}  // namespace qplayer::cli
