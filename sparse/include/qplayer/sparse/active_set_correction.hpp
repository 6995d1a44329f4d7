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
/// Memory: W holds 2·capacity columns of N doubles, allocated once by reserve().
class ActiveSetCorrection {
 public:
  /// Buffers for up to `capacity` corrected rows of an N-dimensional KKT matrix whose
  /// inequality rows start at `row_offset` (n + n_eq); n_in rows in all.
  void reserve(int N, int row_offset, int n_in, int capacity);
  int capacity() const { return capacity_; }
  /// Rows corrected now (0 after clear()).
  int rows() const { return static_cast<int>(rows_.size()); }
  /// Forgets every row: the factorization holds the current active set.
  void clear();

  /// Makes the corrected rows exactly those where `active` differs from `factored` (the
  /// active set the backend's factorization holds): rows that returned to their factored
  /// state are dropped, new ones cost two solves each (counted in `solves`). False when more
  /// than capacity() rows differ, the new rows would take more than `max_solves` solves, or
  /// the capacitance matrix is singular; the caller must then refactorize (the object is
  /// left cleared).
  bool set_rows(const ActiveSet& active, const ActiveSet& factored, const InequalityRows& C,
                const LdltBackend& backend, int max_solves, int& solves);

  /// x ← K⁻¹ x for the corrected matrix K (backend holding K0). Allocation-free.
  void solve_in_place(const LdltBackend& backend, Vector& x);

 private:
  void add_row(int i, double sigma, const LdltBackend& backend);
  void remove_pair(int p);
  // u_aᵀ v for column a of U (a = 2p: e_i, a = 2p + 1: c_i of the p-th row).
  double u_dot(int a, const Vector& v) const;
  bool factorize_capacitance();

  int N_ = 0, row_offset_ = 0, capacity_ = 0;
  std::vector<int> rows_;      // corrected rows, pair p ↔ rows_[p]
  std::vector<double> sigma_;  // σ of each pair
  std::vector<int> pair_of_;   // per inequality row: its pair, −1 if not corrected
  std::vector<char> wanted_;   // scratch per inequality row
  Eigen::MatrixXd W_;          // N × 2·capacity, columns K0⁻¹ u_a
  Eigen::MatrixXd M_;          // capacitance, LU-factorized in place (2·capacity square)
  std::vector<int> pivot_;     // LU row pivots
  Vector column_, g_;          // scratch: one solve's right-hand side; Uᵀ y then M⁻¹ Uᵀ y
  InequalityRows C_;           // the rows of the last set_rows(), for Uᵀ y
};

}  // namespace qplayer::sparse
