// `qplayer bench`: options, input checks (all before the first child starts, so a typo costs
// nothing), the loop over problems with its progress line, and the final summary.
#include "bench_command.hpp"

#include "bench_compare.hpp"
#include "bench_progress.hpp"
#include "bench_report.hpp"
#include "bench_runner.hpp"
#include "option_names.hpp"
#include "problem_run.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

namespace qplayer::cli {
namespace {

namespace fs = std::filesystem;
constexpr int kExitInputError = 2;

/// Rejected input: reported as one stderr line, exit code 2.
class BenchInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const std::map<std::string, double>& accuracy_tolerances() {
  static const std::map<std::string, double> tolerances = {
      {"high", 1e-9}, {"mid", 1e-6}, {"low", 1e-3}};
  return tolerances;
}

// Finite and > 0: failures are charged the time limit, so "no limit" has no meaning here.
CLI::Validator finite_positive() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') return "expected a number, got '" + text + "'";
        if (!(value > 0.0) || !std::isfinite(value)) return "must be finite and > 0, got " + text;
        return "";
      },
      "NUMBER > 0");
}

bool is_qps_file_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto ends_with = [&name](const std::string& suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".qps") || ends_with(".qps.gz");
}

// The problem files of `dir`, sorted by file name; one per problem name (A.QPS and A.QPS.gz
// would both be "A": the first in name order is kept, the other reported).
std::vector<std::string> problem_files(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error))
    throw BenchInputError(dir + ": " +
                          (fs::exists(dir, error) ? "not a directory" : "no such directory"));
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir, error))
    if (entry.is_regular_file(error) && is_qps_file_name(entry.path().filename().string()))
      found.push_back(entry.path());
  if (error) throw BenchInputError(dir + ": cannot list (" + error.message() + ")");
  if (found.empty()) throw BenchInputError(dir + ": no .QPS or .QPS.gz files");
  std::sort(found.begin(), found.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  std::vector<std::string> files;
  std::set<std::string> names;
  for (const auto& path : found) {
    if (names.insert(problem_label(path.string())).second)
      files.push_back(path.string());
    else
      std::cerr << "qplayer: warning: " << path.string() << ": a problem of the same name "
                << "comes first; skipped" << std::endl;
  }
  return files;
}

