// Solver settings: a plain struct with documented defaults. Tolerances apply to the
// unscaled problem; the penalty parameters are those of the scaled problem.
#pragma once

#include <limits>

namespace qplayer {

/// Which linear-algebra strategy factorizes the KKT system.
enum class Backend {
  Auto,        ///< picks dense or sparse by size and density (README.md, "Backends")
  Dense,       ///< Eigen dense LDL^T with row add/delete updates
  Ldl,         ///< SuiteSparse LDL (sparse)
  Cholmod,     ///< CHOLMOD simplicial LDL^T (sparse)
  Supernodal,  ///< qplayer's own supernodal analysis and LDL^T with BLAS (sparse)
};

/// Fill-reducing ordering of the sparse KKT matrix, computed once per pattern.
enum class Ordering {
  Auto,     ///< picked by size (README.md, "Orderings")
  Natural,  ///< no permutation
  Amd,      ///< SuiteSparse AMD (approximate minimum degree)
  Metis,    ///< METIS_NodeND nested dissection (needs QPLAYER_WITH_METIS)
};

/// How the first iterate of solve() is chosen.
enum class InitialGuess {
  Cold,              ///< x = 0, y = 0, z = 0 (after scaling)
  WarmStart,         ///< the (x, y, z) handed to solve(x0, y0, z0)
  PreviousSolution,  ///< the previous call's result (falls back to Cold on the first call)
};

struct Settings {
  // --- stopping tests (infinity norms, unscaled data) -----------------------------------
  double eps_abs = 1e-8;          ///< absolute tolerance on primal and dual residuals
  double eps_rel = 0.0;           ///< relative tolerance, scaled by the norms of the residual terms
  bool check_duality_gap = true;  ///< also require |duality gap| <= eps_gap_abs + eps_gap_rel*scale
  double eps_gap_abs = -1.0;      ///< gap tolerance; negative means "same as eps_abs"
  double eps_gap_rel = 0.0;       ///< relative gap tolerance
  int max_iter = 10000;           ///< total semismooth-Newton (inner) iterations
  int max_outer_iter = 2000;      ///< proximal-multiplier (outer) iterations
  /// Newton steps per subproblem before the outer loop moves on (a semismooth Newton
  /// method can cycle between active sets; a new centre breaks the cycle).
  int max_inner_iter = 50;
  double time_limit = std::numeric_limits<double>::infinity();  ///< seconds, setup excluded
  bool verbose = false;  ///< one line per outer iteration on stdout

  // --- proximal augmented Lagrangian parameters (ProxQP reference defaults) ------------
  double rho = 1e-6;               ///< initial primal proximal weight
  double rho_min = 1e-10;          ///< floor for rho, reached once the active set has settled
  double rho_update_factor = 0.1;  ///< rho <- max(factor * rho, rho_min) on a settled step
  /// A Newton step shorter than short_step times its direction raises rho by
  /// 1/rho_update_factor, up to rho_max (0 disables): see ProximalMethod::run.
  double short_step = 1e-3;
  double rho_max = 1e-2;
  /// H counts as positive semidefinite when H + rho·I factorizes with the right inertia for
  /// some rho ≤ convexity_tolerance·‖H‖∞ (scaled H): negative curvature at the round-off of
  /// data printed with 6–7 digits is not taken for non-convexity (0: only the initial rho).
  /// Such a rho stays for the whole solve; the answer is a KKT point, checked as usual.
  double convexity_tolerance = 1e-5;
  double mu_eq = 1e-3;      ///< initial equality penalty (as 1/mu in the merit function)
  double mu_in = 1e-1;      ///< initial inequality penalty
  double mu_min_eq = 1e-9;  ///< floor for mu_eq
  double mu_min_in = 1e-8;  ///< floor for mu_in
  /// Lowest floor for both penalties: when the outer iteration crawls at mu_min (primal
  /// residual falling by < 10 % per step, ten steps in a row), the floors drop by 100 at a
  /// time down to this (ProximalMethod::lower_floors_if_crawling); at or above both
  /// mu_min values the floors never move.
  double mu_min_crawl = 1e-14;
  double mu_update_factor = 0.1;   ///< mu <- max(factor * mu, mu_min) when BCL rejects
  double bcl_eta_ext_init = 1e-1;  ///< initial BCL primal target
  double bcl_alpha = 0.1;          ///< exponent for the primal target after a rejection
  double bcl_beta = 0.9;           ///< exponent for the primal target after an acceptance
  double eps_inner_min = 1e-12;    ///< floor of the inner (subproblem) tolerance

  // --- polishing on the final active set ---------------------------------------------------
  /// Once the penalties sit at their floors, try now and then to finish in one go: solve the
  /// KKT system of the equality-constrained QP on the current active set (regularized by
  /// the final ρ and μ, refined against the unregularized operator and the original data)
  /// and keep that point only if it passes the stopping test. Fixes solutions that the proximal
  /// iteration brings within round-off of the answer but not to 1e-9 in the gap.
  bool polish = true;
  int polish_refinement = 12;  ///< refinement steps against the unregularized operator

  // --- linear algebra --------------------------------------------------------------------
  Backend backend = Backend::Auto;
  Ordering ordering = Ordering::Auto;  ///< sparse backends only
  int ruiz_iterations = 10;            ///< Ruiz equilibration sweeps (0 disables scaling); read
                                       ///< at setup and update(), not by update_vectors()
  int refinement_steps = 10;           ///< maximal iterative-refinement steps per KKT solve
  double refinement_tol = 1e-13;       ///< relative residual at which refinement stops
  /// Active-set changes up to this fraction of the factor size are applied as rank updates,
  /// more trigger a refactorization (dense backend; CHOLMOD with its Modify module).
  double max_update_fraction = 0.1;

  // --- infeasibility detection -----------------------------------------------------------
  double eps_primal_inf = 1e-3;  ///< see Info::infeasibility_test: radius ≥ (1 + ‖x‖₁)/eps
  double eps_dual_inf = 1e-12;   ///< relative tolerance of the dual (unboundedness) tests

  // --- closest feasible QP (method.md §3) ------------------------------------------------
  /// After primal infeasibility is detected, keep iterating towards the solution of the
  /// closest feasible QP and return SolvedClosestFeasible with the shifts, instead of
  /// stopping with PrimalInfeasible. No effect on feasible problems.
  bool closest_feasible = false;
  /// Fixed penalty (both μ_eq and μ_in, on the row-uniformly scaled problem) of that phase.
  /// The multipliers grow by shift/μ per outer step while x converges at a rate ~μ/(μ + σ)
  /// (σ: curvature of the dual along the range of the constraints): smaller is faster but
  /// lets y, z reach magnitudes whose round-off in Aᵀy + Cᵀz spoils the dual residual.
  /// 1e-4 keeps ‖y‖ below ~1e6·‖shift‖ for the few dozen outer steps the phase takes.
  double mu_closest_feasible = 1e-4;

  InitialGuess initial_guess = InitialGuess::Cold;
};

}  // namespace qplayer
