// Fill-reducing orderings: identity, SuiteSparse AMD and METIS nested dissection, each
// returning perm[new] = old. AMD and METIS are optional packages, so each has its own
// #ifdef and a build without it reports the ordering as unavailable.
#include "qplayer/sparse/ordering.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#ifdef QPLAYER_HAS_AMD
#include <amd.h>
#endif
#ifdef QPLAYER_HAS_METIS
#include <metis.h>
#endif

namespace qplayer::sparse {

namespace {

std::vector<int> identity(int n) {
  std::vector<int> perm(n);
  for (int k = 0; k < n; ++k) perm[k] = k;
  return perm;
}

// Both libraries read the index arrays as one block from Ap[0] = 0 to Ap[n].
const SparseMatrix& compressed(const SparseMatrix& upper, SparseMatrix& copy) {
  if (upper.isCompressed()) return upper;
  copy = upper;
  copy.makeCompressed();
  return copy;
}

bool has_off_diagonal(const SparseMatrix& m) {
  for (int j = 0; j < m.outerSize(); ++j) {
    for (SparseMatrix::InnerIterator it(m, j); it; ++it) {
      if (it.row() != j) return true;
    }
  }
  return false;
}

#ifdef QPLAYER_HAS_AMD
std::vector<int> amd_ordering(const SparseMatrix& m) {
  const int n = static_cast<int>(m.cols());
  std::vector<int> perm(n);
  double control[AMD_CONTROL];
  amd_defaults(control);
  // AMD orders the pattern of A + Aᵀ and ignores the diagonal, so the upper triangle is
  // all it needs; unsorted or duplicate indices only cost it a private copy.
  const int status =
      amd_order(n, m.outerIndexPtr(), m.innerIndexPtr(), perm.data(), control, nullptr);
  if (status != AMD_OK && status != AMD_OK_BUT_JUMBLED) {
    const char* meaning = status == AMD_OUT_OF_MEMORY ? "AMD_OUT_OF_MEMORY"
                          : status == AMD_INVALID     ? "AMD_INVALID"
                                                      : "unknown status";
    throw std::runtime_error("AMD: amd_order failed with return code " + std::to_string(status) +
                             " (" + meaning + ")");
  }
  return perm;
}
#endif

#ifdef QPLAYER_HAS_METIS
// idx_t is 32 or 64 bits depending on how METIS was built (IDXTYPEWIDTH in metis.h); the
// graph is assembled in idx_t directly so either width works.
std::vector<int> metis_ordering(const SparseMatrix& m) {
  const int n = static_cast<int>(m.cols());
  // Adjacency of the symmetric graph without self-loops. Only entries strictly above the
  // diagonal are read (a full symmetric matrix then gives the same graph); duplicates are
  // removed because METIS assumes a simple graph.
  std::vector<idx_t> degree(static_cast<std::size_t>(n) + 1, 0);
  for (int j = 0; j < n; ++j) {
    for (SparseMatrix::InnerIterator it(m, j); it; ++it) {
      if (it.row() < j) {
        ++degree[it.row() + 1];
        ++degree[j + 1];
      }
    }
  }
  std::vector<idx_t> xadj(static_cast<std::size_t>(n) + 1, 0);
  for (int i = 0; i < n; ++i) {
    if (degree[i + 1] > std::numeric_limits<idx_t>::max() - xadj[i]) {
      throw std::runtime_error("METIS: graph has more edges than idx_t (" +
                               std::to_string(IDXTYPEWIDTH) + " bits) can index");
    }
    xadj[i + 1] = xadj[i] + degree[i + 1];
  }
  std::vector<idx_t> adjncy(static_cast<std::size_t>(xadj[n]));
  std::vector<idx_t> next(xadj.begin(), xadj.end() - 1);
  for (int j = 0; j < n; ++j) {
    for (SparseMatrix::InnerIterator it(m, j); it; ++it) {
      const int i = static_cast<int>(it.row());
      if (i < j) {
        adjncy[next[i]++] = j;
        adjncy[next[j]++] = i;
      }
    }
  }
  std::vector<idx_t> mark(n, -1);
  idx_t write = 0;
  for (int i = 0; i < n; ++i) {
    const idx_t begin = xadj[i], end = xadj[i + 1];
    xadj[i] = write;
    for (idx_t p = begin; p < end; ++p) {
      if (mark[adjncy[p]] != i) {
        mark[adjncy[p]] = i;
        adjncy[write++] = adjncy[p];
      }
    }
  }
  xadj[n] = write;

  idx_t options[METIS_NOPTIONS];
  METIS_SetDefaultOptions(options);
  options[METIS_OPTION_NUMBERING] = 0;
  idx_t nvtxs = n;
  std::vector<idx_t> perm(n), iperm(n);
  // METIS's perm is new -> old (it builds perm[iperm[old]] = old), our convention as is.
  const int status =
      METIS_NodeND(&nvtxs, xadj.data(), adjncy.data(), nullptr, options, perm.data(), iperm.data());
  if (status != METIS_OK) {
    const char* meaning = status == METIS_ERROR_INPUT    ? "METIS_ERROR_INPUT"
                          : status == METIS_ERROR_MEMORY ? "METIS_ERROR_MEMORY"
                          : status == METIS_ERROR        ? "METIS_ERROR"
                                                         : "unknown status";
    throw std::runtime_error("METIS: METIS_NodeND failed with return code " +
                             std::to_string(status) + " (" + meaning + ")");
  }
  return std::vector<int>(perm.begin(), perm.end());
}
#endif

}  // namespace

bool ordering_available(Ordering ordering) {
  switch (ordering) {
    case Ordering::Auto:
    case Ordering::Natural: return true;
    case Ordering::Amd:
#ifdef QPLAYER_HAS_AMD
      return true;
#else
      return false;
#endif
    case Ordering::Metis:
#ifdef QPLAYER_HAS_METIS
      return true;
#else
      return false;
#endif
  }
  return false;
}

SymbolicCost symbolic_cost(const SparseMatrix& upper, const std::vector<int>& permutation) {
  const int n = static_cast<int>(upper.cols());
  if (static_cast<int>(permutation.size()) != n) {
    throw std::invalid_argument("symbolic_cost: permutation has size " +
                                std::to_string(permutation.size()) + ", expected " +
                                std::to_string(n));
  }
  // Column k of P A Pᵀ needs both triangles of A: the strict upper part as a CSC of
  // neighbours per node, built once.
  std::vector<int> start(static_cast<std::size_t>(n) + 1, 0);
  for (int j = 0; j < n; ++j)
    for (SparseMatrix::InnerIterator it(upper, j); it; ++it)
      if (it.row() < j) {
        ++start[it.row() + 1];
        ++start[j + 1];
      }
  for (int j = 0; j < n; ++j) start[j + 1] += start[j];
  std::vector<int> neighbour(start[n]), next(start.begin(), start.end() - 1);
  for (int j = 0; j < n; ++j)
    for (SparseMatrix::InnerIterator it(upper, j); it; ++it)
      if (it.row() < j) {
        neighbour[next[it.row()]++] = j;
        neighbour[next[j]++] = static_cast<int>(it.row());
      }
  std::vector<int> inverse(n), parent(n, -1), flag(n, -1);
  std::vector<long long> column_count(n, 0);
  for (int k = 0; k < n; ++k) inverse[permutation[k]] = k;
  SymbolicCost cost;
  // Row k of L is the set of nodes reached walking up the elimination tree from each i < k
  // adjacent to k (ldl_symbolic's algorithm).
  for (int k = 0; k < n; ++k) {
    flag[k] = k;
    const int old = permutation[k];
    for (int p = start[old]; p < start[old + 1]; ++p) {
      for (int i = inverse[neighbour[p]]; i < k && flag[i] != k; i = parent[i]) {
        if (parent[i] == -1) parent[i] = k;
        flag[i] = k;
        ++column_count[i];
      }
    }
  }
  for (const long long c : column_count) {
    cost.nnz_l += c;
    cost.flops += static_cast<double>(c) * static_cast<double>(c);
  }
  return cost;
}

long long symbolic_nnz_l(const SparseMatrix& upper, const std::vector<int>& permutation) {
  return symbolic_cost(upper, permutation).nnz_l;
}

OrderingChoice choose_ordering(const SparseMatrix& upper, Ordering ordering) {
  if (upper.rows() != upper.cols()) {
    throw std::invalid_argument("compute_ordering: matrix is " + std::to_string(upper.rows()) +
                                " x " + std::to_string(upper.cols()) + ", not square");
  }
  if (!ordering_available(ordering)) {
    throw std::invalid_argument("ordering '" + to_string(ordering) +
                                "' is not compiled in this build");
  }
  OrderingChoice choice;
  if (ordering == Ordering::Auto) {
    if (!ordering_available(Ordering::Amd)) {
      choice.ordering = Ordering::Natural;
    } else {
      choice = choose_ordering(upper, Ordering::Amd);
      const bool heavy =
          choice.flops > kMetisTryFlops &&
          choice.flops > kMetisTryFlopsPerEntry * static_cast<double>(upper.nonZeros());
      if (heavy && ordering_available(Ordering::Metis)) {
        OrderingChoice metis = choose_ordering(upper, Ordering::Metis);
        if (metis.flops < choice.flops) choice = std::move(metis);
      }
      return choice;
    }
  } else {
    choice.ordering = ordering;
  }
  const int n = static_cast<int>(upper.cols());
  // Nothing to reorder, and without edges there is no fill to reduce: the identity is
  // optimal and spares the libraries their degenerate cases.
  if (choice.ordering == Ordering::Natural || n == 0 || !has_off_diagonal(upper)) {
    choice.permutation = identity(n);
  } else {
    SparseMatrix copy;
    const SparseMatrix& m = compressed(upper, copy);
    static_cast<void>(m);  // unused in a build with neither AMD nor METIS
    switch (choice.ordering) {
#ifdef QPLAYER_HAS_AMD
      case Ordering::Amd: choice.permutation = amd_ordering(m); break;
#endif
#ifdef QPLAYER_HAS_METIS
      case Ordering::Metis: choice.permutation = metis_ordering(m); break;
#endif
      default:
        throw std::logic_error("compute_ordering: unhandled ordering '" +
                               to_string(choice.ordering) + "'");
    }
  }
  const SymbolicCost cost = symbolic_cost(upper, choice.permutation);
  choice.nnz_l = cost.nnz_l;
  choice.flops = cost.flops;
  return choice;
}

std::vector<int> compute_ordering(const SparseMatrix& upper, Ordering ordering) {
  return choose_ordering(upper, ordering).permutation;
}

std::string to_string(Ordering ordering) {
  switch (ordering) {
    case Ordering::Auto: return "auto";
    case Ordering::Natural: return "natural";
    case Ordering::Amd: return "amd";
    case Ordering::Metis: return "metis";
  }
  return "unknown";
}

}  // namespace qplayer::sparse
