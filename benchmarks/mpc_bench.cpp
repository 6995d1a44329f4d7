// MPC figures on the oscillating-masses model (README "MPC"; issue 7's targets): cold solve
// time at eps 1e-9 per horizon N and sparse ordering with nnz(L), the fitted slope of
// log(time) vs log(N), a harder variant with active state constraints, one numeric KKT
// factorization per backend, warm-started closed-loop steps against cold solves (with heap
// allocations counted per step), and other chain lengths at N = 100.
//
// usage: mpc_bench [--quick]   (--quick: N up to 300, fewer repetitions)
#include "masses_variants.hpp"
#include "qplayer/mpc/controller.hpp"
#include "qplayer/mpc/models.hpp"
#include "qplayer/ruiz_scaling.hpp"
#include "qplayer/solver.hpp"
#include "qplayer/sparse/ordering.hpp"
#include "support/allocation_counter.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace qplayer;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Least-squares slope of log(t) against log(N).
double slope(const std::vector<double>& n, const std::vector<double>& t) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double k = static_cast<double>(n.size());
  for (std::size_t i = 0; i < n.size(); ++i) {
    const double x = std::log(n[i]), y = std::log(t[i]);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

using bench::make;
using bench::random_state;
using bench::Variant;

struct Cold {
  double setup_ms = 0, solve_ms = 0, best_ms = 0;
  int newton = 0, factorizations = 0, active = 0;
  long long nnz_kkt = 0, nnz_l = 0;
  std::string backend, status;
};

// Median of `reps` cold solves on one Solver (the setup, ordering included, is timed once).
Cold cold_solve(const Problem& qp, Ordering ordering, int reps) {
  Settings s;
  s.eps_abs = 1e-9;
  s.ordering = ordering;
  s.time_limit = 10.0;  // an unlucky instance must not hold the whole run
  Cold c;
  auto t = Clock::now();
  Solver solver(qp, s);
  c.setup_ms = ms_since(t);
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    t = Clock::now();
    const Result& res = solver.solve();
    times.push_back(ms_since(t));
    c.newton = res.info.inner_iterations;
    c.factorizations = res.info.factorizations;
    c.nnz_kkt = res.info.nnz_kkt;
    c.nnz_l = res.info.nnz_l;
    c.backend = res.info.backend;
    c.status = to_string(res.info.status);
    c.active = 0;
    for (Eigen::Index i = 0; i < res.z_box.size(); ++i) c.active += res.z_box(i) != 0.0;
  }
  c.solve_ms = median(times);
  c.best_ms = *std::min_element(times.begin(), times.end());
  return c;
}

// Upper triangle of the KKT pattern the sparse backends factorize (box rows included).
SparseMatrix kkt_upper(const RuizScaling& s) {
  const Eigen::Index n = s.H.rows(), m = s.A.rows(), p = s.C.rows();
  std::vector<Eigen::Triplet<double, int>> t;
  for (int j = 0; j < s.H.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(s.H, j); it; ++it)
      if (it.row() <= j) t.emplace_back(it.row(), j, 1.0);
  for (Eigen::Index i = 0; i < n; ++i) t.emplace_back(i, i, 1.0);
  for (int j = 0; j < s.A.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(s.A, j); it; ++it) t.emplace_back(j, n + it.row(), 1.0);
  for (int j = 0; j < s.C.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(s.C, j); it; ++it) t.emplace_back(j, n + m + it.row(), 1.0);
  for (Eigen::Index i = n; i < n + m + p; ++i) t.emplace_back(i, i, -1.0);
  SparseMatrix k(n + m + p, n + m + p);
  k.setFromTriplets(t.begin(), t.end());
  return k;
}

// Median time of one numeric factorization through the public KKT interface.
double factorization_ms(const Problem& qp, Backend backend, long long& nnz_l) {
  Settings s;
  s.backend = backend;
  RuizScaling scaling;
  scaling.compute(qp, s.ruiz_iterations);
  std::unique_ptr<KktSystem> kkt =
      make_kkt_system(s, qp, KktData{&scaling.H, &scaling.A, &scaling.C});
  const ActiveSet inactive(static_cast<std::size_t>(scaling.C.rows()), 0);
  std::vector<double> times;
  for (int r = 0; r < 7; ++r) {
    const auto t = Clock::now();
    if (kkt->factorize(1e-6, 1e-3, 1e-1, inactive) != FactorStatus::Ok) return -1.0;
    times.push_back(ms_since(t));
  }
  nnz_l = kkt->stats().nnz_l;
  return median(times);
}

