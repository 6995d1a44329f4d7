// Loading and solving one problem file: the unit of work shared by `solve` (and `bench` later).
// Library exceptions become one-line, file-naming errors here so every subcommand reports alike.
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/result.hpp"
#include "qplayer/settings.hpp"

#include <stdexcept>
#include <string>

namespace qplayer::cli {

/// The file cannot be run (missing, malformed, invalid data). what() is one line naming the
/// file; other files of the same command can still run.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The settings are rejected by the solver (e.g. a backend that is not compiled in). This
/// would fail for every file alike, so the command stops at the first one.
class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads a QPS file (gzip ok). Throws InputError.
Problem load_problem(const std::string& path);

/// Sets up a solver for `problem` and solves it once. Throws InputError when the data is
/// rejected and SettingsError when the settings are.
Result solve_problem(const Problem& problem, const Settings& settings, const std::string& path);

/// Short display name of a file: its base name without .gz and .qps/.mps suffixes.
std::string problem_label(const std::string& path);

/// `text` with line breaks folded into spaces, so an error stays on one line of stderr.
std::string one_line(const std::string& text);

/// The objective in the sense the file states (the library always minimizes).
double file_objective(const Problem& problem, double objective);

/// One multiplier per constraint row of the file, in file order, taken from result.y (rows
/// that became equalities) or result.z (inequalities); > 0 when the upper side is active.
/// Without row metadata (a problem not read from a file): y followed by z.
Vector multipliers_in_file_order(const Problem& problem, const Result& result);

/// The box multipliers, zeros when the problem has no box (or the solver left them empty).
Vector box_multipliers(const Problem& problem, const Result& result);

}  // namespace qplayer::cli