std::string shortest(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// Rows of an earlier run that --resume keeps. They must have been made with the same
// tolerance and time limit, else the summary would mix two benchmarks without saying so.
std::vector<BenchRow> resumable_rows(const std::string& csv_path, double tolerance,
                                     double time_limit) {
  std::error_code error;
  if (!fs::exists(csv_path, error)) return {};
  std::vector<BenchRow> rows;
  try {
    rows = read_results_csv(csv_path);
  } catch (const std::runtime_error& e) {
    throw BenchInputError(std::string(e.what()) + " (cannot --resume from it)");
  }
  for (const BenchRow& row : rows) {
    if (row.tolerance != tolerance || row.time_limit_s != time_limit)
      throw BenchInputError(csv_path + ": made with tolerance " + shortest(row.tolerance) +
                            " and time limit " + shortest(row.time_limit_s) +
                            " s; --resume needs the same --accuracy and --time-limit");
  }
  return rows;
}

RunnerConfig runner_config(const BenchOptions& options, double tolerance) {
  RunnerConfig config;
  config.settings.backend = backend_names().at(options.backend);
  config.settings.ordering = ordering_names().at(options.ordering);
  config.settings.eps_abs = tolerance;
  config.settings.eps_rel = 0.0;
  config.settings.check_duality_gap = true;
  config.settings.eps_gap_abs = tolerance;
  config.settings.eps_gap_rel = 0.0;
  config.settings.time_limit = options.time_limit;
  config.tolerance = tolerance;
  config.time_limit_s = options.time_limit;
  // The solver's limit excludes reading and setup: half the limit again plus 5 s covers a
  // large gzip file, and a hang is still caught.
  config.kill_after_s = 1.5 * options.time_limit + 5.0;
  config.memory_limit_gb = options.memory_limit_gb;
  config.solutions_dir = (fs::path(options.out_dir) / "solutions").string();
  return config;
}

int run_compare(const BenchOptions& options) {
  if (!options.data_dir.empty()) throw BenchInputError("give either DIR or --compare, not both");
  if (options.compare.size() < 2)
    throw BenchInputError("--compare needs at least two runs (OUT directories or CSV files)");
  std::unique_ptr<RunComparison> comparison;
  try {
    comparison = std::make_unique<RunComparison>(options.compare);
  } catch (const std::runtime_error& e) {
    throw BenchInputError(e.what());
  }
  const std::string plot = options.plot_path.empty()
                               ? RunComparison::default_plot_path(options.compare.front())
                               : options.plot_path;
  comparison->print_table(std::cout);
  try {
    comparison->write_profile(plot);
  } catch (const std::runtime_error& e) {
    throw BenchInputError(e.what());
  }
  std::cout << "performance profile: " << plot << std::endl;
  return 0;
}

int run_benchmark(const BenchOptions& options) {
  if (options.data_dir.empty()) throw BenchInputError("DIR is required (or --compare OUT...)");
  const auto start = std::chrono::steady_clock::now();
  const double tolerance = accuracy_tolerances().at(options.accuracy);
  const std::vector<std::string> files = problem_files(options.data_dir);

  const fs::path out_dir(options.out_dir);
  const std::string csv_path = (out_dir / "results.csv").string();
  const std::string summary_path = (out_dir / "summary.md").string();
  std::error_code error;
  fs::create_directories(out_dir / "solutions", error);
  if (error) throw BenchInputError(options.out_dir + ": cannot create (" + error.message() + ")");
  const std::vector<BenchRow> earlier =
      options.resume ? resumable_rows(csv_path, tolerance, options.time_limit)
                     : std::vector<BenchRow>();
  std::set<std::string> done;
  for (const BenchRow& row : earlier) done.insert(row.name);
  std::vector<std::string> pending;
  for (const auto& path : files)
    if (!done.count(problem_label(path))) pending.push_back(path);

  std::unique_ptr<ResultsCsv> csv;
  try {
    csv = std::make_unique<ResultsCsv>(csv_path, options.resume);
  } catch (const std::runtime_error& e) {
    throw BenchInputError(e.what());
  }
  if (pending.empty() && fs::exists(summary_path)) {
    std::cout << "nothing to run: all " << files.size() << " problems are in " << csv_path
              << std::endl;
    return 0;
  }

  const auto references =
      read_reference_objectives((fs::path(options.data_dir) / "manifest.csv").string());
  ProblemRunner runner(runner_config(options, tolerance));
  std::size_t name_width = 0;
  for (const auto& path : pending) name_width = std::max(name_width, problem_label(path).size());
  ProgressLine progress(std::cout, ::isatty(STDOUT_FILENO) == 1, static_cast<int>(pending.size()),
                        static_cast<int>(name_width));
  int exit_code = 0;
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const std::string name = problem_label(pending[i]);
    progress.start(static_cast<int>(i + 1), name);
    RunOutcome outcome = runner.run(pending[i], name, [&progress] { progress.tick(); });
    if (outcome.settings_rejected) {
      progress.close();
      throw BenchInputError(outcome.message);
    }
    BenchRow& row = outcome.row;
    const auto reference = references.find(name);
    if (reference != references.end()) {
      row.reference_objective = reference->second;
      if (std::isfinite(row.objective))
        row.objective_match = std::abs(row.objective - reference->second) <=
                              1e-6 * std::max(1.0, std::abs(reference->second));
    }
    csv->append(row);
    if (!outcome.message.empty()) {  // the file was rejected: recorded, reported, run goes on
      progress.close();
      std::cerr << "qplayer: error: " << one_line(outcome.message) << std::endl;
      exit_code = kExitInputError;
    }
    progress.finish(row);
  }
  progress.close();

  RunDescription run;
  run.data_dir = options.data_dir;
  run.accuracy = options.accuracy;
  run.tolerance = tolerance;
  run.time_limit_s = options.time_limit;
  run.kill_after_s = runner.config().kill_after_s;
  run.backend = options.backend;
  run.memory_limit_gb = options.memory_limit_gb;
  run.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.resumed_rows = static_cast<int>(earlier.size());
  const std::vector<BenchRow> rows = read_results_csv(csv_path);
  write_summary(summary_path, run, rows);
  int solved = 0;
  for (const BenchRow& row : rows) solved += row.found() && row.verified;
  std::cout << "solved " << solved << "/" << rows.size() << " (" << options.accuracy
            << " accuracy); " << csv_path << ", " << summary_path << std::endl;
  return exit_code;
}

}  // namespace

CLI::App* add_bench_command(CLI::App& app, BenchOptions& options) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Benchmark every .QPS/.QPS.gz file of DIR (qpbenchmark rules), or --compare runs");
  bench->add_option("DIR", options.data_dir, "Directory of problem files (and manifest.csv)");
  const std::vector<std::string> accuracies = names_of(accuracy_tolerances());
  bench->add_option("--accuracy", options.accuracy, "high 1e-9, mid 1e-6, low 1e-3")
      ->check(CLI::IsMember(accuracies))
      ->capture_default_str();
  bench->add_option("--backend", options.backend, "Linear-algebra backend")
      ->check(CLI::IsMember(names_of(backend_names())))
      ->capture_default_str();
  bench->add_option("--ordering", options.ordering, "Fill-reducing ordering (sparse backends)")
      ->check(CLI::IsMember(names_of(ordering_names())))
      ->capture_default_str();
  bench
      ->add_option("--time-limit", options.time_limit,
                   "Solver time limit per problem in seconds (failures count at it)")
      ->check(finite_positive())
      ->capture_default_str();
  bench->add_option("--out", options.out_dir, "Output directory")->capture_default_str();
  bench->add_flag("--resume", options.resume, "Skip the problems already in OUT/results.csv");
  bench
      ->add_option("--memory-limit-gb", options.memory_limit_gb,
                   "Address-space limit of each problem's process (default: none)")
      ->check(finite_positive());
  bench
      ->add_option("--compare", options.compare,
                   "Compare finished runs (OUT directories or results CSV files)")
      ->expected(2, CLI::detail::expected_max_vector_size);
  bench->add_option("--plot", options.plot_path,
                    "With --compare: performance-profile SVG (default: beside the first OUT)");
  return bench;
}

int run_bench(const BenchOptions& options) {
  try {
    return options.compare.empty() ? run_benchmark(options) : run_compare(options);
  } catch (const BenchInputError& e) {
    std::cerr << "qplayer: error: " << one_line(e.what()) << std::endl;
    return kExitInputError;
  }
}

}  // namespace qplayer::cli