void horizon_sweep(const std::vector<int>& horizons, Variant v, bool quick) {
  std::printf("\n== M = 6, %s variant: cold solve (eps 1e-9), median of solves on one Solver\n",
              v.name());
  std::printf("%5s %-8s %-8s %9s %10s %10s %10s %6s %6s %7s %9s %10s  %s\n", "N", "ordering",
              "backend", "order ms", "setup ms", "solve med", "solve min", "newton", "fact.",
              "active", "nnz(K)", "nnz(L)", "status");
  std::vector<double> ns, auto_median, auto_best;
  const Ordering orderings[] = {Ordering::Natural, Ordering::Amd, Ordering::Metis, Ordering::Auto};
  for (int N : horizons) {
    const Problem qp = mpc::build_qp(make(6, N, v, nullptr));
    RuizScaling scaling;
    scaling.compute(qp, 10);
    const SparseMatrix upper = kkt_upper(scaling);
    const int reps = quick ? 3 : (N <= 100 ? 9 : 5);
    for (Ordering o : orderings) {
      if (!sparse::ordering_available(o)) continue;
      auto t = Clock::now();
      const sparse::OrderingChoice choice = sparse::choose_ordering(upper, o);
      const double order_ms = ms_since(t);
      std::string name = sparse::to_string(o);
      if (o == Ordering::Auto) name += "=" + sparse::to_string(choice.ordering);
      // The natural order puts all equality rows after all variables: its fill grows like
      // N², and a solve at N = 100 already takes seconds. Past 10⁶ only nnz(L) is shown.
      if (choice.nnz_l > 1000000) {
        std::printf(
            "%5d %-8s %-8s %9.2f %10s %10s %10s %6s %6s %7s %9s %10lld  not solved (fill)\n", N,
            name.c_str(), "-", order_ms, "-", "-", "-", "-", "-", "-", "-", choice.nnz_l);
        continue;
      }
      const Cold c = cold_solve(qp, o, reps);
      std::printf("%5d %-8s %-8s %9.2f %10.2f %10.3f %10.3f %6d %6d %7d %9lld %10lld  %s\n", N,
                  name.c_str(), c.backend.c_str(), order_ms, c.setup_ms, c.solve_ms, c.best_ms,
                  c.newton, c.factorizations, c.active, c.nnz_kkt, c.nnz_l, c.status.c_str());
      if (o == Ordering::Auto) {
        ns.push_back(N);
        auto_median.push_back(c.solve_ms);
        auto_best.push_back(c.best_ms);
      }
    }
    for (Backend b : {Backend::Ldl, Backend::Cholmod}) {
      long long nnz_l = 0;
      try {
        const double f = factorization_ms(qp, b, nnz_l);
        std::printf("%5d one numeric LDLᵀ (%s, auto ordering): %.3f ms, nnz(L) %lld\n", N,
                    b == Backend::Ldl ? "ldl" : "cholmod", f, nnz_l);
      } catch (const std::exception& e) {
        std::printf("%5d factorization (%s): not available (%s)\n", N,
                    b == Backend::Ldl ? "ldl" : "cholmod", e.what());
      }
    }
  }
  std::printf(
      "fitted slope of log(solve time) vs log(N), auto ordering, %s: %.2f on medians, "
      "%.2f on minima\n",
      v.name(), slope(ns, auto_median), slope(ns, auto_best));
}

