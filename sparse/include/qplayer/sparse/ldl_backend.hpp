// SuiteSparse LDL as an LdltBackend: ldl_symbolic once per pattern, ldl_numeric per
// factorization, the permuted triangular solves in solve_in_place.
#pragma once

#include "qplayer/ldlt_backend.hpp"

#include <cstdint>
#include <vector>

namespace qplayer::sparse {

/// Compiled only with QPLAYER_WITH_LDL (QPLAYER_HAS_LDL defined); otherwise the constructor
/// throws std::invalid_argument("backend 'ldl' is not compiled in this build").
class LdlBackend final : public LdltBackend {
 public:
  LdlBackend();
  std::string name() const override { return "ldl"; }
  void analyze(const SparseMatrix& upper, const std::vector<int>& permutation) override;
  bool factorize(const SparseMatrix& upper) override;
  void solve_in_place(Vector& x) const override;
  Inertia inertia() const override;
  long long nnz_l() const override;
  std::uint64_t epoch() const override { return epoch_; }
  int factorizations() const override { return factorizations_; }

 private:
  // All arrays sized in analyze(); factorize and solve allocate nothing.
  int dim_ = 0;
  long long input_nnz_ = 0;   // entries of the analyzed upper triangle
  std::vector<int> perm_;     // perm[new] = old, identity for natural
  std::vector<int> cp_, ci_;  // upper triangle of P A Pᵀ (CSC), what LDL factors
  std::vector<double> cx_;    // its values, scattered in factorize()
  std::vector<int> scatter_;  // entry p of the input -> entry of cp_/ci_/cx_
  std::vector<int> lp_, parent_, lnz_, flag_, pattern_, li_;
  std::vector<double> lx_, d_, y_;
  mutable std::vector<double> work_;  // permuted right-hand side in solve_in_place
  int valid_pivots_ = 0;              // leading pivots of D computed by the last factorize
  bool factorized_ = false;
  std::uint64_t epoch_ = 0;
  int factorizations_ = 0;
};

}  // namespace qplayer::sparse
