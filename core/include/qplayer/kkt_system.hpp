// The linear algebra the algorithm sees: the regularized KKT system of a Newton step.
// Dense and sparse strategies implement it; the solver is written once against it.
#pragma once

#include "qplayer/problem.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace qplayer {

/// Membership of each inequality row (box rows included) in the Newton system: 1 = active.
using ActiveSet = std::vector<std::uint8_t>;

enum class FactorStatus {
  Ok,
  WrongInertia,  ///< pivots do not have signs (n positive, n_eq + |J| negative): non-convex H
  Failed,        ///< zero or non-finite pivot
};

struct KktStats {
  long long nnz_kkt = 0;
  long long nnz_l = 0;
  int factorizations = 0;   ///< numeric factorizations since construction
  int rank_updates = 0;     ///< row additions/deletions since construction
  std::uint64_t epoch = 0;  ///< bumps on every change of the factorization
};

/// The scaled data the KKT system is built from. C includes one identity-like row per
/// finite box bound (appended after the user's inequality rows) so box bounds are rows
/// like any other for the algorithm.
struct KktData {
  const SparseMatrix* H = nullptr;  ///< n x n, both triangles
  const SparseMatrix* A = nullptr;  ///< n_eq x n
  const SparseMatrix* C = nullptr;  ///< n_in x n (user rows then box rows)
};

/// The system, for the current (rho, mu_eq, mu_in, J):
///   [ H + rho I   Aᵀ         C_Jᵀ      ] [dx ]   [r_x]
///   [ A          -mu_eq I    0         ] [dy ] = [r_y]
///   [ C_J         0         -mu_in I   ] [dz ]   [r_z]
/// and for an inactive row i: -mu_in dz_i = r_z,i.
class KktSystem {
 public:
  virtual ~KktSystem() = default;

  virtual std::string backend_name() const = 0;

  /// New values with the pattern given at construction (Solver::update); invalidates the
  /// factorization.
  virtual void set_values(const KktData& data) = 0;

  // Products with the (scaled) data; out is overwritten.
  virtual void multiply_H(const Vector& x, Vector& out) const = 0;
  virtual void multiply_A(const Vector& x, Vector& out) const = 0;
  virtual void multiply_At(const Vector& y, Vector& out) const = 0;
  virtual void multiply_C(const Vector& x, Vector& out) const = 0;
  virtual void multiply_Ct(const Vector& z, Vector& out) const = 0;

  /// Numeric factorization for these parameters and active set; checks the inertia.
  virtual FactorStatus factorize(double rho, double mu_eq, double mu_in,
                                 const ActiveSet& active) = 0;

  /// Moves the factorization to a new active set (same rho/mu), by row additions and
  /// deletions where the backend can, else by refactorizing.
  virtual FactorStatus update_active_set(const ActiveSet& active) = 0;

  /// Solves the system above for rhs = (r_x, r_y, r_z) of size n + n_eq + n_in, with
  /// iterative refinement against the operator applied from H, A, C. Allocation-free.
  virtual void solve(const Vector& rhs, Vector& solution) = 0;

  /// True when the held factorization was computed for exactly these parameters from the
  /// current values (no set_values since), so update_active_set() can move it to any active
  /// set. A re-solve after a vector-only update starts from it instead of refactorizing.
  virtual bool holds_factorization(double rho, double mu_eq, double mu_in) const = 0;

  virtual KktStats stats() const = 0;
};

}  // namespace qplayer