// tracking: the easy problem with a reference for mass 0 that moves every step (a new g per
// step, set_reference inside the timed and counted window).
// ltv: the easy problem with every stage's A and B rescaled by 1 ± 1e-3 each step (new model
// matrices through update_problem, inside the window).
void closed_loop(int N, Variant v, int steps, bool tracking = false, bool ltv = false) {
  Vector x_ref;
  const mpc::MpcProblem p = make(6, N, v, &x_ref);
  mpc::MpcProblem varying = p;
  Settings s;
  s.eps_abs = 1e-9;
  mpc::Controller warm(p, s), cold(p, s);
  Vector x = p.x_init;
  std::vector<double> warm_ms, cold_ms, solve_ms, fact, allocs, newton;
  int failed = 0;
  for (int k = 0; k < steps; ++k) {
    // (Counted for this thread by the tests' malloc interposer: operator new alone misses
    // Eigen's and SuiteSparse's allocations, which call malloc directly.)
    if (tracking) {
      x_ref = Vector::Zero(p.nx);
      x_ref(0) = 0.5 * std::sin(0.3 * k);
    }
    if (ltv)
      for (std::size_t i = 0; i < varying.stages.size(); ++i) {
        const double scale = 1.0 + 1e-3 * std::sin(0.7 * k + 0.1 * static_cast<double>(i));
        varying.stages[i].A = scale * p.stages[i].A;
        varying.stages[i].B = scale * p.stages[i].B;
      }
    qplayer_test::begin_no_allocation();
    auto t = Clock::now();
    if (tracking) warm.set_reference(x_ref);
    if (ltv) warm.update_problem(varying);
    warm.step(x);
    const double tw = ms_since(t);
    const long step_allocations = qplayer_test::end_no_allocation();
    t = Clock::now();
    if (tracking) cold.set_reference(x_ref);
    if (ltv) cold.update_problem(varying);
    cold.solve_cold(x);
    cold_ms.push_back(ms_since(t));
    const Info& info = warm.result().info;
    failed += info.status != Status::Solved;
    if (k > 0) {
      warm_ms.push_back(tw);
      solve_ms.push_back(info.solve_time * 1e3);
      fact.push_back(info.factorizations);
      newton.push_back(info.inner_iterations);
      allocs.push_back(qplayer_test::counting_available() ? static_cast<double>(step_allocations)
                                                          : -1.0);
    }
    x = varying.stages[0].A * x + varying.stages[0].B * warm.input();
  }
  const double w = median(warm_ms), c = median(cold_ms);
  std::printf(
      "%5d %-5s %6d %10.3f %10.3f %10.3f %10.3f %7.2f %7.0f/%-3.0f %6.0f/%-3.0f %10.0f %d\n", N,
      ltv        ? "ltv"
      : tracking ? "track"
                 : v.name(),
      steps, w, *std::max_element(warm_ms.begin(), warm_ms.end()), median(solve_ms), c, w / c,
      median(fact), *std::max_element(fact.begin(), fact.end()), median(newton),
      *std::max_element(newton.begin(), newton.end()),
      *std::max_element(allocs.begin(), allocs.end()), failed);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && !std::strcmp(argv[1], "--quick");
  const std::vector<int> horizons =
      quick ? std::vector<int>{10, 30, 100, 300} : std::vector<int>{10, 30, 100, 300, 1000};
  horizon_sweep(horizons, Variant{false}, quick);
  horizon_sweep(horizons, Variant{true}, quick);

  std::printf(
      "\n== closed loop, M = 6: warm-started step (update + shifted warm start + solve) "
      "vs cold solve of the same QP; ms\n");
  std::printf("%5s %-5s %6s %10s %10s %10s %10s %7s %11s %10s %10s %s\n", "N", "kind", "steps",
              "warm med", "warm max", "solve med", "cold med", "ratio", "fact med/max", "newton",
              "allocs max", "failed");
  for (int N : {10, 30, 100, 300}) {
    closed_loop(N, Variant{false}, quick ? 15 : 40);
    closed_loop(N, Variant{true}, quick ? 15 : 40);
    closed_loop(N, Variant{false}, quick ? 15 : 40, /*tracking=*/true);
    closed_loop(N, Variant{false}, quick ? 15 : 40, /*tracking=*/false, /*ltv=*/true);
  }

  std::printf("\n== other chain lengths at N = 100 (auto ordering, cold, eps 1e-9)\n");
  std::printf("%4s %4s %4s %-5s %10s %10s %6s %10s  %s\n", "M", "nx", "nu", "kind", "setup ms",
              "solve ms", "newton", "nnz(L)", "status");
  for (int M : {3, 6, 12, 24})
    for (Variant v : {Variant{false}, Variant{true}}) {
      const Cold c =
          cold_solve(mpc::build_qp(make(M, 100, v, nullptr)), Ordering::Auto, quick ? 3 : 5);
      std::printf("%4d %4d %4d %-5s %10.2f %10.3f %6d %10lld  %s\n", M, 2 * M, M - 1, v.name(),
                  c.setup_ms, c.solve_ms, c.newton, c.nnz_l, c.status.c_str());
    }
  return 0;
}
