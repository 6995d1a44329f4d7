// Dense KKT system: assembly of the reduced quasi-definite matrix, active-set changes by
// row append/delete of its LDLᵀ, and the solve with matrix-free iterative refinement.
#include "qplayer/dense/kkt_system.hpp"

#include "qplayer/iterative_refinement.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace qplayer::dense {

namespace {

int rows_of(const SparseMatrix* M) { return M ? static_cast<int>(M->rows()) : 0; }

void check_shape(const SparseMatrix* M, int rows, int cols, const char* what) {
  if (rows == 0) return;  // an absent block may come as nullptr or with any column count
  if (!M || M->rows() != rows || M->cols() != cols) {
    throw std::invalid_argument(std::string("dense::KktSystem: wrong shape of ") + what);
  }
}

}  // namespace

KktSystem::KktSystem(const KktData& data, const Settings& settings)
    : max_update_fraction_(settings.max_update_fraction),
      refinement_steps_(settings.refinement_steps),
      refinement_tol_(settings.refinement_tol) {
  if (!data.H || data.H->rows() != data.H->cols()) {
    throw std::invalid_argument("dense::KktSystem: H must be given and square");
  }
  n_ = static_cast<int>(data.H->rows());
  n_eq_ = rows_of(data.A);
  n_in_ = rows_of(data.C);
  H_.resize(n_, n_);
  A_.resize(n_eq_, n_);
  Ct_.resize(n_, n_in_);
  copy_values(data);

  active_.assign(n_in_, 0);
  active_order_.reserve(n_in_);
  position_.assign(n_in_, -1);
  leaving_.reserve(n_in_);
  entering_.reserve(n_in_);

  const int total = n_ + n_eq_ + n_in_;
  ldlt_.reserve(total);
  reduced_.setZero(total);
  column_.setZero(total);
  residual_.setZero(total);
  correction_.setZero(total);
  zbuf_.setZero(n_in_);
}

void KktSystem::set_values(const KktData& data) {
  copy_values(data);
  stale_ = true;
}

void KktSystem::copy_values(const KktData& data) {
  check_shape(data.H, n_, n_, "H");
  check_shape(data.A, n_eq_, n_, "A");
  check_shape(data.C, n_in_, n_, "C");
  H_ = *data.H;
  if (n_eq_ > 0) A_ = *data.A;
  if (n_in_ > 0) Ct_ = data.C->transpose();
  count_nnz_kkt();
}

void KktSystem::count_nnz_kkt() {
  // Upper triangle of the full KKT: every diagonal entry (rho and -mu make them structurally
  // present), the strict upper part of H, and the Aᵀ and Cᵀ blocks.
  long long count = n_ + n_eq_ + n_in_;
  for (int j = 0; j < n_; ++j) {
    for (int i = 0; i < j; ++i) count += H_(i, j) != 0.0;
  }
  count += (A_.array() != 0.0).count();
  count += (Ct_.array() != 0.0).count();
  nnz_kkt_ = count;
}

void KktSystem::multiply_H(const Vector& x, Vector& out) const { out.noalias() = H_ * x; }
void KktSystem::multiply_A(const Vector& x, Vector& out) const { out.noalias() = A_ * x; }
void KktSystem::multiply_At(const Vector& y, Vector& out) const {
  out.noalias() = A_.transpose() * y;
}
void KktSystem::multiply_C(const Vector& x, Vector& out) const {
  out.noalias() = Ct_.transpose() * x;
}
void KktSystem::multiply_Ct(const Vector& z, Vector& out) const { out.noalias() = Ct_ * z; }

void KktSystem::set_active(const ActiveSet& active) {
  if (static_cast<int>(active.size()) != n_in_) {
    throw std::invalid_argument("dense::KktSystem: active set size != n_in");
  }
  if (&active != &active_) active_ = active;  // same size: no reallocation
  active_order_.clear();
  for (int i = 0; i < n_in_; ++i) {
    position_[i] = active_[i] ? static_cast<int>(active_order_.size()) : -1;
    if (active_[i]) active_order_.push_back(i);
  }
}

FactorStatus KktSystem::check_inertia() {
  const Inertia in = ldlt_.inertia();
  if (in.zero > 0) return FactorStatus::Failed;
  const int negative = n_eq_ + static_cast<int>(active_order_.size());
  if (in.positive == n_ && in.negative == negative) return FactorStatus::Ok;
  // Only signs that rounding cannot explain prove a wrong inertia (a non-convex subproblem).
  // Flips among pivots at the rounding level (tiny mu, more active rows than variables:
  // condition ~1e17) mean the matrix is numerically singular: the factors are then useless
  // even as a preconditioner for refinement, so report a numerical failure, not non-convexity.
  const Inertia certain = ldlt_.certain_inertia();
  if (certain.positive > n_ || certain.negative > negative) return FactorStatus::WrongInertia;
  return FactorStatus::Failed;
}

FactorStatus KktSystem::factorize(double rho, double mu_eq, double mu_in, const ActiveSet& active) {
  set_active(active);
  rho_ = rho;
  mu_eq_ = mu_eq;
  mu_in_ = mu_in;
  const int na = n_ + n_eq_;
  const int nj = static_cast<int>(active_order_.size());
  const int dim = na + nj;

  // Only the lower triangle is read by the factorization; the upper part is scratch.
  auto S = ldlt_.storage(dim);
  S.topLeftCorner(n_, n_) = H_;
  S.diagonal().head(n_).array() += rho;
  S.block(n_, 0, n_eq_, n_) = A_;
  for (int p = 0; p < nj; ++p) S.row(na + p).head(n_) = Ct_.col(active_order_[p]).transpose();
  for (int j = n_; j < dim; ++j) S.col(j).segment(j + 1, dim - j - 1).setZero();
  S.diagonal().segment(n_, n_eq_).setConstant(-mu_eq);
  S.diagonal().tail(nj).setConstant(-mu_in);

  const bool ok = ldlt_.factorize_in_place(dim);
  ++factorizations_;
  factorized_ = true;
  stale_ = false;
  status_ = ok ? check_inertia() : FactorStatus::Failed;
  return status_;
}

