// The sparse KKT system: one upper-triangular CSC of the full quasi-definite KKT matrix with
// a pattern fixed at setup, index maps from H, A, C into it, and any LdltBackend behind it.
#pragma once

#include "qplayer/kkt_system.hpp"
#include "qplayer/ldlt_backend.hpp"
#include "qplayer/settings.hpp"
#include "qplayer/sparse/active_set_correction.hpp"

#include <memory>
#include <string>
#include <vector>

namespace qplayer::sparse {

/// The matrix, ordered [x | equality rows | inequality rows] (dimension N = n + n_eq + n_in):
///   [ H + rho I   Aᵀ         C_Jᵀ     ]
///   [ A          -mu_eq I    0        ]
///   [ C_J         0         -mu_in I  ]
/// Every inequality row stays in the pattern. An inactive row keeps its diagonal -mu_in and
/// has its coupling values set to zero, which is exactly the row -mu_in dz_i = r_z,i of the
/// Newton system: one pattern, one symbolic analysis and one ordering for the whole solve,
/// whatever the active set. Active-set changes are value scatters followed by a numeric
/// refactorization, or, when the backend can (CHOLMOD with its Modify module), row
/// replacements of the factors in place. Backends without row replacement keep their
/// factorization through a few changed rows where refactorizing costs tens of solves: the
/// solves then go through an ActiveSetCorrection (Sherman–Morrison–Woodbury).
///
/// The products H x, A x, ... used for iterative refinement come from the solver's own
/// scaled matrices (KktData), which must outlive this object; nothing is copied from them.
class KktSystem final : public qplayer::KktSystem {
 public:
  /// Row replacements are used while their count stays below factorization_flops()/nnz(L)
  /// + this (measured with CHOLMOD's rowdel + rowadd against cholmod_factorize: the bound
  /// was below the break-even count on 5 of 6 Maros–Meszaros KKT matrices, README.md).
  static constexpr double kRowReplacementsPerNnzL = 10.0;

  KktSystem(const KktData& data, const Settings& settings, std::unique_ptr<LdltBackend> backend);

  std::string backend_name() const override { return backend_->name(); }
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
  const LdltBackend& backend() const { return *backend_; }
  /// The KKT matrix (upper CSC) with the values of the last factorization.
  const SparseMatrix& matrix() const { return kkt_; }
  const std::vector<int>& permutation() const { return permutation_; }
  Ordering ordering() const { return ordering_; }
  const ActiveSet& active_set() const { return active_; }
  /// The active set the backend's factorization holds: active_set() up to the rows an
  /// ActiveSetCorrection stands in for. Solves with backend() are solves with that matrix.
  const ActiveSet& factored_active_set() const { return factored_; }
  double rho() const { return rho_; }
  double mu_eq() const { return mu_eq_; }
  double mu_in() const { return mu_in_; }
  FactorStatus status() const { return status_; }
  int last_refinement_steps() const { return last_steps_; }
  double last_residual() const { return last_residual_; }

 private:
  void check_data(const KktData& data) const;
  void build_pattern();
  // Writes every value of kkt_ for (rho, mu, active_) through the index maps.
  void scatter_values();
  // Writes the coupling values of inequality row i (C_i if active, else 0).
  void scatter_row(int i);
  FactorStatus numeric_factorize();
  FactorStatus check_inertia() const;
  // Whether `changes` row replacements are cheaper than one refactorization.
  bool updates_pay_off(std::size_t changes) const;
  // Row replacement in the factors for row i with its current values.
  bool replace_inequality_row(int i);
  void apply_operator(const Vector& v, Vector& out);
  // The correction for the rows where active_ differs from factored_, within its budget.
  bool correct_active_set();
  // One solve with the current matrix: the backend's, corrected where rows differ.
  void apply_inverse(const Vector& in, Vector& out);

  const SparseMatrix* H_ = nullptr;
  const SparseMatrix* A_ = nullptr;
  const SparseMatrix* C_ = nullptr;
  int n_ = 0, n_eq_ = 0, n_in_ = 0;

  SparseMatrix kkt_;                // upper triangle, CSC, compressed; pattern fixed
  std::vector<int> h_position_;     // per stored entry of H: index into kkt_ values, -1 if below
  std::vector<int> a_position_;     // per stored entry of A (column-major order)
  std::vector<int> c_position_;     // per stored entry of C (column-major order)
  std::vector<int> diag_position_;  // per KKT column
  std::vector<int> c_row_start_;    // CSR view of C into c_position_: rows of C as KKT columns
  std::vector<int> c_row_entry_;    //   entry indices of C (into its value array) per row
  std::vector<int> c_row_column_;   //   and their x indices
  std::vector<int> permutation_;
  Ordering ordering_ = Ordering::Natural;
  std::unique_ptr<LdltBackend> backend_;

  double max_update_fraction_;
  int refinement_steps_;
  double refinement_tol_;
  double rho_ = 0.0, mu_eq_ = 1.0, mu_in_ = 1.0;
  ActiveSet active_;
  ActiveSet factored_;  // the active set of the last numeric factorization (or row update)
  ActiveSetCorrection row_correction_;  // planned only for backends without row updates
  std::vector<int> changed_;            // scratch for update_active_set, capacity n_in
  std::vector<int> row_index_;          // scratch column for replace_row, capacity n + 1
  std::vector<double> row_value_;       // idem
  bool factorized_ = false;
  bool stale_ = true;
  FactorStatus status_ = FactorStatus::Failed;

  Vector residual_, correction_, zbuf_;
  int factorizations_ = 0;
  int rank_updates_ = 0;
  int last_steps_ = 0;
  double last_residual_ = 0.0;
};

}  // namespace qplayer::sparse
