// The dense KKT system: dense copies of H, A, C, a reduced LDLᵀ over the active rows that
// follows active-set changes by row append/delete, and matrix-free iterative refinement.
#pragma once

#include "qplayer/dense/ldlt.hpp"
#include "qplayer/kkt_system.hpp"
#include "qplayer/settings.hpp"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace qplayer::dense {

/// Factorizes the reduced matrix over [x | equality rows | active inequality rows], the
/// active rows in order of activation (an appended row goes to the end, a deleted one is
/// cut out), so dim = n + n_eq + |J|. Inactive rows are diagonal (-mu_in dz_i = r_z,i) and
/// are solved outside the factorization. All memory is taken in the constructor.
class KktSystem final : public qplayer::KktSystem {
 public:
  KktSystem(const KktData& data, const Settings& settings);

  std::string backend_name() const override { return "dense"; }
  void set_values(const KktData& data) override;

  void multiply_H(const Vector& x, Vector& out) const override;
  void multiply_A(const Vector& x, Vector& out) const override;
  void multiply_At(const Vector& y, Vector& out) const override;
  void multiply_C(const Vector& x, Vector& out) const override;
  void multiply_Ct(const Vector& z, Vector& out) const override;

  FactorStatus factorize(double rho, double mu_eq, double mu_in, const ActiveSet& active) override;
  FactorStatus update_active_set(const ActiveSet& active) override;
  void solve(const Vector& rhs, Vector& solution) override;
  KktStats stats() const override;
  bool holds_factorization(double rho, double mu_eq, double mu_in) const override {
    return factorized_ && !stale_ && status_ == FactorStatus::Ok && rho == rho_ &&
           mu_eq == mu_eq_ && mu_in == mu_in_;
  }

  // --- read-only views for consumers of the factorization (derivatives, tests) ----------
  int n() const { return n_; }
  int n_eq() const { return n_eq_; }
  int n_in() const { return n_in_; }
  const Ldlt& ldlt() const { return ldlt_; }
  /// Regularization of the factorization held: H + ρI, −μ_eq I, −μ_in I.
  double rho() const { return rho_; }
  double mu_eq() const { return mu_eq_; }
  double mu_in() const { return mu_in_; }
  const ActiveSet& active_set() const { return active_; }
  /// Inequality row held at reduced position n + n_eq + p, for p < |J|.
  const std::vector<int>& active_order() const { return active_order_; }
  /// Reduced position of inequality row i (-1 if inactive).
  const std::vector<int>& position() const { return position_; }
  /// Status of the last factorize/update (Failed before the first factorize).
  FactorStatus status() const { return status_; }
  /// Refinement steps taken by the last solve(); its final residual ‖rhs - K sol‖∞.
  int last_refinement_steps() const { return last_steps_; }
  double last_residual() const { return last_residual_; }

 private:
  void copy_values(const KktData& data);
  void count_nnz_kkt();
  void set_active(const ActiveSet& active);
  FactorStatus check_inertia();
  // Appends inequality row i at the end of the factorization; ok &= pivot acceptable.
  void append_active_row(int i, bool& ok);
  // out = K_red⁻¹ in (active rows through the LDLᵀ, inactive ones diagonal).
  void apply_inverse(const Vector& in, Vector& out);
  // out = K v, matrix-free from H, A, C and the current (rho, mu, J).
  void apply_operator(const Vector& v, Vector& out);

  int n_ = 0, n_eq_ = 0, n_in_ = 0;
  Eigen::MatrixXd H_;   // n x n, both triangles
  Eigen::MatrixXd A_;   // n_eq x n
  Eigen::MatrixXd Ct_;  // n x n_in: Cᵀ, so that a row of C is a contiguous column
  long long nnz_kkt_ = 0;

  double max_update_fraction_;
  int refinement_steps_;
  double refinement_tol_;

  double rho_ = 0.0, mu_eq_ = 1.0, mu_in_ = 1.0;
  ActiveSet active_;
  std::vector<int> active_order_;  // capacity n_in, reserved once
  std::vector<int> position_;
  std::vector<int> leaving_;  // scratch for update_active_set, capacity n_in
  std::vector<int> entering_;
  bool factorized_ = false;  // a factorization for (rho, mu, active_) exists
  bool stale_ = true;        // set_values since the last factorization
  FactorStatus status_ = FactorStatus::Failed;

  Ldlt ldlt_;
  Vector reduced_;     // n + n_eq + n_in: gathered active part of a right-hand side
  Vector column_;      // n + n_eq + n_in: the column appended for an entering row
  Vector residual_;    // N = n + n_eq + n_in
  Vector correction_;  // N
  Vector zbuf_;        // n_in: z masked to the active rows
  int factorizations_ = 0;
  int rank_updates_ = 0;
  int last_steps_ = 0;
  double last_residual_ = 0.0;
};

}  // namespace qplayer::dense
