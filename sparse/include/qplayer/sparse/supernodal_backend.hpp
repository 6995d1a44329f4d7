// Supernodal LDLᵀ as an LdltBackend, qplayer's own: symbolic analysis (elimination tree,
// column counts, postorder, relaxed supernodes) and numeric factorization. CHOLMOD's
// supernodal code is no substitute: its numeric phase is LLᵀ only (it fails on the first
// negative pivot of a quasi-definite KKT matrix), and its Supernodal module is GPL. Dense
// blocks go through BLAS (dgemm), which is where the gain over the simplicial backends
// comes from when the factor has wide columns.
#pragma once

#include "qplayer/ldlt_backend.hpp"

#include <cstdint>
#include <vector>

namespace qplayer::sparse {

/// Compiled only with QPLAYER_WITH_SUPERNODAL (QPLAYER_HAS_SUPERNODAL defined); otherwise the
/// constructor throws std::invalid_argument("backend 'supernodal' is not compiled in this
/// build"). No pivoting: quasi-definite matrices have an LDLᵀ factor under any symmetric
/// permutation, and a zero or non-finite pivot makes factorize() return false.
class SupernodalBackend final : public LdltBackend {
 public:
  SupernodalBackend();
  std::string name() const override { return "supernodal"; }
  void analyze(const SparseMatrix& upper, const std::vector<int>& permutation) override;
  bool factorize(const SparseMatrix& upper) override;
  void solve_in_place(Vector& x) const override;
  Inertia inertia() const override { return inertia_; }
  long long nnz_l() const override { return nnz_l_; }
  std::uint64_t epoch() const override { return epoch_; }
  int factorizations() const override { return factorizations_; }
  /// Σ over the columns j of L of (entries below the diagonal)², divided by kDenseSpeedup:
  /// the model that weighs row updates against a refactorization counts in units of the
  /// simplicial kernels, and dgemm does these multiply-adds about that much faster.
  double factorization_flops() const override { return flops_ / kDenseSpeedup; }
  /// Σ c_j² / Σ c_j over the exact column counts c_j of L (before amalgamation):
  /// multiply-adds per stored entry, what FillAdaptiveBackend decides by. 0 before analyze.
  double column_work() const { return column_work_; }

  /// Measured on CONT-201 and CVXQP1_L (METIS): one factorization takes the time of about
  /// 10 solves here against 30 with LDL, for 1.3× the stored entries.
  static constexpr double kDenseSpeedup = 3.0;

 private:
  /// Left-looking update of supernode s by every finished supernode that has rows in it.
  void update_from_descendants(int s);
  /// Dense LDLᵀ of supernode s's diagonal block and the solve for the rows below it.
  bool factor_panel(int s);

  // Symbolic structure from SupernodalStructure (permuted numbering).
  int dim_ = -1;  // -1: not analyzed
  int nsuper_ = 0;
  std::vector<int> perm_;                   // perm[new] = old, the caller's, postordered
  std::vector<int> super_;                  // first column of each supernode, nsuper + 1 entries
  std::vector<long long> pi_;               // start of each supernode's row indices in rows_
  std::vector<long long> px_;               // start of each supernode's block in values_
  std::vector<int> rows_;                   // row indices, the supernode's own columns first
  std::vector<int> owner_;                  // column -> supernode
  std::vector<long long> scatter_;          // entry p of the input upper triangle -> values_ index
  std::vector<int> pattern_p_, pattern_i_;  // analyzed pattern, checked by factorize

  // Numeric factor: each supernode a column-major nrow x ncol block, unit diagonal implied,
  // D kept apart.
  std::vector<double> values_;
  std::vector<double> d_;

  // Workspaces, sized in analyze.
  std::vector<int> head_, next_, position_;  // descendant lists (left-looking)
  std::vector<int> local_;                   // row -> index within the current supernode
  std::vector<double> update_, scaled_;      // C = L_d W_dᵀ and W_d = L_d D_d
  mutable std::vector<double> work_;         // permuted right-hand side in solve_in_place
  mutable std::vector<double> gather_;       // a supernode's rows below its columns

  long long nnz_l_ = 0;
  double column_work_ = 0.0;
  double flops_ = 0.0;
  Inertia inertia_;
  bool factorized_ = false;
  std::uint64_t epoch_ = 0;
  int factorizations_ = 0;
};

}  // namespace qplayer::sparse
