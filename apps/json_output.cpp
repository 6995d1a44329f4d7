// The --json document: full-precision numbers in file order; nlohmann prints each double in
// its shortest form that reads back to the same bits, so nothing is lost in the round trip.
#include "json_output.hpp"

#include "problem_run.hpp"
#include "qplayer/status.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace qplayer::cli {
namespace {

std::vector<double> array_of(const Vector& v) {
  // Non-finite entries (only possible after a numerical failure) become null, as JSON has
  // no infinity or NaN.
  return std::vector<double>(v.data(), v.data() + v.size());
}

}  // namespace

nlohmann::ordered_json solution_json(const std::string& path, const Problem& problem,
                                     const Result& result) {
  const Info& info = result.info;
  nlohmann::ordered_json document;
  document["problem"] = problem.name.empty() ? problem_label(path) : problem.name;
  document["file"] = path;
  document["status"] = to_string(info.status);
  document["objective"] = file_objective(problem, info.objective);
  document["objective_sense"] = problem.converted_from_max ? "max" : "min";
  document["iterations"] = info.inner_iterations;
  document["outer_iterations"] = info.outer_iterations;
  document["inner_iterations"] = info.inner_iterations;
  document["setup_time_s"] = info.setup_time;
  document["solve_time_s"] = info.solve_time;
  document["primal_residual"] = info.primal_residual;
  document["dual_residual"] = info.dual_residual;
  document["duality_gap"] = info.duality_gap;
  document["backend"] = info.backend;
  document["factorizations"] = info.factorizations;
  document["rank_updates"] = info.rank_updates;
  document["convexity_rho"] = info.convexity_rho;
  document["infeasibility_test"] = info.infeasibility_test;
  document["infeasibility_radius"] = info.infeasibility_radius;

  Vector x = result.x;
  if (x.size() != problem.n()) x = Vector::Zero(problem.n());  // solver left no point
  document["x"] = array_of(x);
  document["y"] = array_of(multipliers_in_file_order(problem, result));
  document["z_box"] = array_of(box_multipliers(problem, result));
  if (result.shift_eq.size() == problem.n_eq() && result.shift_in.size() == problem.n_in() &&
      result.shift_box.size() == problem.n()) {
    // Shifts are per row like the multipliers: the same file-order mapping serves both.
    Result rows;
    rows.y = result.shift_eq;
    rows.z = result.shift_in;
    document["shift"] = array_of(multipliers_in_file_order(problem, rows));
    document["shift_box"] = array_of(result.shift_box);
  }
  return document;
}

void write_json(const std::string& path, const nlohmann::ordered_json& document) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
  out << document.dump(1) << '\n';
  out.close();
  if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace qplayer::cli
