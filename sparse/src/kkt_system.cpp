// Sparse KKT system: the fixed-pattern upper CSC, the scatters into it, active-set changes by
// refactorization or row replacement, and the solve with matrix-free iterative refinement.
#include "qplayer/sparse/kkt_system.hpp"

#include "qplayer/iterative_refinement.hpp"
#include "qplayer/sparse/ordering.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace qplayer::sparse {

namespace {

int rows_of(const SparseMatrix* M) { return M ? static_cast<int>(M->rows()) : 0; }

}  // namespace

KktSystem::KktSystem(const KktData& data, const Settings& settings,
                     std::unique_ptr<LdltBackend> backend)
    : backend_(std::move(backend)),
      max_update_fraction_(settings.max_update_fraction),
      refinement_steps_(settings.refinement_steps),
      refinement_tol_(settings.refinement_tol) {
  if (!backend_) throw std::invalid_argument("sparse::KktSystem: no backend");
  if (!data.H || data.H->rows() != data.H->cols()) {
    throw std::invalid_argument("sparse::KktSystem: H must be given and square");
  }
  n_ = static_cast<int>(data.H->rows());
  n_eq_ = rows_of(data.A);
  n_in_ = rows_of(data.C);
  check_data(data);
  H_ = data.H;
  A_ = n_eq_ > 0 ? data.A : nullptr;
  C_ = n_in_ > 0 ? data.C : nullptr;
  build_pattern();

  const int total = n_ + n_eq_ + n_in_;
  OrderingChoice choice = choose_ordering(kkt_, settings.ordering);
  ordering_ = choice.ordering;
  permutation_ = std::move(choice.permutation);
  backend_->analyze(kkt_, permutation_);

  active_.assign(n_in_, 0);
  factored_.assign(n_in_, 0);
  if (!backend_->supports_row_updates())
    row_correction_.reserve(total, n_ + n_eq_, n_in_, choice.nnz_l, choice.flops);
  changed_.reserve(n_in_);
  row_index_.resize(n_ + 1);
  row_value_.resize(n_ + 1);
  residual_.setZero(total);
  correction_.setZero(total);
  zbuf_.setZero(n_in_);
}

void KktSystem::check_data(const KktData& data) const {
  auto check = [](const SparseMatrix* M, int rows, int cols, const char* what) {
    if (rows == 0) return;
    if (!M || M->rows() != rows || M->cols() != cols || !M->isCompressed()) {
      throw std::invalid_argument(std::string("sparse::KktSystem: wrong shape of ") + what);
    }
  };
  check(data.H, n_, n_, "H");
  check(data.A, n_eq_, n_, "A");
  check(data.C, n_in_, n_, "C");
}