void KktSystem::append_active_row(int i, bool& ok) {
  const int k = ldlt_.dim();
  // The new row couples only with x: [C_i, 0 (equality and active rows)], pivot -mu_in.
  column_.head(n_) = Ct_.col(i);
  column_.segment(n_, k - n_).setZero();
  ok = ldlt_.append_row(column_.head(k), -mu_in_) && ok;
  position_[i] = static_cast<int>(active_order_.size());
  active_order_.push_back(i);
  active_[i] = 1;
  ++rank_updates_;
}

FactorStatus KktSystem::update_active_set(const ActiveSet& active) {
  if (static_cast<int>(active.size()) != n_in_) {
    throw std::invalid_argument("dense::KktSystem: active set size != n_in");
  }
  if (!factorized_) throw std::logic_error("dense::KktSystem: update_active_set before factorize");
  // Updates need a valid factorization of the current data to start from.
  if (stale_ || status_ != FactorStatus::Ok) {
    return factorize(rho_, mu_eq_, mu_in_, active);
  }
  leaving_.clear();
  entering_.clear();
  for (int i = 0; i < n_in_; ++i) {
    if (active_[i] && !active[i]) leaving_.push_back(i);
    if (!active_[i] && active[i]) entering_.push_back(i);
  }
  const int changes = static_cast<int>(leaving_.size() + entering_.size());
  if (changes == 0) return status_;
  const int limit = std::max(1, static_cast<int>(max_update_fraction_ * ldlt_.dim()));
  if (changes > limit) return factorize(rho_, mu_eq_, mu_in_, active);

  bool ok = true;
  // Delete from the back so the positions of the rows still to delete stay valid.
  std::sort(leaving_.begin(), leaving_.end(),
            [this](int a, int b) { return position_[a] > position_[b]; });
  for (int i : leaving_) {
    ok = ldlt_.delete_row(n_ + n_eq_ + position_[i]) && ok;
    active_[i] = 0;
    position_[i] = -1;
    ++rank_updates_;
  }
  active_order_.erase(std::remove_if(active_order_.begin(), active_order_.end(),
                                     [this](int i) { return !active_[i]; }),
                      active_order_.end());
  for (int p = 0; p < static_cast<int>(active_order_.size()); ++p) position_[active_order_[p]] = p;
  for (int i : entering_) append_active_row(i, ok);

  status_ = ok ? check_inertia() : FactorStatus::Failed;
  // Updates accumulate rounding; a fresh factorization is the authority on a failure.
  if (status_ != FactorStatus::Ok) return factorize(rho_, mu_eq_, mu_in_, active);
  return status_;
}

void KktSystem::apply_inverse(const Vector& in, Vector& out) {
  const int na = n_ + n_eq_;
  const int nj = static_cast<int>(active_order_.size());
  reduced_.head(na) = in.head(na);
  for (int p = 0; p < nj; ++p) reduced_(na + p) = in(na + active_order_[p]);
  ldlt_.solve_in_place(reduced_.head(na + nj));
  out.head(na) = reduced_.head(na);
  for (int i = 0; i < n_in_; ++i) {
    out(na + i) = position_[i] >= 0 ? reduced_(na + position_[i]) : -in(na + i) / mu_in_;
  }
}

void KktSystem::apply_operator(const Vector& v, Vector& out) {
  const auto vx = v.head(n_);
  const auto vy = v.segment(n_, n_eq_);
  const auto vz = v.tail(n_in_);
  for (int i = 0; i < n_in_; ++i) zbuf_(i) = active_[i] ? vz(i) : 0.0;
  auto ox = out.head(n_);
  ox.noalias() = H_ * vx;
  ox += rho_ * vx;
  ox.noalias() += A_.transpose() * vy;
  ox.noalias() += Ct_ * zbuf_;
  auto oy = out.segment(n_, n_eq_);
  oy.noalias() = A_ * vx;
  oy -= mu_eq_ * vy;
  auto oz = out.tail(n_in_);
  oz.noalias() = Ct_.transpose() * vx;
  for (int i = 0; i < n_in_; ++i) oz(i) = (active_[i] ? oz(i) : 0.0) - mu_in_ * vz(i);
}

void KktSystem::solve(const Vector& rhs, Vector& solution) {
  const int total = n_ + n_eq_ + n_in_;
  if (rhs.size() != total) throw std::invalid_argument("dense::KktSystem::solve: rhs size");
  if (!factorized_) throw std::logic_error("dense::KktSystem: solve before factorize");
  if (solution.size() != total) solution.resize(total);
  // New values since the last factorization: refresh it with the same parameters.
  if (stale_) factorize(rho_, mu_eq_, mu_in_, active_);

  const RefinementOutcome outcome = refine(
      rhs, solution, residual_, correction_, refinement_steps_, refinement_tol_,
      [this](const Vector& in, Vector& out) { apply_inverse(in, out); },
      [this](const Vector& in, Vector& out) { apply_operator(in, out); });
  last_steps_ = outcome.steps;
  last_residual_ = outcome.residual;
}

KktStats KktSystem::stats() const {
  KktStats s;
  s.nnz_kkt = nnz_kkt_;
  s.nnz_l = ldlt_.nnz_l();
  s.factorizations = factorizations_;
  s.rank_updates = rank_updates_;
  s.epoch = ldlt_.epoch();
  return s;
}

}  // namespace qplayer::dense
