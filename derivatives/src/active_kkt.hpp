// The linear algebra of the derivative engine: the unregularized KKT matrix of the solution's
// active set, solved by GMRES preconditioned with the solver's own final (regularized)
// factorization. Private to the library.
#pragma once

#include "qplayer/derivatives/gradients.hpp"
#include "qplayer/solver.hpp"

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace qplayer::dense {
class KktSystem;
}
namespace qplayer::sparse {
class KktSystem;
}

namespace qplayer::derivatives::detail {

struct ClosestPoint;

/// K = [H Aᵀ C_Jᵀ; A 0 0; C_J 0 0] at the solution, J = the active inequality and box rows.
///
/// Rows are numbered as in the solver's KKT system: [x | equality rows | C rows], where C is
/// the user's C with one identity row per variable appended when there is a box (m = n_in +
/// n_box rows). A row outside J is kept in the vector as a decoupled equation −μ_in w_i = r_i
/// with r_i = 0, so its unknown stays 0; that matches what the factorization does with its own
/// inactive rows and keeps the preconditioner exact there.
class ActiveKkt {
 public:
  /// `closest` (SolvedClosestFeasible only) supplies J and the row-uniform scaling the
  /// closest-feasible phase left in the KKT system (read during construction only).
  ActiveKkt(const Solver& solver, const Options& options, const ClosestPoint* closest = nullptr);

  int n() const { return n_; }
  int n_eq() const { return n_eq_; }
  int m() const { return m_; }  ///< inequality rows, box rows included
  int size() const { return n_ + n_eq_ + m_; }

  /// +1: upper bound active, −1: lower bound active, 0: not in J. Per row of [C; I].
  const std::vector<signed char>& side() const { return side_; }

  /// Solves K u = r in user units (rows outside J of r are ignored, of u set to 0).
  /// least_squares: r is expected outside range(K) (K singular, as in the closest-feasible
  /// products); the answer is the least-squares one and the report's residual is that of the
  /// normal equations, ‖K̃(r̃ − K̃ũ)‖ / (‖K̃‖·‖r̃‖) (equilibrated), since ‖r̃ − K̃ũ‖ itself
  /// cannot go to zero.
  SolveReport solve(const Vector& r, Vector& u, bool least_squares = false);

 private:
  void find_active_set(const Solver& solver);
  // out = K̃ v in the equilibrated space, matrix-free from the solver's scaled H, A, C.
  void apply_operator(const Vector& v, Vector& out);
  // out ≈ K̃⁻¹ in: the solver's factorization of the regularized matrix.
  void apply_preconditioner(const Eigen::Ref<const Vector>& in, Vector& out);
  // z = M⁻¹ in and out = K̃ z: implicitly (see there) when the factorization holds J.
  void apply_preconditioned(const Eigen::Ref<const Vector>& in, Vector& z, Vector& out);
  // Restarted, right-preconditioned GMRES on K̃ x = rhs from x = 0.
  // restricted: range-restricted (see there); least_squares: see solve().
  void gmres(const Vector& rhs, Vector& x, SolveReport& report, bool least_squares,
             bool restricted);

  const Solver& solver_;
  const KktSystem& kkt_;
  const dense::KktSystem* dense_ = nullptr;
  const sparse::KktSystem* sparse_ = nullptr;
  Options options_;
  int n_ = 0, n_eq_ = 0, m_ = 0, n_user_in_ = 0;
  // The factorization's regularization; mu_in_ is also the diagonal of the rows outside J.
  double rho_ = 0.0, mu_eq_ = 0.0, mu_in_ = 1.0;

  std::vector<signed char> side_;
  std::vector<std::uint8_t> in_j_;
  int weakly_active_ = 0;
  bool singular_ = false;  // K known to be singular: skip the plain GMRES attempt
  int mismatch_ = 0;
  bool implicit_ = false;  // the factorization holds J: K̃ M⁻¹ applied as I − ΔM⁻¹

  // Scaling of rows and columns of [x | y | z] between user and equilibrated units.
  Vector d_, e_, f_;
  double c_ = 1.0;

  // Scratch (sized once).
  Vector tx_, ty_, tz_, ox_, reduced_;
  Vector r_, w_, z_, outside_, best_;  // gmres() vectors of size N
  Eigen::MatrixXd basis_;              // Krylov basis V, size × (≤ restart + 1), grown on demand
  Eigen::MatrixXd preconditioned_;     // Z = M⁻¹V, size × (≤ restart), one column less than V
};

}  // namespace qplayer::derivatives::detail
