// Solves with a KKT matrix whose active set differs from the factorized one in a few rows,
// through the factorization it has and a small dense capacitance matrix.
#pragma once

#include "qplayer/kkt_system.hpp"
#include "qplayer/ldlt_backend.hpp"

#include <vector>

namespace qplayer::sparse {

/// Row i of C as the sparse KKT system stores it: entries start[i] .. start[i + 1] − 1, each
/// with its x index (column) and the index of its value in C's value array (entry).
struct InequalityRows {
  const int* start = nullptr;
  const int* column = nullptr;
  const int* entry = nullptr;
  const double* values = nullptr;
};

/// Toggling inequality row i between decoupled (−μ_in dz_i = r_i) and coupled (C_i dx −
/// μ_in dz_i = r_i) changes the KKT matrix by σ_i (e_i c_iᵀ + c_i e_iᵀ), σ_i = +1 when the row
/// is coupled now and −1 when it is decoupled now, c_i = C_iᵀ in the x block, e_i the unit
/// vector of row i. With k such rows, K = K0 + U S Uᵀ (U = [e_i, c_i, ...], S of 2×2 blocks
/// [[0, σ_i], [σ_i, 0]], S⁻¹ = S), and the Sherman–Morrison–Woodbury identity gives
///   K⁻¹ r = y − W M⁻¹ Uᵀ y,  y = K0⁻¹ r,  W = K0⁻¹ U,  M = S + Uᵀ W   (2k × 2k).
/// A semismooth Newton step changes one to three rows while a factorization costs tens of
/// solves on KKT matrices with heavy fill (Q25FV47: 42): here a changed row costs two solves
/// and each later solve 4·k·N extra operations. The caller refines against the true
/// operator, which absorbs the identity's rounding.
///
/// The correction is planned from the symbolic cost of one factorization (reserve()): it is
/// set up only where that costs at least kMinSolvesPerFactorization solves, holds at most
/// kMaxCorrectedRows rows and kMaxCorrectionDoubles doubles of W (allocated once there), and
/// gives up, so the caller refactorizes, once its extra solves reach one factorization's cost.
class ActiveSetCorrection {
 public:
  static constexpr double kMinSolvesPerFactorization = 8.0;
  static constexpr int kMaxCorrectedRows = 32;
  static constexpr double kMaxCorrectionDoubles = 4e6;

  /// Plans and allocates the correction of an N-dimensional KKT matrix whose inequality rows
  /// (n_in of them) start at `row_offset` (n + n_eq), from the symbolic nnz(L) and flops of
  /// its factorization. capacity() stays 0 where a correction cannot pay.
  void reserve(int N, int row_offset, int n_in, long long nnz_l, double flops);
  int capacity() const { return capacity_; }
  /// Rows corrected now (0 after clear()).
  int rows() const { return static_cast<int>(rows_.size()); }
  /// Forgets every row and the solves spent: the factorization holds the current active set.
  void clear();

  /// Makes the corrected rows exactly those where `active` differs from `factored` (the
  /// active set the backend's factorization holds): rows that returned to their factored
  /// state are dropped, new ones cost two solves each (counted in `solves`). False when more
  /// than capacity() rows differ, the new rows would exceed what is left of the budget, or
  /// the capacitance matrix is singular; the caller must then refactorize (the object is
  /// left cleared).
  bool set_rows(const ActiveSet& active, const ActiveSet& factored, const InequalityRows& C,
                const LdltBackend& backend, int& solves);

  /// x ← K⁻¹ x for the corrected matrix K (backend holding K0); its overhead over a plain
  /// solve counts against the budget. Allocation-free.
  void solve_in_place(const LdltBackend& backend, Vector& x);

 private:
  void add_row(int i, double sigma, const LdltBackend& backend);
  void remove_pair(int p);
  // u_aᵀ v for column a of U (a = 2p: e_i, a = 2p + 1: c_i of the p-th row).
  // (A Ref: a column of W_ passed as `const Vector&` would be copied into a temporary,
  // an allocation and N copies per entry of the capacitance matrix.)
  double u_dot(int a, Eigen::Ref<const Vector> v) const;
  bool factorize_capacitance();

  int row_offset_ = 0, capacity_ = 0;
  double budget_ = 0.0;        // solves one factorization is worth
  double spent_ = 0.0;         // solves the correction has cost since the last clear()
  double solve_cost_ = 0.0;    // one backend solve, in multiply-adds
  std::vector<int> rows_;      // corrected rows, pair p ↔ rows_[p]
  std::vector<double> sigma_;  // σ of each pair
  std::vector<int> pair_of_;   // per inequality row: its pair, −1 if not corrected
  Eigen::MatrixXd W_;          // N × 2·capacity, columns K0⁻¹ u_a
  Eigen::MatrixXd M_;          // capacitance, LU-factorized in place (2·capacity square)
  std::vector<int> pivot_;     // LU row pivots
  Vector column_, g_;          // scratch: one solve's right-hand side; Uᵀ y then M⁻¹ Uᵀ y
  InequalityRows C_;           // the rows of the last set_rows(), for Uᵀ y
};

}  // namespace qplayer::sparse
