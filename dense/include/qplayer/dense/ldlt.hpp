// Dense LDLᵀ without pivoting of a symmetric quasi-definite matrix, with row append/delete
// and rank-one updates; all storage is reserved up front so the hot calls never allocate.
#pragma once

#include "qplayer/ldlt_backend.hpp"
#include "qplayer/problem.hpp"

#include <Eigen/Dense>

#include <cstdint>

namespace qplayer::dense {

/// M = L D Lᵀ with L unit lower triangular and D diagonal, no pivoting. Quasi-definite
/// matrices (the regularized KKT) have such a factorization for every symmetric permutation,
/// so no pivoting is needed and the signs of D give the inertia for free.
///
/// Storage: one max_dim x max_dim column-major matrix holding L strictly below the diagonal
/// and D on it; the strictly upper part is scratch. Every operation works in place on the
/// leading dim x dim block.
class Ldlt {
 public:
  /// Panel width of the blocked factorization (the depth of the trailing GEMM updates).
  static constexpr int kBlockSize = 64;
  /// A pivot with |d| <= kPivotTolerance * (largest |entry| seen) counts as zero.
  static constexpr double kPivotTolerance = 1e-14;

  Ldlt() = default;
  explicit Ldlt(int max_dim) { reserve(max_dim); }

  /// Allocates for dimensions up to max_dim; the only allocating call. Discards the factors.
  void reserve(int max_dim);
  int capacity() const { return capacity_; }

  /// Factorizes the leading dim x dim block of M; only its lower triangle is read, so M may
  /// be lower-only or full. False on a zero or non-finite pivot (the remaining pivots are then
  /// left at zero, so inertia() reports them as zero).
  bool factorize(const Eigen::Ref<const Eigen::MatrixXd>& M, int dim);

  /// Zero-copy path: the caller writes the LOWER triangle of the matrix to factorize into
  /// storage(dim) and then calls factorize_in_place(dim). Saves a dim² copy for large KKTs.
  Eigen::Block<Eigen::MatrixXd> storage(int dim);
  bool factorize_in_place(int dim);

  /// x <- M⁻¹ x for the current dim; allocation-free.
  void solve_in_place(Eigen::Ref<Vector> x) const;

  /// Grows M by one row/column at the end: [M c; cᵀ diagonal]. O(dim²). False if the new
  /// pivot is zero or non-finite (the row is appended regardless, inertia() shows it).
  bool append_row(const Eigen::Ref<const Vector>& column, double diagonal);

  /// Removes row and column k of M. The rows after k see a rank-one update with the old
  /// column k of L scaled by d_k, then everything shifts up/left. O(dim²) at worst.
  /// False if an updated pivot became zero or non-finite; the factors are then unusable
  /// until the next factorize (the update stops there).
  bool delete_row(int k);

  /// M <- M + sigma v vᵀ (either sign; stable enough for quasi-definite M). v has size dim.
  /// False as for delete_row.
  bool rank_one_update(const Eigen::Ref<const Vector>& v, double sigma);

  /// Signs of D; a pivot failing the zero-pivot test counts as zero.
  Inertia inertia() const;
  /// The inertia rounding cannot have changed: a pivot counts as positive or negative only
  /// if |d_j| exceeds the LDLᵀ backward-error bound dim·eps·(|L||D||L|ᵀ)_jj, otherwise as
  /// zero (sign undetermined). For very ill-conditioned quasi-definite matrices (tiny mu,
  /// more active rows than variables) inertia() can show a few sign flips that are pure
  /// rounding; this tells them apart from a true wrong inertia. O(dim²), uses scratch.
  Inertia certain_inertia();
  int dim() const { return dim_; }
  long long nnz_l() const { return static_cast<long long>(dim_) * (dim_ - 1) / 2; }
  /// Bumps on every change of the factors (factorize, append, delete, update).
  std::uint64_t epoch() const { return epoch_; }

  /// Read access for consumers that reuse the factors (the derivative engine, tests).
  Eigen::Block<const Eigen::MatrixXd> factors() const { return ld_.topLeftCorner(dim_, dim_); }
  Eigen::VectorBlock<const Vector> d() const { return d_.head(dim_); }

 private:
  bool pivot_ok(double d) const;
  void check_dim(int dim) const;
  double lower_max_abs(int dim) const;
  // Right-looking unblocked LDLᵀ of the diagonal block [k, k+b); false at a bad pivot.
  bool factor_diagonal_block(int k, int b);
  // Panel below the diagonal block: L21 = A21 L11⁻ᵀ D1⁻¹, keeping W = L21 D1 in panel_.
  void factor_panel(int k, int b);
  // A22 -= L21 Wᵀ on the lower triangle of the trailing block, tiled so each GEMM's packing
  // buffers stay under Eigen's stack-allocation limit (no heap allocation in the hot path).
  void update_trailing(int k, int b);
  // L D Lᵀ <- L D Lᵀ + sigma v vᵀ restricted to rows/columns [start, dim); v in work_.
  bool rank_one_update_from(int start, double sigma);

  Eigen::MatrixXd ld_;     // L strictly lower, D on the diagonal, upper part scratch
  Vector d_;               // copy of D for vectorized solves
  Eigen::MatrixXd panel_;  // capacity x kBlockSize, W = L21 D1 of the current panel
  Vector work_;            // capacity, for updates and appends
  int capacity_ = 0;
  int dim_ = 0;
  double scale_ = 0.0;  // largest |entry| of the factorized matrix, for the pivot test
  std::uint64_t epoch_ = 0;
};

}  // namespace qplayer::dense