void KktSystem::build_pattern() {
  const int N = n_ + n_eq_ + n_in_;
  const SparseMatrix& H = *H_;
  // Column counts of the upper triangle: H's upper part plus a diagonal for every column
  // (rho and -mu make each diagonal structurally present even where H has none).
  std::vector<int> count(N, 1);
  for (int j = 0; j < n_; ++j) {
    for (SparseMatrix::InnerIterator it(H, j); it; ++it) count[j] += it.row() < j;
  }
  auto count_rows = [&](const SparseMatrix* M, int offset) {
    if (!M) return;
    for (int k = 0; k < M->nonZeros(); ++k) ++count[offset + M->innerIndexPtr()[k]];
  };
  count_rows(A_, n_);
  count_rows(C_, n_ + n_eq_);

  kkt_.resize(N, N);
  kkt_.resizeNonZeros(0);
  std::vector<int> start(N + 1, 0);
  for (int j = 0; j < N; ++j) start[j + 1] = start[j] + count[j];
  kkt_.reserve(start[N]);
  kkt_.resizeNonZeros(start[N]);
  std::copy(start.begin(), start.end(), kkt_.outerIndexPtr());
  int* inner = kkt_.innerIndexPtr();
  std::vector<int> next(start.begin(), start.end() - 1);

  // x columns: H's strictly upper entries in row order, then the diagonal.
  h_position_.assign(H.nonZeros(), -1);
  diag_position_.assign(N, -1);
  for (int j = 0; j < n_; ++j) {
    int diag_entry = -1;
    for (int k = H.outerIndexPtr()[j]; k < H.outerIndexPtr()[j + 1]; ++k) {
      const int i = H.innerIndexPtr()[k];
      if (i < j) {
        inner[next[j]] = i;
        h_position_[k] = next[j]++;
      } else if (i == j) {
        diag_entry = k;
      }
    }
    inner[next[j]] = j;
    diag_position_[j] = next[j]++;
    if (diag_entry >= 0) h_position_[diag_entry] = diag_position_[j];
  }
  // Constraint columns: row r of A (or C) becomes column offset + r with the entries in x
  // rows. Walking A by columns visits x indices in increasing order, so each KKT column is
  // filled sorted; the diagonal (the largest index) goes last.
  auto fill_rows = [&](const SparseMatrix* M, int offset, std::vector<int>& position) {
    position.assign(M ? M->nonZeros() : 0, -1);
    if (!M) return;
    for (int j = 0; j < n_; ++j) {
      for (int k = M->outerIndexPtr()[j]; k < M->outerIndexPtr()[j + 1]; ++k) {
        const int col = offset + M->innerIndexPtr()[k];
        inner[next[col]] = j;
        position[k] = next[col]++;
      }
    }
  };
  fill_rows(A_, n_, a_position_);
  fill_rows(C_, n_ + n_eq_, c_position_);
  for (int col = n_; col < N; ++col) {
    inner[next[col]] = col;
    diag_position_[col] = next[col]++;
  }

  // Rows of C as lists of C's entries, for row scatters and row replacement.
  c_row_start_.assign(n_in_ + 1, 0);
  c_row_entry_.assign(C_ ? C_->nonZeros() : 0, 0);
  if (C_) {
    for (int k = 0; k < C_->nonZeros(); ++k) ++c_row_start_[C_->innerIndexPtr()[k] + 1];
    for (int i = 0; i < n_in_; ++i) c_row_start_[i + 1] += c_row_start_[i];
    std::vector<int> fill(c_row_start_.begin(), c_row_start_.end() - 1);
    for (int k = 0; k < C_->nonZeros(); ++k) c_row_entry_[fill[C_->innerIndexPtr()[k]]++] = k;
  }
  c_row_column_.assign(c_row_entry_.size(), 0);
  for (std::size_t p = 0; p < c_row_entry_.size(); ++p)
    c_row_column_[p] = inner[c_position_[c_row_entry_[p]]];
  std::fill(kkt_.valuePtr(), kkt_.valuePtr() + kkt_.nonZeros(), 0.0);
}

void KktSystem::set_values(const KktData& data) {
  check_data(data);
  // Same pattern (Solver::update checks it); the maps stay valid, only the pointers move.
  if (data.H->nonZeros() != static_cast<Eigen::Index>(h_position_.size()) ||
      (n_eq_ && data.A->nonZeros() != static_cast<Eigen::Index>(a_position_.size())) ||
      (n_in_ && data.C->nonZeros() != static_cast<Eigen::Index>(c_position_.size()))) {
    throw std::invalid_argument("sparse::KktSystem::set_values: the sparsity pattern changed");
  }
  H_ = data.H;
  A_ = n_eq_ > 0 ? data.A : nullptr;
  C_ = n_in_ > 0 ? data.C : nullptr;
  stale_ = true;
}

void KktSystem::multiply_H(const Vector& x, Vector& out) const { out.noalias() = *H_ * x; }
void KktSystem::multiply_A(const Vector& x, Vector& out) const {
  if (A_)
    out.noalias() = *A_ * x;
  else
    out.setZero(0);
}
void KktSystem::multiply_At(const Vector& y, Vector& out) const {
  if (A_)
    out.noalias() = A_->transpose() * y;
  else
    out.setZero(n_);
}
void KktSystem::multiply_C(const Vector& x, Vector& out) const {
  if (C_)
    out.noalias() = *C_ * x;
  else
    out.setZero(0);
}
void KktSystem::multiply_Ct(const Vector& z, Vector& out) const {
  if (C_)
    out.noalias() = C_->transpose() * z;
  else
    out.setZero(n_);
}

