// The --json document of a solve: status, objective, residuals, timings and the primal-dual
// point in the file's own variable and row order, so it can be checked from the file alone.
#pragma once

#include "qplayer/problem.hpp"
#include "qplayer/result.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace qplayer::cli {

/// Keys, in this order: problem, file, status (qplayer::to_string), objective (file's sense),
/// objective_sense ("min"/"max"), iterations (= inner: Newton steps, what --max-iter counts),
/// outer_iterations, inner_iterations, setup_time_s, solve_time_s, primal_residual,
/// dual_residual, duality_gap, backend, factorizations, rank_updates, convexity_rho,
/// infeasibility_test (Info::infeasibility_test, "" if none fired), infeasibility_radius (the
/// ℓ1 radius the primal certificate proves free of feasible points, 0 if none), x (file column
/// order), y (one per file constraint row, file order), z_box (one per variable, zeros if no
/// box); with --closest-feasible also shift (one per file constraint row, file order: Ax − b on an
/// equality row, Cx minus its projection onto [l, u] otherwise; zeros unless the status is
/// closest_feasible) and shift_box (one per variable: x minus its projection onto the box).
/// For status closest_feasible the residuals and the gap are those of the shifted problem.
/// Multipliers follow the library's minimization: H x + g + Σ y_i a_i + z_box = 0 with H, g as
/// read_qps returns them (for an OBJSENSE MAX file, the negated file objective), and y_i > 0
/// when the upper side of row i is active, < 0 when the lower side is.
nlohmann::ordered_json solution_json(const std::string& path, const Problem& problem,
                                     const Result& result);

/// Writes `document` to `path` (doubles in shortest round-trip form). Throws
/// std::runtime_error naming the path if it cannot be written.
void write_json(const std::string& path, const nlohmann::ordered_json& document);

}  // namespace qplayer::cli
