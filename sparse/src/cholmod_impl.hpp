// Private to the CHOLMOD backend (cholmod_backend.cpp, cholmod_row_update.cpp): the state
// behind CholmodBackend's pimpl, so that no public header needs a SuiteSparse header.
#pragma once

#ifdef QPLAYER_HAS_CHOLMOD

#include "qplayer/sparse/cholmod_backend.hpp"

#include <cholmod.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qplayer::sparse {

/// Throws std::runtime_error naming the CHOLMOD call, its status and CHOLMOD's last message.
[[noreturn]] void cholmod_fail(const char* where, const cholmod_common& c);

struct CholmodBackend::Impl {
  /// Rows of cholmod_solve2's Y workspace: a simplicial real solve does 4 columns of B at once.
  static constexpr std::size_t kSolveBlock = 4;

  // Used through the const solve as well: cholmod_solve2 sets c.status and reuses X/Y/E.
  cholmod_common c{};
  double flops = 0.0;  // Σ over columns of (entries below the diagonal)², set in analyze
  cholmod_factor* L = nullptr;
  cholmod_dense* X = nullptr;             // solve2 output, n x 1
  cholmod_dense* Y = nullptr;             // solve2 workspace, kSolveBlock x n
  cholmod_dense* E = nullptr;             // solve2 workspace of supernodal factors (unused)
  int n = -1;                             // -1: not analyzed
  std::vector<int> pattern_p, pattern_i;  // analyzed pattern, checked by factorize
  // triu(P A Pᵀ), built in analyze; factorize scatters A's values into it (permuted_x at
  // permuted_entry[q] for A's q-th entry) and hands it to cholmod_rowfac directly.
  // cholmod_factorize would build that permuted copy itself, with two mallocs per call
  // (cholmod_ptranspose), at every factorization of the solve loop.
  std::vector<int> permuted_p, permuted_i, permuted_entry;
  std::vector<double> permuted_x;
  long long nnz_l = 0;
  bool factorized = false;
  Inertia inertia;
  std::uint64_t epoch = 0;
  int factorizations = 0;

#ifdef QPLAYER_HAS_CHOLMOD_MODIFY
  // Row updates (cholmod_row_update.cpp); all sized in analyze, so replace_row allocates
  // nothing of its own.
  std::vector<int> perm_inverse;  // original -> permuted index
  std::vector<int> sym_p, sym_i;  // symmetric pattern of PAPᵀ without the diagonal (CSC)
  std::vector<int> mark;          // visit stamps: pattern checks and etree walks
  int stamp = 0;
  std::vector<int> add_p, add_i;  // R of cholmod_rowadd: column k of the new PAPᵀ
  std::vector<double> add_x;
  std::vector<int> del_p, del_i;  // R of cholmod_rowdel: pattern of row k of L

  /// Called by analyze once L exists: the index maps, buffers and CHOLMOD workspace above.
  void prepare_row_updates(std::vector<int> inverse);
  int next_stamp();
#endif

  Impl();
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  /// Frees the factor and the solve workspaces (not the Common).
  void release();

  /// A cholmod_sparse header over the matrix's own arrays (no copy), upper triangle.
  static cholmod_sparse wrap(const SparseMatrix& A);
  /// The same over CSC arrays of an n × n upper triangle.
  static cholmod_sparse header(int n, const int* p, const int* i, const double* x, bool sorted);
  /// Fills permuted_* from the analyzed pattern and inverse[old] = new.
  void prepare_permuted(const std::vector<int>& inverse);

  /// Recounts the inertia from D; false on a zero or non-finite pivot.
  bool scan_pivots();
};

}  // namespace qplayer::sparse

#endif  // QPLAYER_HAS_CHOLMOD