void KktSystem::scatter_values() {
  double* v = kkt_.valuePtr();
  std::fill(v, v + kkt_.nonZeros(), 0.0);
  const double* h = H_->valuePtr();
  for (std::size_t k = 0; k < h_position_.size(); ++k) {
    if (h_position_[k] >= 0) v[h_position_[k]] += h[k];
  }
  for (int j = 0; j < n_; ++j) v[diag_position_[j]] += rho_;
  if (A_) {
    const double* a = A_->valuePtr();
    for (std::size_t k = 0; k < a_position_.size(); ++k) v[a_position_[k]] = a[k];
  }
  for (int r = 0; r < n_eq_; ++r) v[diag_position_[n_ + r]] = -mu_eq_;
  for (int i = 0; i < n_in_; ++i) {
    v[diag_position_[n_ + n_eq_ + i]] = -mu_in_;
    scatter_row(i);
  }
}

void KktSystem::scatter_row(int i) {
  double* v = kkt_.valuePtr();
  const double* c = C_->valuePtr();
  const bool on = active_[i] != 0;
  for (int p = c_row_start_[i]; p < c_row_start_[i + 1]; ++p) {
    const int k = c_row_entry_[p];
    v[c_position_[k]] = on ? c[k] : 0.0;
  }
}

FactorStatus KktSystem::check_inertia() const {
  const Inertia in = backend_->inertia();
  if (in.zero > 0) return FactorStatus::Failed;
  if (in.positive == n_ && in.negative == n_eq_ + n_in_) return FactorStatus::Ok;
  // A sparse LDLᵀ has no pivot-size information to tell rounding flips from true negative
  // curvature; the solver's recovery ladder (larger rho, larger mu) sorts the two apart.
  return FactorStatus::WrongInertia;
}

FactorStatus KktSystem::numeric_factorize() {
  // Rows a correction stood in for get their values now.
  for (int i = 0; i < n_in_; ++i)
    if (active_[i] != factored_[i]) scatter_row(i);
  factored_ = active_;
  row_correction_.clear();
  const bool ok = backend_->factorize(kkt_);
  ++factorizations_;
  factorized_ = true;
  stale_ = false;
  status_ = ok ? check_inertia() : FactorStatus::Failed;
  return status_;
}

FactorStatus KktSystem::factorize(double rho, double mu_eq, double mu_in, const ActiveSet& active) {
  if (static_cast<int>(active.size()) != n_in_) {
    throw std::invalid_argument("sparse::KktSystem: active set size != n_in");
  }
  if (&active != &active_) active_ = active;
  rho_ = rho;
  mu_eq_ = mu_eq;
  mu_in_ = mu_in;
  scatter_values();
  return numeric_factorize();
}

bool KktSystem::replace_inequality_row(int i) {
  // The full column of row i: its coupling with x (C_i if active, else zeros that keep the
  // pattern) and the diagonal -mu_in. Inequality rows couple with nothing else. The x index
  // of each C entry is its row index in the KKT pattern.
  const double* c = C_->valuePtr();
  const bool on = active_[i] != 0;
  int count = 0;
  for (int p = c_row_start_[i]; p < c_row_start_[i + 1]; ++p, ++count) {
    const int k = c_row_entry_[p];
    row_index_[count] = kkt_.innerIndexPtr()[c_position_[k]];
    row_value_[count] = on ? c[k] : 0.0;
  }
  const int column = n_ + n_eq_ + i;
  row_index_[count] = column;
  row_value_[count] = -mu_in_;
  ++count;
  return backend_->replace_row(column, row_index_.data(), row_value_.data(), count);
}

bool KktSystem::updates_pay_off(std::size_t changes) const {
  const double N = n_ + n_eq_ + n_in_;
  if (static_cast<double>(changes) > max_update_fraction_ * N) return false;
  // Cost model measured with CHOLMOD (README.md, "Backends"): a refactorization costs about
  // flops + kRowReplacementsPerNnzL · nnz(L) in units where one row replacement costs nnz(L).
  const double flops = backend_->factorization_flops();
  if (flops <= 0.0) return true;
  const double nnz_l = static_cast<double>(std::max<long long>(1, backend_->nnz_l()));
  return static_cast<double>(changes) <= flops / nnz_l + kRowReplacementsPerNnzL;
}

