// Sherman–Morrison–Woodbury correction of a factorized KKT matrix for a few changed rows.
#include "qplayer/sparse/active_set_correction.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace qplayer::sparse {

void ActiveSetCorrection::reserve(int N, int row_offset, int n_in, long long nnz_l, double flops) {
  row_offset_ = row_offset;
  // A solve costs about 2·nnz(L) + N multiply-adds, a factorization flops/2.
  solve_cost_ = 2.0 * static_cast<double>(nnz_l) + N;
  const double solves_per_factorization = 0.5 * flops / solve_cost_;
  if (n_in == 0 || solves_per_factorization < kMinSolvesPerFactorization) return;
  // Each corrected row costs two solves: more rows than half the budget never pay.
  const int capacity =
      std::min({kMaxCorrectedRows, n_in, static_cast<int>(solves_per_factorization / 2),
                static_cast<int>(kMaxCorrectionDoubles / (2.0 * N))});
  if (capacity < 1) return;
  capacity_ = capacity;
  budget_ = solves_per_factorization;
  rows_.reserve(capacity);
  sigma_.reserve(capacity);
  pair_of_.assign(n_in, -1);
  W_.resize(N, 2 * capacity);
  M_.resize(2 * capacity, 2 * capacity);
  pivot_.resize(2 * capacity);
  column_.resize(N);
  g_.resize(2 * capacity);
}

void ActiveSetCorrection::clear() {
  for (int i : rows_) pair_of_[i] = -1;
  rows_.clear();
  sigma_.clear();
  spent_ = 0.0;
}

double ActiveSetCorrection::u_dot(int a, Eigen::Ref<const Vector> v) const {
  const int i = rows_[a / 2];
  if (a % 2 == 0) return v[row_offset_ + i];
  double sum = 0.0;
  for (int p = C_.start[i]; p < C_.start[i + 1]; ++p)
    sum += C_.values[C_.entry[p]] * v[C_.column[p]];
  return sum;
}

void ActiveSetCorrection::add_row(int i, double sigma, const LdltBackend& backend) {
  const int p = static_cast<int>(rows_.size());
  rows_.push_back(i);  // within the reserved capacity: no allocation
  sigma_.push_back(sigma);
  pair_of_[i] = p;
  column_.setZero();
  column_[row_offset_ + i] = 1.0;
  backend.solve_in_place(column_);
  W_.col(2 * p) = column_;
  column_.setZero();
  for (int q = C_.start[i]; q < C_.start[i + 1]; ++q)
    column_[C_.column[q]] = C_.values[C_.entry[q]];
  backend.solve_in_place(column_);
  W_.col(2 * p + 1) = column_;
}

void ActiveSetCorrection::remove_pair(int p) {
  const int last = static_cast<int>(rows_.size()) - 1;
  pair_of_[rows_[p]] = -1;
  if (p != last) {
    rows_[p] = rows_[last];
    sigma_[p] = sigma_[last];
    pair_of_[rows_[p]] = p;
    W_.col(2 * p) = W_.col(2 * last);
    W_.col(2 * p + 1) = W_.col(2 * last + 1);
  }
  rows_.pop_back();
  sigma_.pop_back();
}

bool ActiveSetCorrection::set_rows(const ActiveSet& active, const ActiveSet& factored,
                                   const InequalityRows& C, const LdltBackend& backend,
                                   int& solves) {
  C_ = C;
  solves = 0;
  const int n_in = static_cast<int>(active.size());
  auto differs = [&](int i) { return (active[i] != 0) != (factored[i] != 0); };
  int count = 0, fresh = 0;
  for (int i = 0; i < n_in; ++i) {
    if (!differs(i)) continue;
    ++count;
    fresh += pair_of_[i] < 0;
  }
  if (count > capacity_ || 2 * fresh > static_cast<int>(budget_ - spent_)) {
    clear();
    return false;
  }
  // Rows back in their factored state leave (from the end, so moves keep indices valid).
  for (int p = static_cast<int>(rows_.size()) - 1; p >= 0; --p)
    if (!differs(rows_[p])) remove_pair(p);
  for (int i = 0; i < n_in; ++i) {
    if (!differs(i) || pair_of_[i] >= 0) continue;
    add_row(i, active[i] ? 1.0 : -1.0, backend);
    solves += 2;
  }
  spent_ += solves;
  if (!factorize_capacitance()) {
    clear();
    return false;
  }
  return true;
}

bool ActiveSetCorrection::factorize_capacitance() {
  const int m = 2 * rows();
  for (int b = 0; b < m; ++b) {
    for (int a = 0; a < m; ++a) M_(a, b) = u_dot(a, W_.col(b));
    // S: the 2×2 block [[0, σ], [σ, 0]] of the row.
    const int a = b ^ 1;
    M_(a, b) += sigma_[b / 2];
  }
  // LU with partial pivoting in place: m is at most 2·capacity (≤ 128), and Eigen's
  // decompositions would reallocate whenever m changes.
  for (int k = 0; k < m; ++k) {
    int p = k;
    for (int a = k + 1; a < m; ++a)
      if (std::abs(M_(a, k)) > std::abs(M_(p, k))) p = a;
    pivot_[k] = p;
    // Only an exactly zero (or non-finite) pivot is refused here. M's entries span 1/μ
    // (a decoupled row's e_iᵀK0⁻¹e_i = −1/μ_in, 1e12 at the smallest floors) down to S's ±1,
    // so a pivot small against the largest entry is normal (Q25FV47: a 1e-13 relative test
    // refused 91 of 770 corrections); an inaccurate one shows in the caller's refinement,
    // which then refactorizes.
    if (!(std::abs(M_(p, k)) > 0.0) || !std::isfinite(M_(p, k))) return false;
    if (p != k)
      for (int b = 0; b < m; ++b) std::swap(M_(k, b), M_(p, b));
    const double inv = 1.0 / M_(k, k);
    for (int a = k + 1; a < m; ++a) {
      const double l = M_(a, k) * inv;
      M_(a, k) = l;
      if (l != 0.0)
        for (int b = k + 1; b < m; ++b) M_(a, b) -= l * M_(k, b);
    }
  }
  return true;
}

void ActiveSetCorrection::solve_in_place(const LdltBackend& backend, Vector& x) {
  backend.solve_in_place(x);
  const int m = 2 * rows();
  if (m == 0) return;
  for (int a = 0; a < m; ++a) g_[a] = u_dot(a, x);
  // The factorization swapped whole rows (L's columns too): all interchanges first, then L.
  for (int k = 0; k < m; ++k) std::swap(g_[k], g_[pivot_[k]]);
  for (int k = 0; k < m; ++k)
    for (int a = k + 1; a < m; ++a) g_[a] -= M_(a, k) * g_[k];
  for (int k = m - 1; k >= 0; --k) {
    double v = g_[k];
    for (int b = k + 1; b < m; ++b) v -= M_(k, b) * g_[b];
    g_[k] = v / M_(k, k);
  }
  x.noalias() -= W_.leftCols(m) * g_.head(m);
  // The overhead over a plain solve (W's 2k columns of N, Uᵀy); the solve itself a
  // refactorized matrix would need as well.
  spent_ += 2.0 * m * static_cast<double>(x.size()) / solve_cost_;
}

}  // namespace qplayer::sparse
