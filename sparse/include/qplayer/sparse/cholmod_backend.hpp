// CHOLMOD simplicial LDLᵀ as an LdltBackend: cholmod_analyze_p with the given ordering,
// cholmod_factorize per numeric factorization, cholmod_solve2 with persistent workspaces,
// and (QPLAYER_WITH_CHOLMOD_MODIFY) row replacement by cholmod_rowdel + cholmod_rowadd.
#pragma once

#include "qplayer/ldlt_backend.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace qplayer::sparse {

/// Compiled only with QPLAYER_WITH_CHOLMOD (QPLAYER_HAS_CHOLMOD defined); otherwise the
/// constructor throws std::invalid_argument("backend 'cholmod' is not compiled in this build").
/// CHOLMOD's types stay in the .cpp (pimpl), so this header needs no SuiteSparse header.
class CholmodBackend final : public LdltBackend {
 public:
  CholmodBackend();
  ~CholmodBackend() override;
  CholmodBackend(const CholmodBackend&) = delete;
  CholmodBackend& operator=(const CholmodBackend&) = delete;

  std::string name() const override { return "cholmod"; }
  void analyze(const SparseMatrix& upper, const std::vector<int>& permutation) override;
  bool factorize(const SparseMatrix& upper) override;
  void solve_in_place(Vector& x) const override;
  Inertia inertia() const override;
  long long nnz_l() const override;
  std::uint64_t epoch() const override;
  int factorizations() const override;
  /// True when built with QPLAYER_WITH_CHOLMOD_MODIFY.
  bool supports_row_updates() const override;
  /// Σ_j c_j² over the column counts c_j of L (below the diagonal), from the analysis.
  double factorization_flops() const override;
  bool replace_row(int k, const int* rows, const double* values, int count) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qplayer::sparse