FactorStatus KktSystem::update_active_set(const ActiveSet& active) {
  if (static_cast<int>(active.size()) != n_in_) {
    throw std::invalid_argument("sparse::KktSystem: active set size != n_in");
  }
  if (!factorized_) throw std::logic_error("sparse::KktSystem: update_active_set before factorize");
  changed_.clear();
  for (int i = 0; i < n_in_; ++i) {
    if (active_[i] != active[i]) changed_.push_back(i);
  }
  if (changed_.empty() && !stale_ && status_ == FactorStatus::Ok) return status_;
  for (int i : changed_) active_[i] = active[i];

  const bool rows_ok = backend_->supports_row_updates() && !stale_ && status_ == FactorStatus::Ok &&
                       updates_pay_off(changed_.size());
  if (!rows_ok) {
    if (stale_) {
      scatter_values();
      return numeric_factorize();
    }
    if (status_ == FactorStatus::Ok && correct_active_set()) return status_;
    return numeric_factorize();  // scatters the rows that differ from the factorization
  }
  bool ok = true;
  for (int i : changed_) {
    scatter_row(i);
    factored_[i] = active_[i];
    // After a failed replacement the factors are invalid: the remaining rows only need
    // their values scattered for the refactorization below.
    if (ok) {
      ok = replace_inequality_row(i);
      ++rank_updates_;
    }
  }
  status_ = ok ? check_inertia() : FactorStatus::Failed;
  // Updates accumulate rounding; a fresh factorization is the authority on a failure.
  if (status_ != FactorStatus::Ok) return numeric_factorize();
  return status_;
}

bool KktSystem::correct_active_set() {
  if (row_correction_.capacity() == 0) return false;
  const InequalityRows rows{c_row_start_.data(), c_row_column_.data(), c_row_entry_.data(),
                            C_->valuePtr()};
  int solves = 0;
  const bool ok = row_correction_.set_rows(active_, factored_, rows, *backend_, solves);
  rank_updates_ += solves / 2;
  return ok;
}

void KktSystem::apply_inverse(const Vector& in, Vector& out) {
  out = in;
  row_correction_.solve_in_place(*backend_, out);
}

void KktSystem::apply_operator(const Vector& v, Vector& out) {
  const auto vx = v.head(n_);
  const auto vy = v.segment(n_, n_eq_);
  const auto vz = v.tail(n_in_);
  for (int i = 0; i < n_in_; ++i) zbuf_(i) = active_[i] ? vz(i) : 0.0;
  auto ox = out.head(n_);
  ox.noalias() = *H_ * vx;
  ox += rho_ * vx;
  if (A_) ox.noalias() += A_->transpose() * vy;
  if (C_) ox.noalias() += C_->transpose() * zbuf_;
  if (A_) {
    auto oy = out.segment(n_, n_eq_);
    oy.noalias() = *A_ * vx;
    oy -= mu_eq_ * vy;
  }
  if (C_) {
    auto oz = out.tail(n_in_);
    oz.noalias() = *C_ * vx;
    for (int i = 0; i < n_in_; ++i) oz(i) = (active_[i] ? oz(i) : 0.0) - mu_in_ * vz(i);
  }
}

void KktSystem::solve(const Vector& rhs, Vector& solution) {
  const int total = n_ + n_eq_ + n_in_;
  if (rhs.size() != total) throw std::invalid_argument("sparse::KktSystem::solve: rhs size");
  if (!factorized_) throw std::logic_error("sparse::KktSystem: solve before factorize");
  if (solution.size() != total) solution.resize(total);
  // New values since the last factorization: refresh it with the same parameters.
  if (stale_) {
    scatter_values();
    numeric_factorize();
  }

  auto inverse = [this](const Vector& in, Vector& out) { apply_inverse(in, out); };
  auto op = [this](const Vector& in, Vector& out) { apply_operator(in, out); };
  RefinementOutcome outcome = refine(rhs, solution, residual_, correction_, refinement_steps_,
                                     refinement_tol_, inverse, op);
  // A corrected solve that refinement cannot bring to its tolerance (an ill-conditioned
  // capacitance matrix): the refactorized matrix is the authority.
  const double target = refinement_tol_ * (1.0 + rhs.lpNorm<Eigen::Infinity>());
  if (row_correction_.rows() > 0 && !(outcome.residual <= target)) {
    numeric_factorize();
    outcome = refine(rhs, solution, residual_, correction_, refinement_steps_, refinement_tol_,
                     inverse, op);
  }
  last_steps_ = outcome.steps;
  last_residual_ = outcome.residual;
}

KktStats KktSystem::stats() const {
  KktStats s;
  s.nnz_kkt = kkt_.nonZeros();
  s.nnz_l = backend_->nnz_l();
  s.factorizations = factorizations_;
  s.rank_updates = rank_updates_;
  s.epoch = backend_->epoch();
  return s;
}

}  // namespace qplayer::sparse
