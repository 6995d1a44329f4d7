// `qplayer solve`: option parsing into Settings, the per-file loop, and the exit-code policy
// (0 = it ran, whatever the status; 2 = input or usage was rejected).
#include "solve_command.hpp"

#include "json_output.hpp"
#include "option_names.hpp"
#include "problem_run.hpp"
#include "qplayer/settings.hpp"
#include "table.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>

namespace qplayer::cli {
namespace {

constexpr int kExitInputError = 2;

// CLI11's range validators print DBL_MAX in their messages and call "abc" out of range;
// these say what was expected in a few words (CLI11 prefixes the option name).
// `strict`: the value must be > 0, else >= 0. "inf" parses (e.g. --time-limit inf).
CLI::Validator number_from_zero(bool strict) {
  const std::string bound = strict ? "> 0" : ">= 0";
  return CLI::Validator(
      [strict, bound](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || std::isnan(value))
          return "expected a number, got '" + text + "'";
        if (strict ? !(value > 0.0) : !(value >= 0.0)) return "must be " + bound + ", got " + text;
        return "";
      },
      "NUMBER " + bound);
}

CLI::Validator positive_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long value = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0') return "expected an integer, got '" + text + "'";
        if (value < 1 || errno == ERANGE || value > std::numeric_limits<int>::max())
          return "must be between 1 and " + std::to_string(std::numeric_limits<int>::max()) +
                 ", got " + text;
        return "";
      },
      "INTEGER >= 1");
}

Settings make_settings(const SolveOptions& options) {
  Settings settings;
  settings.backend = backend_names().at(options.backend);
  settings.ordering = ordering_names().at(options.ordering);
  settings.eps_abs = options.eps_abs;
  settings.eps_rel = options.eps_rel;
  settings.max_iter = options.max_iter;
  if (options.time_limit > 0.0) settings.time_limit = options.time_limit;
  settings.verbose = options.verbose;
  settings.check_duality_gap = !options.no_gap_check;
  settings.closest_feasible = options.closest_feasible;
  return settings;
}

void report_error(const std::string& message) {
  std::cerr << "qplayer: error: " << message << std::endl;
}

// One file, full report and optional JSON. Returns the exit code.
int solve_single(const std::string& path, const SolveOptions& options, const Settings& settings) {
  try {
    const Problem problem = load_problem(path);
    const Result result = solve_problem(problem, settings, path);
    print_report(std::cout, path, problem, result);
    if (!options.json_path.empty()) {
      try {
        write_json(options.json_path, solution_json(path, problem, result));
      } catch (const std::runtime_error& e) {  // e.g. a directory that does not exist
        report_error(e.what());
        return kExitInputError;
      }
    }
    return 0;
  } catch (const InputError& e) {
    report_error(e.what());
  } catch (const SettingsError& e) {
    report_error(e.what());
  }
  return kExitInputError;
}

// Several files: one table row each. A rejected file gets an error row and the run goes on
// (one bad file should not hide the others' results); rejected settings stop the run.
int solve_many(const std::vector<std::string>& files, const Settings& settings) {
  std::size_t name_width = 0;
  for (const auto& path : files) name_width = std::max(name_width, problem_label(path).size());
  ResultTable table(std::cout, name_width);
  table.print_header();
  int exit_code = 0;
  for (const auto& path : files) {
    const std::string label = problem_label(path);
    try {
      const Problem problem = load_problem(path);
      const Result result = solve_problem(problem, settings, path);
      table.print_row(label, problem, result);
    } catch (const InputError& e) {
      std::cout.flush();
      report_error(e.what());
      table.print_error_row(label);
      exit_code = kExitInputError;
    } catch (const SettingsError& e) {
      std::cout.flush();
      report_error(e.what());
      return kExitInputError;
    }
  }
  return exit_code;
}

}  // namespace

CLI::App* add_solve_command(CLI::App& app, SolveOptions& options) {
  const Settings defaults;
  options.eps_abs = defaults.eps_abs;
  options.eps_rel = defaults.eps_rel;
  options.max_iter = defaults.max_iter;

  CLI::App* solve = app.add_subcommand(
      "solve", "Solve QPS files (gzip ok): a report for one file, a table for several");
  solve->add_option("FILE", options.files, "QPS file(s) to solve")->required();
  const std::vector<std::string> backends = names_of(backend_names());
  solve
      ->add_option("--backend", options.backend,
                   "Linear-algebra backend (ldl and cholmod only if compiled in)")
      ->check(CLI::IsMember(backends))
      ->capture_default_str();
  const std::vector<std::string> orderings = names_of(ordering_names());
  solve
      ->add_option("--ordering", options.ordering,
                   "Fill-reducing ordering of the sparse backends (metis only if compiled in)")
      ->check(CLI::IsMember(orderings))
      ->capture_default_str();
  solve->add_option("--eps-abs", options.eps_abs, "Absolute tolerance on residuals and gap")
      ->check(number_from_zero(false))
      ->capture_default_str();
  solve->add_option("--eps-rel", options.eps_rel, "Relative tolerance on residuals")
      ->check(number_from_zero(false))
      ->capture_default_str();
  solve->add_option("--time-limit", options.time_limit, "Solve time limit in seconds")
      ->check(number_from_zero(true));
  solve->add_option("--max-iter", options.max_iter, "Maximal Newton (inner) iterations")
      ->check(positive_integer())
      ->capture_default_str();
  solve->add_option("--json", options.json_path,
                    "Write status, objective, residuals and x, y, z_box to this file "
                    "(single FILE only)");
  solve->add_flag("--verbose", options.verbose, "Print one line per outer iteration");
  solve->add_flag("--no-gap-check", options.no_gap_check,
                  "Do not require a small duality gap to declare a problem solved");
  solve->add_flag("--closest-feasible", options.closest_feasible,
                  "On a primal infeasible problem, return the solution of the closest feasible "
                  "problem (smallest l2 shifts of the constraints; JSON: shift, shift_box)");
  return solve;
}

int run_solve(const SolveOptions& options) {
  if (!options.json_path.empty() && options.files.size() != 1) {
    report_error("--json takes a single FILE, got " + std::to_string(options.files.size()));
    return kExitInputError;
  }
  const Settings settings = make_settings(options);
  if (options.files.size() == 1) return solve_single(options.files.front(), options, settings);
  return solve_many(options.files, settings);
}

}  // namespace qplayer::cli
