// Text output of `qplayer solve`. printf-style formatting keeps the columns fixed-width,
// which iostream manipulators make verbose and easy to get wrong.
#include "table.hpp"

#include "problem_run.hpp"
#include "qplayer/status.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace qplayer::cli {
namespace {

// Widths of the fixed columns; the objective keeps 10 significant digits.
constexpr int kCountWidth = 8;
constexpr int kStatusWidth = 17;  // "primal_infeasible"
constexpr int kObjectiveWidth = 17;
constexpr int kResidualWidth = 9;
constexpr int kIterationsWidth = 11;
constexpr int kTimeWidth = 9;

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string iterations_text(const Info& info) {
  return std::to_string(info.outer_iterations) + "/" + std::to_string(info.inner_iterations);
}

}  // namespace

ResultTable::ResultTable(std::ostream& out, std::size_t name_width)
    : out_(out), name_width_(static_cast<int>(std::max<std::size_t>(name_width, 7))) {}

void ResultTable::print_header() {
  char line[256];
  std::snprintf(line, sizeof line, "%-*s %*s %*s  %-*s %*s %*s %*s %*s %*s %*s", name_width_,
                "problem", kCountWidth, "n", kCountWidth, "rows", kStatusWidth, "status",
                kObjectiveWidth, "objective", kResidualWidth, "primal", kResidualWidth, "dual",
                kResidualWidth, "gap", kIterationsWidth, "iter o/i", kTimeWidth, "time [s]");
  out_ << line << '\n' << std::string(std::char_traits<char>::length(line), '-') << '\n';
}

void ResultTable::print_row(const std::string& label, const Problem& problem,
                            const Result& result) {
  const Info& info = result.info;
  const int rows = problem.n_eq() + problem.n_in();
  char line[512];
  std::snprintf(
      line, sizeof line, "%-*s %*d %*d  %-*s %*s %*s %*s %*s %*s %*s", name_width_, label.c_str(),
      kCountWidth, problem.n(), kCountWidth, rows, kStatusWidth, to_string(info.status),
      kObjectiveWidth, format("%.10e", file_objective(problem, info.objective)).c_str(),
      kResidualWidth, format("%.2e", info.primal_residual).c_str(), kResidualWidth,
      format("%.2e", info.dual_residual).c_str(), kResidualWidth,
      format("%.2e", info.duality_gap).c_str(), kIterationsWidth, iterations_text(info).c_str(),
      kTimeWidth, format("%.3e", info.setup_time + info.solve_time).c_str());
  out_ << line << std::endl;  // flushed: rows appear as problems finish
}

void ResultTable::print_error_row(const std::string& label) {
  char line[256];
  std::snprintf(line, sizeof line, "%-*s %*s %*s  %-*s", name_width_, label.c_str(), kCountWidth,
                "-", kCountWidth, "-", kStatusWidth, "error");
  out_ << line << std::endl;
}

void print_report(std::ostream& out, const std::string& path, const Problem& problem,
                  const Result& result) {
  const Info& info = result.info;
  char line[256];
  const auto field = [&](const char* key, const std::string& value) {
    std::snprintf(line, sizeof line, "%-17s %s", key, value.c_str());
    out << line << '\n';
  };
  const std::string name = problem.name.empty() ? problem_label(path) : problem.name;
  field("problem", name + " (" + path + ")");
  field("size", "n = " + std::to_string(problem.n()) +
                    ", equalities = " + std::to_string(problem.n_eq()) +
                    ", inequalities = " + std::to_string(problem.n_in()) +
                    (problem.has_box() ? ", box bounds" : ", no box bounds"));
  field("status", to_string(info.status));
  field("objective", format("%.15e", file_objective(problem, info.objective)) +
                         (problem.converted_from_max ? " (maximized)" : ""));
  field("primal residual", format("%.3e", info.primal_residual));
  field("dual residual", format("%.3e", info.dual_residual));
  field("duality gap", format("%.3e", info.duality_gap));
  field("iterations", std::to_string(info.outer_iterations) + " outer / " +
                          std::to_string(info.inner_iterations) + " inner");
  field("setup time", format("%.3e", info.setup_time) + " s");
  field("solve time", format("%.3e", info.solve_time) + " s");
  field("backend", info.backend.empty() ? "-" : info.backend);
  field("factorizations", std::to_string(info.factorizations));
  field("rank updates", std::to_string(info.rank_updates));
  out.flush();
}

}  // namespace qplayer::cli
