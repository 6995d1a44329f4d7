// CholmodBackend: CHOLMOD's simplicial LDLᵀ behind the LdltBackend interface. The KKT matrix
// is quasi-definite, not positive definite, so the factor must stay LDLᵀ: CHOLMOD's
// supernodal path computes LLᵀ only and would fail on the first negative pivot. Row updates
// (the Modify module) are in cholmod_row_update.cpp.
#include "qplayer/sparse/cholmod_backend.hpp"

#include <stdexcept>
#include <string>

#ifdef QPLAYER_HAS_CHOLMOD

#include "cholmod_impl.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace qplayer::sparse {
namespace {

// CHOLMOD's error handler gets no user pointer, hence a per-thread record of the last
// report. CHOLMOD passes string literals as messages, so keeping the pointer is safe.
thread_local const char* t_last_message = "";

void record_error(int /*status*/, const char* /*file*/, int /*line*/, const char* message) {
  t_last_message = message ? message : "";
}

std::string dims(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

}  // namespace

void cholmod_fail(const char* where, const cholmod_common& c) {
  throw std::runtime_error(std::string("cholmod backend: ") + where + " failed (status " +
                           std::to_string(c.status) + "): " + t_last_message);
}

CholmodBackend::Impl::Impl() {
  cholmod_start(&c);
  c.print = 0;                        // the library never prints ...
  c.error_handler = record_error;     // ... errors come back as exceptions (cholmod_fail)
  c.supernodal = CHOLMOD_SIMPLICIAL;  // LDLᵀ; supernodal would be LLᵀ
  c.final_ll = false;                 // keep LDLᵀ ...
  c.final_asis = true;                // ... as factorized, no conversion afterwards
  c.final_resymbol = false;           // keep numerically zero entries of L: row updates
                                      // rely on L holding the whole symbolic pattern
  c.dbound = 0.0;                     // no pivot clamping: a zero pivot must show
  c.quick_return_if_not_posdef = false;
  // One ordering method, set per analyze to the caller's permutation (GIVEN) or NATURAL,
  // without CHOLMOD's postorder (see analyze).
  c.nmethods = 1;
  c.postorder = false;
#ifdef QPLAYER_HAS_CHOLMOD_MODIFY
  // cholmod_rowadd reallocates every column on the etree path of the new row that has no
  // free slot, before it looks whether the row is already in that column's pattern (it
  // always is here). A packed factor has no free slot anywhere, so leave L unpacked with
  // exactly one spare entry per column (ColCount * grow1 + grow2, total * grow0).
  c.final_pack = false;
  c.grow0 = 1.0;
  c.grow1 = 1.0;
  c.grow2 = 1;
#endif
}

CholmodBackend::Impl::~Impl() {
  release();
  cholmod_finish(&c);
}

void CholmodBackend::Impl::release() {
  cholmod_free_factor(&L, &c);
  cholmod_free_dense(&X, &c);
  cholmod_free_dense(&Y, &c);
  cholmod_free_dense(&E, &c);
}

// stype 1: CHOLMOD reads the upper triangle only. Columns are not claimed sorted: nothing
// needs it, and for triu(A) CHOLMOD's rowfac loses nothing by it.
cholmod_sparse CholmodBackend::Impl::wrap(const SparseMatrix& A) {
  return header(static_cast<int>(A.rows()), A.outerIndexPtr(), A.innerIndexPtr(), A.valuePtr(),
                false);
}

cholmod_sparse CholmodBackend::Impl::header(int n, const int* p, const int* i, const double* x,
                                            bool sorted) {
  cholmod_sparse S{};
  S.nrow = S.ncol = static_cast<std::size_t>(n);
  S.nzmax = static_cast<std::size_t>(p[n]);
  S.p = const_cast<int*>(p);
  S.i = const_cast<int*>(i);
  S.x = const_cast<double*>(x);
  S.stype = 1;
  S.itype = CHOLMOD_INT;
  S.xtype = CHOLMOD_REAL;
  S.dtype = CHOLMOD_DOUBLE;
  S.sorted = sorted;
  S.packed = true;
  return S;
}

void CholmodBackend::Impl::prepare_permuted(const std::vector<int>& inverse) {
  // Entry (i, j), i ≤ j, of A goes to (min, max) of (inverse[i], inverse[j]): count per
  // column, place, then sort each column's rows (rowfac is fastest on sorted columns).
  const int size = static_cast<int>(inverse.size());
  const std::size_t nnz = pattern_i.size();
  permuted_p.assign(size + 1, 0);
  for (int j = 0; j < size; ++j)
    for (int q = pattern_p[j]; q < pattern_p[j + 1]; ++q)
      ++permuted_p[std::max(inverse[pattern_i[q]], inverse[j]) + 1];
  for (int j = 0; j < size; ++j) permuted_p[j + 1] += permuted_p[j];
  std::vector<int> next(permuted_p.begin(), permuted_p.end() - 1);
  std::vector<std::pair<int, int>> slot(nnz);  // (permuted row, entry of A) per position
  for (int j = 0; j < size; ++j)
    for (int q = pattern_p[j]; q < pattern_p[j + 1]; ++q) {
      const int a = inverse[pattern_i[q]], b = inverse[j];
      slot[next[std::max(a, b)]++] = {std::min(a, b), q};
    }
  permuted_i.resize(nnz);
  permuted_entry.resize(nnz);
  permuted_x.assign(nnz, 0.0);
  for (int j = 0; j < size; ++j) {
    std::sort(slot.begin() + permuted_p[j], slot.begin() + permuted_p[j + 1]);
    for (int t = permuted_p[j]; t < permuted_p[j + 1]; ++t) {
      permuted_i[t] = slot[t].first;
      permuted_entry[slot[t].second] = t;
    }
  }
}

// D(j) is the first entry of column j of a simplicial LDLᵀ factor. CHOLMOD itself flags
// exact zeros only; a NaN pivot (as a row update through a zero pivot leaves behind) would
// pass silently, so it fails here too and counts as zero in the inertia.
bool CholmodBackend::Impl::scan_pivots() {
  const int* Lp = static_cast<const int*>(L->p);
  const double* Lx = static_cast<const double*>(L->x);
  Inertia counted;
  bool ok = true;
  for (int j = 0; j < n; ++j) {
    const double d = Lx[Lp[j]];
    if (d > 0) {
      ++counted.positive;
    } else if (d < 0) {
      ++counted.negative;
    } else {
      ++counted.zero;
    }
    if (!std::isfinite(d) || d == 0.0) ok = false;
  }
  inertia = counted;
  return ok;
}

CholmodBackend::CholmodBackend() : impl_(std::make_unique<Impl>()) {}
CholmodBackend::~CholmodBackend() = default;

void CholmodBackend::analyze(const SparseMatrix& upper, const std::vector<int>& permutation) {
  Impl& s = *impl_;
  if (upper.rows() != upper.cols()) {
    throw std::invalid_argument("cholmod backend: matrix is " + dims(upper.rows(), upper.cols()) +
                                ", not square");
  }
  if (!upper.isCompressed()) {
    throw std::invalid_argument("cholmod backend: matrix must be compressed");
  }
  const int n = static_cast<int>(upper.rows());
  if (!permutation.empty() && static_cast<int>(permutation.size()) != n) {
    throw std::invalid_argument("cholmod backend: permutation has size " +
                                std::to_string(permutation.size()) + ", matrix dimension " +
                                std::to_string(n));
  }
  std::vector<int> inverse(n, -1);
  for (int k = 0; k < n; ++k) {
    const int old = permutation.empty() ? k : permutation[k];
    if (old < 0 || old >= n || inverse[old] != -1) {
      throw std::invalid_argument("cholmod backend: permutation entry " + std::to_string(k) + " (" +
                                  std::to_string(old) + ") is out of range or repeated");
    }
    inverse[old] = k;
  }
  s.release();
  s.n = -1;
  s.factorized = false;
  s.inertia = Inertia{};
  s.nnz_l = 0;
  ++s.epoch;
  s.pattern_p.assign(upper.outerIndexPtr(), upper.outerIndexPtr() + n + 1);
  s.pattern_i.assign(upper.innerIndexPtr(), upper.innerIndexPtr() + upper.nonZeros());
  if (n == 0) {  // nothing for CHOLMOD to do; factorize and solve are no-ops
    s.n = 0;
    return;
  }

  // GIVEN takes perm[new] = old as is. CHOLMOD's weighted postorder would compose one more
  // permutation into L->Perm: the fill stays the same and the gain is supernodal blocking,
  // which a simplicial factor does not use. So it stays off and L->Perm is exactly the
  // caller's ordering: the same factor as the LDL backend, the same index map for
  // replace_row. An empty permutation is NATURAL (L->Perm the identity, no permuted copies
  // of A in factorize).
  s.c.method[0].ordering = permutation.empty() ? CHOLMOD_NATURAL : CHOLMOD_GIVEN;
  cholmod_sparse A = Impl::wrap(upper);
  s.L = cholmod_analyze_p(&A, permutation.empty() ? nullptr : const_cast<int*>(permutation.data()),
                          nullptr, 0, &s.c);
  if (!s.L || s.c.status < CHOLMOD_OK) cholmod_fail("cholmod_analyze_p", s.c);
  if (s.L->is_super) throw std::logic_error("cholmod backend: analysis is not simplicial");

  // Strictly lower entries of the symbolic factor: numerically zero ones count too.
  const int* count = static_cast<const int*>(s.L->ColCount);
  long long total = 0;
  double flops = 0.0;
  for (int j = 0; j < n; ++j) {
    total += count[j] - 1;
    flops += static_cast<double>(count[j] - 1) * static_cast<double>(count[j] - 1);
  }
  s.nnz_l = total;
  s.flops = flops;

  // solve2 reallocates X and Y only when their shape differs from what it asks for (n x 1,
  // and 4 x n for a real simplicial factor; cholmod_ensure_dense), so allocating them here
  // keeps every solve allocation-free, the first one included. See also solve_in_place.
  s.X = cholmod_allocate_dense(n, 1, n, CHOLMOD_REAL, &s.c);
  s.Y = cholmod_allocate_dense(Impl::kSolveBlock, n, Impl::kSolveBlock, CHOLMOD_REAL, &s.c);
  if (!s.X || !s.Y) cholmod_fail("cholmod_allocate_dense", s.c);
  s.prepare_permuted(inverse);
  // The workspace cholmod_factorize would size on each call (Flag, Iwork 2n, W): once here.
  if (!cholmod_allocate_work(n, 2 * static_cast<std::size_t>(n), n, &s.c))
    cholmod_fail("cholmod_allocate_work", s.c);
#ifdef QPLAYER_HAS_CHOLMOD_MODIFY
  s.prepare_row_updates(std::move(inverse));
#endif
  s.n = n;  // last: a throw above leaves the backend unanalyzed
}

bool CholmodBackend::factorize(const SparseMatrix& upper) {
  Impl& s = *impl_;
  if (s.n < 0) throw std::logic_error("cholmod backend: factorize before analyze");
  if (upper.rows() != s.n || upper.cols() != s.n || !upper.isCompressed() ||
      upper.nonZeros() != static_cast<Eigen::Index>(s.pattern_i.size()) ||
      !std::equal(s.pattern_p.begin(), s.pattern_p.end(), upper.outerIndexPtr()) ||
      !std::equal(s.pattern_i.begin(), s.pattern_i.end(), upper.innerIndexPtr())) {
    // CHOLMOD would factorize another pattern into L's space: refuse rather than guess.
    throw std::invalid_argument("cholmod backend: matrix (" + dims(upper.rows(), upper.cols()) +
                                ") does not have the analyzed pattern");
  }
  ++s.factorizations;
  ++s.epoch;
  s.factorized = false;
  if (s.n == 0) return s.factorized = true;
  // triu(P A Pᵀ) by scatter, then what cholmod_factorize does for a simplicial LDLᵀ with
  // final_asis: rowfac on the permuted upper triangle, L->Perm unchanged (the solves apply
  // it as before).
  const double* values = upper.valuePtr();
  for (std::size_t q = 0; q < s.permuted_entry.size(); ++q)
    s.permuted_x[s.permuted_entry[q]] = values[q];
  cholmod_sparse A =
      Impl::header(s.n, s.permuted_p.data(), s.permuted_i.data(), s.permuted_x.data(), true);
  s.L->is_ll = false;
  double beta[2] = {0.0, 0.0};
  // For LDLᵀ, CHOLMOD's rowfac does not stop at negative pivots, only at an exact zero,
  // which it reports as CHOLMOD_NOT_POSDEF (a warning, status > 0) with L->minor < n.
  const int ok = cholmod_rowfac(&A, nullptr, beta, 0, s.n, s.L, &s.c);
  if (!ok || s.c.status < CHOLMOD_OK) cholmod_fail("cholmod_rowfac", s.c);
  if (s.c.status == CHOLMOD_NOT_POSDEF || s.L->minor < s.L->n) return false;
  if (s.L->is_ll || s.L->is_super) throw std::logic_error("cholmod backend: factor is not LDL'");
  s.factorized = s.scan_pivots();
  return s.factorized;
}

void CholmodBackend::solve_in_place(Vector& x) const {
  Impl& s = *impl_;
  if (!s.factorized) throw std::logic_error("cholmod backend: solve without a factorization");
  if (x.size() != s.n) {
    throw std::invalid_argument("cholmod backend: right-hand side has size " +
                                std::to_string(x.size()) + ", dimension " + std::to_string(s.n));
  }
  if (s.n == 0) return;
  cholmod_dense B{};  // the caller's vector, no copy
  B.nrow = B.nzmax = B.d = static_cast<std::size_t>(s.n);
  B.ncol = 1;
  B.x = x.data();
  B.xtype = CHOLMOD_REAL;
  B.dtype = CHOLMOD_DOUBLE;
  // CHOLMOD 3.x asks for a 4 x n Y, then relabels it 1 x n (leading dimension 1) for a
  // single right-hand side, so the next call finds the "wrong" shape and reallocates. The
  // storage is still the 4 x n of analyze: restoring the label keeps every solve free of
  // allocation (the tests count CHOLMOD's mallocs).
  if (s.Y->nzmax >= Impl::kSolveBlock * static_cast<std::size_t>(s.n)) {
    s.Y->nrow = s.Y->d = Impl::kSolveBlock;
    s.Y->ncol = static_cast<std::size_t>(s.n);
  }
  if (!cholmod_solve2(CHOLMOD_A, s.L, &B, nullptr, &s.X, nullptr, &s.Y, &s.E, &s.c)) {
    cholmod_fail("cholmod_solve2", s.c);
  }
  const double* result = static_cast<const double*>(s.X->x);
  std::copy(result, result + s.n, x.data());
}

Inertia CholmodBackend::inertia() const { return impl_->inertia; }
double CholmodBackend::factorization_flops() const { return impl_->flops; }
long long CholmodBackend::nnz_l() const { return impl_->nnz_l; }
std::uint64_t CholmodBackend::epoch() const { return impl_->epoch; }
int CholmodBackend::factorizations() const { return impl_->factorizations; }

}  // namespace qplayer::sparse

#else  // !QPLAYER_HAS_CHOLMOD

namespace qplayer::sparse {

// Without CHOLMOD the class exists (the backend factory names it) but cannot be built.
struct CholmodBackend::Impl {};

CholmodBackend::CholmodBackend() {
  throw std::invalid_argument("backend 'cholmod' is not compiled in this build");
}
CholmodBackend::~CholmodBackend() = default;
void CholmodBackend::analyze(const SparseMatrix&, const std::vector<int>&) {}
bool CholmodBackend::factorize(const SparseMatrix&) { return false; }
void CholmodBackend::solve_in_place(Vector&) const {}
Inertia CholmodBackend::inertia() const { return {}; }
long long CholmodBackend::nnz_l() const { return 0; }
std::uint64_t CholmodBackend::epoch() const { return 0; }
int CholmodBackend::factorizations() const { return 0; }
bool CholmodBackend::supports_row_updates() const { return false; }
double CholmodBackend::factorization_flops() const { return 0.0; }
bool CholmodBackend::replace_row(int, const int*, const double*, int) {
  throw std::logic_error("backend 'cholmod' is not compiled in this build");
}

}  // namespace qplayer::sparse

#endif  // QPLAYER_HAS_CHOLMOD
