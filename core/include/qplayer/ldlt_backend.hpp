// What a linear solver implements to plug into qplayer: LDLᵀ of a symmetric quasi-definite
// matrix given in upper-triangular CSC. The sparse KKT system drives it.
#pragma once

#include "qplayer/problem.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace qplayer {

struct Inertia {
  int positive = 0;
  int negative = 0;
  int zero = 0;
};

class LdltBackend {
 public:
  virtual ~LdltBackend() = default;
  virtual std::string name() const = 0;

  /// Symbolic analysis of the pattern (upper triangle, CSC) under a fill-reducing
  /// permutation (perm[new] = old; empty means natural). Once per pattern.
  virtual void analyze(const SparseMatrix& upper, const std::vector<int>& permutation) = 0;

  /// Numeric factorization of values with the analyzed pattern. False on a zero pivot.
  virtual bool factorize(const SparseMatrix& upper) = 0;

  /// x <- M^{-1} x with the current factors; const and allocation-free.
  virtual void solve_in_place(Vector& x) const = 0;

  virtual Inertia inertia() const = 0;
  virtual long long nnz_l() const = 0;

  /// Bumps whenever the factors change, so a stale view of them can be detected.
  virtual std::uint64_t epoch() const = 0;

  /// Numeric factorizations since construction (analyze does not count, replace_row neither).
  virtual int factorizations() const = 0;

  /// Capability: replace_row() works without a full refactorization. Default: no.
  virtual bool supports_row_updates() const { return false; }

  /// Floating-point operations of one numeric factorization of the analyzed pattern, to
  /// weigh row replacements against a refactorization; 0 when the backend cannot tell.
  virtual double factorization_flops() const { return 0.0; }

  /// Replaces row and column k (original numbering) of the factored matrix by a new one,
  /// given as the full sparse column k of the symmetric matrix: `count` entries with
  /// original row indices `rows` (any order, the diagonal included; every index must be in
  /// the analyzed pattern of column/row k). The rest of the matrix is unchanged. Updates the
  /// factors in place (row delete + row add), bumps the epoch, allocates nothing. False on a
  /// zero pivot. Only called when supports_row_updates(); the default throws.
  virtual bool replace_row(int k, const int* rows, const double* values, int count);
};

inline bool LdltBackend::replace_row(int, const int*, const double*, int) {
  throw std::logic_error("LdltBackend::replace_row: " + name() + " has no row updates");
}

}  // namespace qplayer
