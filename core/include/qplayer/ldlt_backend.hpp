// What a linear solver implements to plug into qplayer: LDLᵀ of a symmetric quasi-definite
// matrix given in upper-triangular CSC. The sparse KKT system drives it.
#pragma once

#include "qplayer/problem.hpp"

#include <cstdint>
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

  /// Capability: the backend can replace row/column k by (new values) without a full
  /// refactorization (row add/delete). Default: no.
  virtual bool supports_row_updates() const { return false; }
};

}  // namespace qplayer
