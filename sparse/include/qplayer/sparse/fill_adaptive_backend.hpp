// What `--backend auto` uses for a sparse KKT system: the LDLᵀ kernel is chosen after the
// symbolic analysis, from how much arithmetic the factor needs per entry it stores.
#pragma once

#include "qplayer/ldlt_backend.hpp"

#include <memory>

namespace qplayer::sparse {

/// Analyzes with the supernodal backend first. When the factor's columns are long on
/// average (Σ c_j² / Σ c_j ≥ kMinColumnWork over the exact column counts c_j of L), dense
/// kernels pay off and the supernodal backend stays; otherwise (band and tree structures,
/// whose supernodes are a column or two wide) the simplicial LDL backend takes over and the
/// supernodal analysis is dropped. Every call after analyze goes to the chosen backend, and
/// name() says which one it is. Needs QPLAYER_WITH_SUPERNODAL and QPLAYER_WITH_LDL; with one
/// of them only, that one is used.
class FillAdaptiveBackend final : public LdltBackend {
 public:
  /// Measured on 29 Maros–Meszaros KKT matrices (README.md, "Backends"): up to 21 the
  /// simplicial kernel was as fast or faster (supernodal/LDL time 1.05–2.9), from 44 on the
  /// supernodal one was faster (0.18–0.97).
  static constexpr double kMinColumnWork = 30.0;

  FillAdaptiveBackend();
  ~FillAdaptiveBackend() override;

  std::string name() const override;
  void analyze(const SparseMatrix& upper, const std::vector<int>& permutation) override;
  bool factorize(const SparseMatrix& upper) override { return chosen().factorize(upper); }
  void solve_in_place(Vector& x) const override { chosen().solve_in_place(x); }
  Inertia inertia() const override { return chosen().inertia(); }
  long long nnz_l() const override { return chosen().nnz_l(); }
  std::uint64_t epoch() const override { return chosen().epoch() + epoch_offset_; }
  int factorizations() const override { return chosen().factorizations(); }
  bool supports_row_updates() const override { return chosen().supports_row_updates(); }
  double factorization_flops() const override { return chosen().factorization_flops(); }
  bool replace_row(int k, const int* rows, const double* values, int count) override {
    return chosen().replace_row(k, rows, values, count);
  }

 private:
  LdltBackend& chosen() const;

  std::unique_ptr<LdltBackend> backend_;
  // A new backend restarts its epoch at zero; the offset keeps this one strictly increasing
  // across analyses so a stale view of the old factors is still detected.
  std::uint64_t epoch_offset_ = 0;
};

}  // namespace qplayer::sparse
