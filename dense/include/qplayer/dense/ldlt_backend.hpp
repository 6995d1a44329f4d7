// The dense LDLᵀ behind the generic LdltBackend interface: the upper CSC is scattered,
// symmetrically permuted, into a dense::Ldlt and factorized in place. For the backend
// conformance tests and for users who want the dense factorization through the sparse
// interface; the dense KKT system keeps using dense::Ldlt directly.
#pragma once

#include "qplayer/dense/ldlt.hpp"
#include "qplayer/ldlt_backend.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace qplayer::dense {

/// All storage (dim² doubles) is reserved in analyze(); factorize and solve_in_place
/// allocate nothing. The pattern given to analyze is not kept: factorize accepts any upper
/// CSC of the analyzed dimension. Entries below the diagonal are ignored, duplicates summed.
class LdltBackendAdapter final : public LdltBackend {
 public:
  std::string name() const override { return "dense"; }
  /// Throws std::invalid_argument if `upper` is not square or `permutation` is neither empty
  /// nor a permutation of 0..dim-1.
  void analyze(const SparseMatrix& upper, const std::vector<int>& permutation) override;
  /// Throws std::logic_error before analyze, std::invalid_argument on a dimension mismatch.
  bool factorize(const SparseMatrix& upper) override;
  /// Throws std::logic_error without a successful factorization, std::invalid_argument if
  /// x has the wrong size.
  void solve_in_place(Vector& x) const override;
  Inertia inertia() const override { return ldlt_.inertia(); }
  long long nnz_l() const override { return ldlt_.nnz_l(); }
  std::uint64_t epoch() const override { return ldlt_.epoch(); }
  int factorizations() const override { return factorizations_; }

  /// The wrapped factorization (factors of the permuted matrix).
  const Ldlt& ldlt() const { return ldlt_; }

 private:
  int dim_ = -1;                   // -1: not analyzed
  std::vector<int> perm_;          // perm_[new] = old
  std::vector<int> perm_inverse_;  // perm_inverse_[old] = new
  Ldlt ldlt_;
  mutable Vector work_;  // permuted right-hand side in solve_in_place
  bool factorized_ = false;
  int factorizations_ = 0;
};

}  // namespace qplayer::dense
