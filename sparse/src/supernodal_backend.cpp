// SupernodalBackend: SupernodalStructure analyzes (the caller's ordering, postordered,
// relaxed supernodes), the numeric phase is left-looking: supernode s first receives the
// updates L_d D_d L_dᵀ of every finished supernode d with rows in s's columns (one dgemm
// each), then its panel is factored as LDLᵀ without pivoting (blocked, dgemm for the
// trailing columns). Unlike the simplicial backends, whose inner loops are scalar
// scatters, almost all flops land in dgemm.
#include "qplayer/sparse/supernodal_backend.hpp"

#include <stdexcept>
#include <string>

#ifdef QPLAYER_HAS_SUPERNODAL

#include "matrix_checks.hpp"
#include "supernodal_structure.hpp"

#include <algorithm>
#include <cmath>

extern "C" void dgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const double* alpha, const double* a, const int* lda,
                       const double* b, const int* ldb, const double* beta, double* c,
                       const int* ldc);

namespace qplayer::sparse {
namespace {

constexpr const char* kWho = "SupernodalBackend::analyze";
constexpr int kPanelBlock = 32;  // columns per step of the blocked panel factorization
// Below this many multiply-adds an update is a plain loop: a dgemm call costs more.
constexpr long long kSmallUpdate = 512;

// C (m x n, leading dimension ldc) = beta C + alpha A Bᵀ with A m x k (lda), B n x k (ldb).
void gemm_nt(int m, int n, int k, double alpha, const double* a, int lda, const double* b, int ldb,
             double beta, double* c, int ldc) {
  if (static_cast<long long>(m) * n * k <= kSmallUpdate) {
    for (int j = 0; j < n; ++j) {
      double* cj = c + static_cast<long long>(j) * ldc;
      if (beta == 0.0) std::fill(cj, cj + m, 0.0);
      for (int p = 0; p < k; ++p) {
        const double f = alpha * b[j + static_cast<long long>(p) * ldb];
        const double* ap = a + static_cast<long long>(p) * lda;
        for (int i = 0; i < m; ++i) cj[i] += ap[i] * f;
      }
    }
    return;
  }
  dgemm_("N", "T", &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc);
}

}  // namespace

SupernodalBackend::SupernodalBackend() = default;

void SupernodalBackend::analyze(const SparseMatrix& upper, const std::vector<int>& permutation) {
  check_square_upper(upper, kWho);
  const int n = static_cast<int>(upper.cols());
  std::vector<int> given = checked_permutation(permutation, n, kWho);

  SupernodalStructure structure = SupernodalStructure::analyze(upper, given);
  std::vector<int>& perm = structure.perm;
  std::vector<int>& super = structure.super;
  std::vector<long long>& pi = structure.pi;
  std::vector<int>& rows = structure.rows;
  std::vector<int>& owner = structure.owner;
  std::vector<long long> px{0};
  for (int s = 0; s < structure.nsuper(); ++s)
    px.push_back(px.back() + (pi[s + 1] - pi[s]) * (super[s + 1] - super[s]));
  const int nsuper = static_cast<int>(super.size()) - 1;

  // Entry p of the input goes to (max, min) of the permuted (row, column): its supernode's
  // block, column-major with the supernode's row count as leading dimension.
  std::vector<int> pinv(n);
  for (int k = 0; k < n; ++k) pinv[perm[k]] = k;
  const int* outer = upper.outerIndexPtr();
  const int* inner = upper.innerIndexPtr();
  std::vector<long long> scatter(upper.nonZeros());
  for (int j = 0; j < n; ++j) {
    for (int p = outer[j]; p < outer[j + 1]; ++p) {
      const int a = pinv[inner[p]], b = pinv[j];
      const int col = std::min(a, b), row = std::max(a, b);
      const int s = owner[col];
      const int ncol = super[s + 1] - super[s];
      long long local = row - super[s];
      if (row >= super[s + 1]) {
        const auto first = rows.begin() + pi[s] + ncol, last = rows.begin() + pi[s + 1];
        const auto it = std::lower_bound(first, last, row);
        if (it == last || *it != row) {
          throw std::logic_error(std::string(kWho) + ": entry outside the symbolic factor");
        }
        local = ncol + (it - first);
      }
      scatter[p] = px[s] + (col - super[s]) * (pi[s + 1] - pi[s]) + local;
    }
  }

  // Sizes of the workspaces: walk every supernode's rows below its own columns in groups
  // that fall into one ancestor, as the numeric phase will.
  long long update_size = 1, scaled_size = 1, nnz = 0;
  double flops = 0.0;
  for (int d = 0; d < nsuper; ++d) {
    const int ncol = super[d + 1] - super[d];
    const long long nrow = pi[d + 1] - pi[d];
    nnz += ncol * (ncol - 1LL) / 2 + (nrow - ncol) * ncol;
    for (int k = 0; k < ncol; ++k) flops += double(nrow - k - 1) * double(nrow - k - 1);
    scaled_size = std::max<long long>(scaled_size, static_cast<long long>(ncol) * kPanelBlock);
    for (long long p1 = ncol; p1 < nrow;) {
      const int t = owner[rows[pi[d] + p1]];
      long long p2 = p1;
      while (p2 < nrow && rows[pi[d] + p2] < super[t + 1]) ++p2;
      update_size = std::max(update_size, (nrow - p1) * (p2 - p1));
      scaled_size = std::max(scaled_size, (p2 - p1) * ncol);
      p1 = p2;
    }
  }

  // Commit only now, so a throwing analyze leaves the previous state intact.
  dim_ = n;
  nsuper_ = nsuper;
  perm_ = std::move(perm);
  super_ = std::move(super);
  pi_ = std::move(pi);
  px_ = std::move(px);
  rows_ = std::move(rows);
  owner_ = std::move(owner);
  scatter_ = std::move(scatter);
  pattern_p_.assign(outer, outer + n + 1);
  pattern_i_.assign(inner, inner + upper.nonZeros());
  values_.assign(static_cast<std::size_t>(px_[nsuper_]), 0.0);
  d_.assign(n, 0.0);
  head_.assign(nsuper_, -1);
  next_.assign(nsuper_, -1);
  position_.assign(nsuper_, 0);
  local_.assign(n, 0);
  update_.assign(static_cast<std::size_t>(update_size), 0.0);
  scaled_.assign(static_cast<std::size_t>(scaled_size), 0.0);
  work_.assign(n, 0.0);
  long long widest = 1;
  for (int t = 0; t < nsuper_; ++t) widest = std::max(widest, pi_[t + 1] - pi_[t]);
  gather_.assign(static_cast<std::size_t>(widest), 0.0);
  nnz_l_ = nnz;
  column_work_ = structure.column_work;
  flops_ = flops;
  inertia_ = Inertia{};
  factorized_ = false;
  ++epoch_;
}

bool SupernodalBackend::factorize(const SparseMatrix& upper) {
  if (dim_ < 0) throw std::logic_error("SupernodalBackend::factorize: analyze() was not called");
  if (upper.rows() != dim_ || upper.cols() != dim_ || !upper.isCompressed() ||
      upper.nonZeros() != static_cast<Eigen::Index>(pattern_i_.size()) ||
      !std::equal(pattern_p_.begin(), pattern_p_.end(), upper.outerIndexPtr()) ||
      !std::equal(pattern_i_.begin(), pattern_i_.end(), upper.innerIndexPtr())) {
    throw std::invalid_argument(
        "SupernodalBackend::factorize: matrix does not have the analyzed pattern");
  }
  ++factorizations_;
  ++epoch_;  // even a failed attempt overwrites the factors
  factorized_ = false;
  inertia_ = Inertia{};
  std::fill(values_.begin(), values_.end(), 0.0);
  const double* a = upper.valuePtr();
  for (std::size_t p = 0; p < scatter_.size(); ++p) values_[scatter_[p]] = a[p];
  std::fill(head_.begin(), head_.end(), -1);

  for (int s = 0; s < nsuper_; ++s) {
    update_from_descendants(s);
    if (!factor_panel(s)) {
      inertia_.zero = dim_;  // a failed factorization never reports a definite inertia
      return false;
    }
    // s now waits in the list of the supernode that owns its first row below its columns.
    const int ncol = super_[s + 1] - super_[s];
    if (pi_[s] + ncol < pi_[s + 1]) {
      position_[s] = ncol;
      const int t = owner_[rows_[pi_[s] + ncol]];
      next_[s] = head_[t];
      head_[t] = s;
    }
  }
  for (int k = 0; k < dim_; ++k) (d_[k] > 0.0 ? inertia_.positive : inertia_.negative)++;
  factorized_ = true;
  return true;
}

void SupernodalBackend::update_from_descendants(int s) {
  const int k1 = super_[s], k2 = super_[s + 1];
  const long long psi = pi_[s];
  const int nsrow = static_cast<int>(pi_[s + 1] - psi);
  double* block = values_.data() + px_[s];
  for (int k = 0; k < nsrow; ++k) local_[rows_[psi + k]] = k;

  int d = head_[s];
  head_[s] = -1;
  while (d != -1) {
    const int dnext = next_[d];
    const int kd1 = super_[d], ndcol = super_[d + 1] - kd1;
    const int* drows = rows_.data() + pi_[d];
    const int ndrow = static_cast<int>(pi_[d + 1] - pi_[d]);
    const double* dblock = values_.data() + px_[d];
    const int p1 = position_[d];
    int p2 = p1;
    while (p2 < ndrow && drows[p2] < k2) ++p2;
    const int m1 = p2 - p1, m2 = ndrow - p1;

    // W = L_d(p1:p2, :) D_d, then C = L_d(p1:end, :) Wᵀ: the columns of L_d D_d L_dᵀ that
    // fall into s, from the row where they meet s's diagonal block down.
    double* w = scaled_.data();
    for (int c = 0; c < ndcol; ++c) {
      const double dc = d_[kd1 + c];
      const double* lc = dblock + static_cast<long long>(c) * ndrow + p1;
      for (int r = 0; r < m1; ++r) w[r + static_cast<long long>(c) * m1] = lc[r] * dc;
    }
    double* cbuf = update_.data();
    gemm_nt(m2, m1, ndcol, 1.0, dblock + p1, ndrow, w, m1, 0.0, cbuf, m2);
    for (int j = 0; j < m1; ++j) {
      double* target = block + static_cast<long long>(drows[p1 + j] - k1) * nsrow;
      const double* cj = cbuf + static_cast<long long>(j) * m2;
      for (int i = j; i < m2; ++i) target[local_[drows[p1 + i]]] -= cj[i];
    }

    position_[d] = p2;
    if (p2 < ndrow) {
      const int t = owner_[drows[p2]];
      next_[d] = head_[t];
      head_[t] = d;
    }
    d = dnext;
  }
}

bool SupernodalBackend::factor_panel(int s) {
  const int k1 = super_[s], ncol = super_[s + 1] - k1;
  const int nrow = static_cast<int>(pi_[s + 1] - pi_[s]);
  double* block = values_.data() + px_[s];
  auto column = [&](int j) { return block + static_cast<long long>(j) * nrow; };
  for (int j0 = 0; j0 < ncol; j0 += kPanelBlock) {
    const int jb = std::min(kPanelBlock, ncol - j0);
    for (int j = j0; j < j0 + jb; ++j) {
      double* cj = column(j);
      const double dj = cj[j];
      if (dj == 0.0 || !std::isfinite(dj)) return false;
      d_[k1 + j] = dj;
      // Columns to the right within the block, from column j before it is scaled.
      for (int k = j + 1; k < j0 + jb; ++k) {
        const double f = cj[k] / dj;
        double* ck = column(k);
        for (int i = k; i < nrow; ++i) ck[i] -= cj[i] * f;
      }
      const double inv = 1.0 / dj;
      for (int i = j + 1; i < nrow; ++i) cj[i] *= inv;
    }
    // The columns right of the block: L(:, rest) -= L(:, block) D Lᵀ(rest, block).
    const int r0 = j0 + jb, rest = ncol - r0;
    if (rest == 0) continue;
    double* w = scaled_.data();
    for (int c = 0; c < jb; ++c) {
      const double dc = d_[k1 + j0 + c];
      const double* lc = column(j0 + c) + r0;
      for (int r = 0; r < rest; ++r) w[r + static_cast<long long>(c) * rest] = lc[r] * dc;
    }
    gemm_nt(nrow - r0, rest, jb, -1.0, column(j0) + r0, nrow, w, rest, 1.0, column(r0) + r0, nrow);
  }
  return true;
}

void SupernodalBackend::solve_in_place(Vector& x) const {
  if (!factorized_) {
    throw std::logic_error("SupernodalBackend::solve_in_place: no successful factorization");
  }
  if (x.size() != dim_) {
    throw std::invalid_argument("SupernodalBackend::solve_in_place: vector has size " +
                                std::to_string(x.size()) + ", matrix dimension " +
                                std::to_string(dim_));
  }
  // Per supernode: the unit lower triangle of its diagonal block, then the rows below as
  // one dense matrix-vector product through a gathered copy (contiguous, so vectorized).
  using Block = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
  using Segment = Eigen::Map<Eigen::VectorXd>;
  double* w = work_.data();
  double* below = gather_.data();
  for (int k = 0; k < dim_; ++k) w[k] = x[perm_[k]];
  for (int s = 0; s < nsuper_; ++s) {  // L z = w
    const int k1 = super_[s], ncol = super_[s + 1] - k1;
    const int nrow = static_cast<int>(pi_[s + 1] - pi_[s]), nbelow = nrow - ncol;
    const int* r = rows_.data() + pi_[s] + ncol;
    const double* block = values_.data() + px_[s];
    Segment z(w + k1, ncol);
    Block(block, ncol, ncol, Eigen::OuterStride<>(nrow))
        .triangularView<Eigen::UnitLower>()
        .solveInPlace(z);
    if (nbelow == 0) continue;
    Segment t(below, nbelow);
    t.noalias() = Block(block + ncol, nbelow, ncol, Eigen::OuterStride<>(nrow)) * z;
    for (int i = 0; i < nbelow; ++i) w[r[i]] -= below[i];
  }
  for (int k = 0; k < dim_; ++k) w[k] /= d_[k];
  for (int s = nsuper_ - 1; s >= 0; --s) {  // Lᵀ x = w
    const int k1 = super_[s], ncol = super_[s + 1] - k1;
    const int nrow = static_cast<int>(pi_[s + 1] - pi_[s]), nbelow = nrow - ncol;
    const int* r = rows_.data() + pi_[s] + ncol;
    const double* block = values_.data() + px_[s];
    Segment z(w + k1, ncol);
    if (nbelow > 0) {
      for (int i = 0; i < nbelow; ++i) below[i] = w[r[i]];
      Segment t(below, nbelow);
      z.noalias() -= Block(block + ncol, nbelow, ncol, Eigen::OuterStride<>(nrow)).transpose() * t;
    }
    Block(block, ncol, ncol, Eigen::OuterStride<>(nrow))
        .transpose()
        .triangularView<Eigen::UnitUpper>()
        .solveInPlace(z);
  }
  for (int k = 0; k < dim_; ++k) x[perm_[k]] = w[k];
}

}  // namespace qplayer::sparse

#else  // !QPLAYER_HAS_SUPERNODAL

namespace qplayer::sparse {

SupernodalBackend::SupernodalBackend() {
  throw std::invalid_argument("backend 'supernodal' is not compiled in this build");
}
void SupernodalBackend::analyze(const SparseMatrix&, const std::vector<int>&) {}
bool SupernodalBackend::factorize(const SparseMatrix&) { return false; }
void SupernodalBackend::solve_in_place(Vector&) const {}

}  // namespace qplayer::sparse

#endif  // QPLAYER_HAS_SUPERNODAL
