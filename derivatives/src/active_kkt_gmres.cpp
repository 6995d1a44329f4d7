// The derivative engine's Krylov solver: restarted, right-preconditioned GMRES on the
// equilibrated active-set KKT matrix, with the range-restricted variant and the Tikhonov-
// damped subspace update (why GMRES and not refinement: active_kkt.cpp's header).
#include "active_kkt.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <limits>

namespace qplayer::derivatives::detail {
namespace {

// Tikhonov weight of the least-squares step of gmres() (equilibrated units).
constexpr double kDamping = 1e-10;

}  // namespace

void ActiveKkt::gmres(const Vector& rhs, Vector& x, SolveReport& report, bool least_squares,
                      bool restricted) {
  const int N = size();
  x.setZero(N);
  report.iterations = 0;
  const double rhs_norm = rhs.norm();
  report.relative_residual = 0.0;
  report.converged = true;
  if (!(rhs_norm > 0.0)) return;
  const double target = options_.tolerance * rhs_norm;
  const int k = std::max(1, options_.restart);
  // Size-N scratch lives in the engine (one allocation per View, not per call: at n = 10⁴
  // fresh vectors cost page faults comparable to a triangular solve).
  // The Krylov vectors grow on demand (a well-preconditioned solve uses 3–5 of the restart's
  // k + 1): N × 2(k + 1) doubles up front is 9 MB at n = 10⁴, all page faults for a new View.
  if (basis_.rows() != N) {
    preconditioned_.resize(N, std::min(k, 4));
    basis_.resize(N, preconditioned_.cols() + 1);
  }
  auto ensure_columns = [&](int j) {  // basis_ column j + 1 and preconditioned_ column j
    if (preconditioned_.cols() <= j) {
      const int c = std::min(k, 2 * static_cast<int>(preconditioned_.cols()));
      preconditioned_.conservativeResize(N, c);
      basis_.conservativeResize(N, c + 1);
    }
  };
  for (Vector* v : {&r_, &w_, &z_, &outside_, &best_}) v->resize(N);
  Vector &r = r_, &w = w_, &z = z_, &outside = outside_, &best = best_;
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(k + 1, k);
  Eigen::MatrixXd hess = Eigen::MatrixXd::Zero(k + 1, k);  // the Hessenberg matrix, unrotated
  Vector cs(k), sn(k), g(k + 1), coords(k + 1), y(k), history(k);
  best.setZero();
  double best_norm = std::numeric_limits<double>::infinity();
  double previous_norm = best_norm;

  // After a cycle, r − K Z y = r − V (H y) by the Arnoldi relation K Z = V H (kept to rounding
  // by the double Gram-Schmidt): the new residual without a product with K, which costs about
  // one triangular solve pair. Its rounding (~1e-14 relative) is harmless for tolerances down
  // to 1e-10; below that the true residual is recomputed, a restart then also acting as a
  // refinement step against the rounding of the factorization.
  // With the implicit operator the recursion follows I − ΔM⁻¹, which equals K̃M⁻¹ only up to
  // the factorization's rounding: every cycle after the first starts from the true
  // residual, so the last one confirms the answer with one product with K̃.
  bool recursive_residual = options_.tolerance >= 1e-10 && !implicit_;
  double cycle_estimate = 0.0;  // the last cycle's final residual estimate
  for (bool first = true;; first = false) {
    if (first) {
      r = rhs;  // x = 0: no product needed
    } else if (!recursive_residual) {
      apply_operator(x, w);
      r = rhs - w;
    }
    const double r_norm = r.norm();
    // The implicit operator drifted from K̃ (a factorization whose rounding M⁻¹ amplifies:
    // penalties near their floors): the explicit products from here on.
    if (!first && implicit_ && r_norm > 10.0 * cycle_estimate && r_norm > target) {
      implicit_ = false;
      recursive_residual = options_.tolerance >= 1e-10;
    }
    const bool progress = r_norm < best_norm;  // false for NaN too
    if (progress) {
      best_norm = r_norm;
      best = x;
    }
    // Stop when converged, out of budget, or when a whole restart cycle did not even halve
    // the residual: then K is singular and the rest of r is (numerically) outside its range.
    if (!progress || r_norm <= target || report.iterations >= options_.max_iterations ||
        r_norm > 0.5 * previous_norm)
      break;
    previous_norm = r_norm;

    // Range-restricted GMRES: the search space starts at K M⁻¹ r, not r, so every update
    // M⁻¹ V y lies in M⁻¹ range(K) = range(K) (M = K + diagonal regularization leaves the
    // nullspace of K invariant in the degenerate cases that matter: duplicate constraints,
    // H singular on the feasible directions). A right-hand side with a component outside
    // range(K) then gives the least-squares solution without a nullspace part, instead of
    // that component amplified by 1/μ through the preconditioner.
    // The plain variant (restricted = false) starts at r itself: one preconditioner
    // application less per cycle, for solve()'s first attempt (see there).
    coords.setZero();
    if (restricted) {
      apply_preconditioned(r, z, w);
      ++report.iterations;
      const double start_norm = w.norm();
      if (!(start_norm > 0.0) || !std::isfinite(start_norm)) break;
      basis_.col(0) = w / start_norm;
      coords[0] = basis_.col(0).dot(r);
      // The part of r outside the basis, kept as a vector: its norm from ‖r‖² − ‖coords‖²
      // would cancel catastrophically below ~1e-8·‖r‖, exactly where the target lies.
      outside = r - coords[0] * basis_.col(0);
    } else {
      basis_.col(0) = r / r_norm;
      coords[0] = r_norm;
      outside.setZero();
    }
    g = coords;
    hess.setZero();
    int used = 0;
    for (int j = 0; j < k && report.iterations < options_.max_iterations; ++j) {
      ensure_columns(j);
      apply_preconditioned(basis_.col(j), z, w);
      preconditioned_.col(j) = z;
      ++report.iterations;
      // Modified Gram-Schmidt, twice: the preconditioned operator can be far from normal.
      for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i <= j; ++i) {
          const double t = basis_.col(i).dot(w);
          h(i, j) += t;
          w.noalias() -= t * basis_.col(i);
        }
      const double h_next = w.norm();
      const bool breakdown = !(h_next > 1e-14 * std::abs(h(j, j)) && h_next > 1e-300);
      hess.col(j).head(j + 1) = h.col(j).head(j + 1);
      hess(j + 1, j) = breakdown ? 0.0 : h_next;
      // r is not in the span of the basis: its coordinates are read off as the basis grows.
      if (!breakdown) {
        basis_.col(j + 1) = w / h_next;
        coords[j + 1] = basis_.col(j + 1).dot(outside);
        outside.noalias() -= coords[j + 1] * basis_.col(j + 1);
      }
      // Givens QR of the Hessenberg matrix, for the running residual estimate only.
      for (int i = 0; i < j; ++i) {
        const double a = h(i, j), b = h(i + 1, j);
        h(i, j) = cs[i] * a + sn[i] * b;
        h(i + 1, j) = -sn[i] * a + cs[i] * b;
      }
      g[j + 1] = coords[j + 1];
      const double rr = std::hypot(h(j, j), hess(j + 1, j));
      cs[j] = rr > 0 ? h(j, j) / rr : 1.0;
      sn[j] = rr > 0 ? hess(j + 1, j) / rr : 0.0;
      h(j, j) = rr;
      const double a = g[j], b = g[j + 1];
      g[j] = cs[j] * a + sn[j] * b;
      g[j + 1] = -sn[j] * a + cs[j] * b;
      used = j + 1;
      const double estimate = std::hypot(outside.norm(), g[j + 1]);
      cycle_estimate = estimate;
      if (estimate <= target || breakdown) break;
      // A cycle also ends when the estimate stalls (less than 10% gained over 4 steps) once
      // it is past half of the orders of magnitude to the target: the factorization's own
      // rounding (sparse solves carry no refinement of their own) caps what one cycle can
      // reach near 1e-11, and a restart from the true residual then acts as the refinement
      // step. Early plateaus are left alone: they are the rows where J differs from the
      // factorization's set, which GMRES resolves after about that many steps.
      history[j] = estimate;
      // Least squares: the estimate tends to the norm of the part of r outside range(K)
      // (the basis lies in range(K)), so its decrease, not its value, says how much of the
      // range part is left; stop once a step removes less than the target from it.
      if (least_squares && j >= 1 &&
          (history[j - 1] - estimate) * (history[j - 1] + estimate) <= target * target)
        break;
      if (j >= 4 && estimate > 0.9 * history[j - 4] && estimate < std::sqrt(target * r_norm)) break;
      // The plain variant gives up at the first plateau: solve() then starts over with the
      // restricted one, which handles what plateaus (mismatched rows, inconsistent parts).
      if (!restricted && j >= 2 && estimate > 0.5 * history[j - 2]) break;
    }
    // The update Z y (Z = M⁻¹V) minimizes ‖r − K Z y‖² + λ²‖Z y‖², λ = kDamping: Tikhonov
    // least squares on the subspace. K̃ is equilibrated (‖K̃‖ ~ 1), so singular values of K̃
    // above ~1e-5 are untouched to 1e-10 relative, while (near-)null directions, which the
    // preconditioner amplifies by 1/μ, are damped to zero instead of producing a huge,
    // rounding-dominated answer (seen on QPs whose active constraints are dependent).
    const auto Z = preconditioned_.leftCols(used);
    // (lazyProduct: a few dot products; GEMM's packing cost more than the product here)
    const Eigen::MatrixXd gram = Z.transpose().lazyProduct(Z);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
    Eigen::MatrixXd stacked(2 * used + 1, used);
    stacked.topRows(used + 1) = hess.topLeftCorner(used + 1, used);
    stacked.bottomRows(used) = kDamping * eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal() *
                               eig.eigenvectors().transpose();
    Vector target_vec = Vector::Zero(2 * used + 1);
    target_vec.head(used + 1) = coords.head(used + 1);
    y.head(used) = stacked.completeOrthogonalDecomposition().solve(target_vec);
    x.noalias() += Z * y.head(used);
    if (recursive_residual && used > 0) {
      // (a breakdown leaves column `used` of V unset, with a zero coefficient)
      const int rows = hess(used, used - 1) != 0.0 ? used + 1 : used;
      const Vector coefficients = hess.topLeftCorner(rows, used) * y.head(used);
      r.noalias() -= basis_.leftCols(rows) * coefficients;
    }
    h.setZero();
  }
  x = best;
  report.relative_residual = best_norm / rhs_norm;
  if (least_squares) {
    // The normal equations' residual ‖K̃ r‖ (K̃ symmetric) relative to ‖K̃‖·‖rhs‖, the bound
    // it has when ‖r‖ ≤ tolerance·‖rhs‖ in the consistent case. ‖K̃‖ from three power steps
    // (an underestimate: the measure errs on the safe side); matrix-free products only.
    double norm_k = 0.0;
    z = rhs / rhs_norm;
    for (int step = 0; step < 3; ++step) {
      apply_operator(z, w);
      norm_k = w.norm();
      if (!(norm_k > 0.0)) break;
      z = w / norm_k;
    }
    apply_operator(x, w);
    r = rhs - w;
    apply_operator(r, w);
    report.relative_residual = w.norm() / (std::max(norm_k, 1e-300) * rhs_norm);
  }
  report.converged = report.relative_residual <= options_.tolerance;
}

}  // namespace qplayer::derivatives::detail
