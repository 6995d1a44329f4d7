// Cost of the derivative engine next to the solve it differentiates:
//  1. dense random QPs, n = 100, n_eq = 50, n_in = 50 two-sided inequalities (a realistic
//     share active): solve time, backward time, their ratio, for one QP and for batches of
//     100 (sequential, then 2 threads);
//  2. the same dense QPs made infeasible, differentiated through their closest feasible QP;
//  3. a sparse chain-structured QP, n = 10,000 (LDL backend when compiled in): solve, backward,
//     and backward measured in units of one solve with the final factorization;
//  4. the same figures on the sparse cases (derivatives_sparse_cases.cpp): the MPC QP
//     at horizon 1000 and, with --mm DIR, the Maros–Meszaros problems with n ≥ 10,000.
// Usage: derivatives_bench [repetitions=5] [--mm DIR] [--limit S=10] [--only NAME].
// Prints medians.
#include "bench_timing.hpp"
#include "derivatives_sparse_cases.hpp"
#include "qplayer/derivatives/batch.hpp"
#include "qplayer/derivatives/view.hpp"
#include "qplayer/solver.hpp"
#include "qplayer/sparse/kkt_system.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace qplayer;
namespace qd = qplayer::derivatives;

namespace {

using bench::median;
using bench::seconds;

// Random QP with a feasible point x0; inequalities l = Cx0 − U(0,1), u = Cx0 + U(0,1) and a
// random linear term, so that a fair share of rows ends up active on either side.
Problem random_qp(int n, int n_eq, int n_in, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  auto random_sparse = [&](int rows, int cols) {
    std::vector<Eigen::Triplet<double>> t;
    for (int j = 0; j < cols; ++j)
      for (int i = 0; i < rows; ++i)
        if (density >= 1.0 || uni(rng) < density || j == i % cols)
          t.emplace_back(i, j, normal(rng));
    SparseMatrix M(rows, cols);
    M.setFromTriplets(t.begin(), t.end());
    return M;
  };
  const SparseMatrix M = random_sparse(n, n);
  SparseMatrix I(n, n);
  I.setIdentity();
  SparseMatrix H = SparseMatrix(M.transpose() * M) * (1.0 / n) + 0.1 * I;
  H = SparseMatrix(0.5 * (H + SparseMatrix(H.transpose())));
  const SparseMatrix A = random_sparse(n_eq, n);
  const SparseMatrix C = random_sparse(n_in, n);
  Vector x0(n), g(n), l(n_in), u(n_in);
  for (int j = 0; j < n; ++j) x0[j] = normal(rng), g[j] = normal(rng);
  const Vector b = A * x0, cx = C * x0;
  for (int i = 0; i < n_in; ++i) l[i] = cx[i] - 0.5 - uni(rng), u[i] = cx[i] + 0.5 + uni(rng);
  Problem p(H, g, A, b, C, l, u);
  p.dense_storage = density >= 1.0;
  return p;
}

#ifdef QPLAYER_HAS_LDL
// Sparse QP with local coupling (a chain: H tridiagonal plus identity, each constraint row
// touching 3 consecutive variables around its own position), the structure of discretized
// control and estimation problems; a random sparse pattern would fill in catastrophically.
Problem banded_qp(int n, int n_eq, int n_in, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  std::vector<Eigen::Triplet<double>> th, ta, tc;
  for (int j = 0; j < n; ++j) {
    th.emplace_back(j, j, 2.5 + uni(rng));
    if (j + 1 < n) {
      const double v = -1.0 + 0.2 * normal(rng);
      th.emplace_back(j, j + 1, v);
      th.emplace_back(j + 1, j, v);
    }
  }
  auto local_rows = [&](std::vector<Eigen::Triplet<double>>& t, int rows, int offset) {
    for (int i = 0; i < rows; ++i) {
      const int centre =
          static_cast<int>((static_cast<long long>(i) * n) / rows + offset) % (n - 2);
      for (int k = 0; k < 3; ++k) t.emplace_back(i, centre + k, normal(rng));
    }
  };
  local_rows(ta, n_eq, 0);
  local_rows(tc, n_in, n / (2 * std::max(1, n_in)));
  SparseMatrix H(n, n), A(n_eq, n), C(n_in, n);
  H.setFromTriplets(th.begin(), th.end());
  A.setFromTriplets(ta.begin(), ta.end());
  C.setFromTriplets(tc.begin(), tc.end());
  Vector x0(n), g(n), l(n_in), u(n_in);
  for (int j = 0; j < n; ++j) x0[j] = normal(rng), g[j] = normal(rng);
  const Vector b = A * x0, cx = C * x0;
  for (int i = 0; i < n_in; ++i) l[i] = cx[i] - 0.5 - uni(rng), u[i] = cx[i] + 0.5 + uni(rng);
  return Problem(H, g, A, b, C, l, u);
}
#endif  // the sparse section below is the only user

int count_active(const Result& r) {
  int k = 0;
  for (int i = 0; i < r.z.size(); ++i) k += r.z[i] != 0.0;
  return k;
}

void dense_section(int reps) {
  std::printf("== dense: n = 100, n_eq = 50, n_in = 50 (two-sided)\n");
  Settings s;
  s.backend = Backend::Dense;
  std::vector<double> t_setup, t_solve, t_back, iters, t_view, t_back_view;
  int active = 0;
  for (int rep = 0; rep < reps; ++rep) {
    const Problem p = random_qp(100, 50, 50, 1.0, 100 + rep);
    Vector dl_dx = Vector::Ones(100);
    std::unique_ptr<Solver> solver;
    t_setup.push_back(seconds([&] { solver = std::make_unique<Solver>(p, s); }));
    t_solve.push_back(seconds([&] { solver->solve(); }));
    if (solver->result().info.status != Status::Solved) std::printf("  (rep %d not solved)\n", rep);
    active = count_active(solver->result());
    qd::Gradients g;
    t_back.push_back(seconds([&] { g = qd::backward(*solver, dl_dx); }));
    iters.push_back(g.report.iterations);
    std::unique_ptr<qd::View> view;
    t_view.push_back(seconds([&] { view = std::make_unique<qd::View>(*solver); }));
    t_back_view.push_back(seconds([&] { g = qd::backward(*view, dl_dx); }));
  }
  const double fwd = median(t_solve), bwd = median(t_back);
  std::printf("  active inequality rows: %d of 50; Krylov iterations (median): %.0f\n", active,
              median(iters));
  std::printf("  batch 1: setup %.3f ms, solve %.3f ms, backward %.3f ms\n", 1e3 * median(t_setup),
              1e3 * fwd, 1e3 * bwd);
  std::printf("  ratio backward / solve = %.3f   backward / (setup + solve) = %.3f\n", bwd / fwd,
              bwd / (fwd + median(t_setup)));
  std::printf("  of which: View (active set) %.3f ms, backward through it %.3f ms\n",
              1e3 * median(t_view), 1e3 * median(t_back_view));

  std::vector<Problem> batch;
  std::vector<Vector> grads;
  for (int i = 0; i < 100; ++i) {
    batch.push_back(random_qp(100, 50, 50, 1.0, 1000 + i));
    grads.push_back(Vector::Ones(100));
  }
  // Backward alone over the batch: 100 solved QPs, then one backward each, on 1 and 2
  // threads (each thread its own views; the solvers are only read).
  {
    std::vector<std::unique_ptr<Solver>> solvers;
    for (const Problem& p : batch) {
      solvers.push_back(std::make_unique<Solver>(p, s));
      solvers.back()->solve();
    }
    for (int threads : {1, 2}) {
      std::vector<double> times;
      for (int rep = 0; rep < 3; ++rep)
        times.push_back(seconds([&] {
          std::vector<std::thread> pool;
          for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
              for (std::size_t i = t; i < solvers.size(); i += threads)
                qd::backward(*solvers[i], grads[i]);
            });
          for (std::thread& th : pool) th.join();
        }));
      std::printf("  batch 100, backward alone (View included), %d thread%s: %.2f ms\n", threads,
                  threads > 1 ? "s" : "", 1e3 * median(times));
    }
  }
  double solve_only = 0.0;
  solve_only = seconds([&] {
    for (const Problem& p : batch) {
      Solver solver(p, s);
      solver.solve();
    }
  });
  double sequential = 0.0;
  for (int threads : {1, 2}) {
    std::vector<qd::BatchItem> out;
    const std::clock_t cpu_start = std::clock();
    const double t = seconds([&] { out = qd::solve_and_backward(batch, grads, s, threads); });
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::printf("  batch 100, %d thread%s: solve + backward %.1f ms (%.3f ms per QP)", threads,
                threads > 1 ? "s" : "", 1e3 * t, 10.0 * t);
    if (threads == 1) {
      sequential = t;
      std::printf("; solve alone %.1f ms, so backward is %.1f%% of the batch\n", 1e3 * solve_only,
                  100.0 * (t - solve_only) / t);
    } else {
      // CPU time / wall time near the thread count with no speed-up means the cores are
      // shared with other processes, not that the workers serialize.
      std::printf("; speed-up %.2f, CPU/wall %.2f (hardware threads: %u)\n", sequential / t,
                  cpu / t, std::thread::hardware_concurrency());
    }
  }
}

// The dense protocol's QPs made infeasible by two contradictory rows on x_0 (x_0 ≤ −1 and
// x_0 ≥ 1), solved to their closest feasible QP; backward with a loss on x and on the shifts.
void closest_section(int reps) {
  std::printf(
      "== closest feasible (dense): n = 100, n_eq = 50, n_in = 50 + 2 contradictory rows\n");
  Settings s;
  s.backend = Backend::Dense;
  s.closest_feasible = true;
  std::vector<double> t_solve, t_back, iters;
  for (int rep = 0; rep < reps; ++rep) {
    const Problem q = random_qp(100, 50, 50, 1.0, 100 + rep);
    Eigen::MatrixXd C(q.C);
    C.conservativeResize(52, Eigen::NoChange);
    C.bottomRows(2).setZero();
    C(50, 0) = C(51, 0) = 1.0;
    Vector l(52), u(52);
    l << q.l, -1e300, 1.0;
    u << q.u, -1.0, 1e300;
    const double inf = std::numeric_limits<double>::infinity();
    l[50] = -inf, u[51] = inf;
    Problem p(q.H, q.g, q.A, q.b, C.sparseView(), l, u);
    p.dense_storage = true;
    Solver solver(p, s);
    t_solve.push_back(seconds([&] { solver.solve(); }));
    if (solver.result().info.status != Status::SolvedClosestFeasible) {
      std::printf("  (rep %d: %s)\n", rep, to_string(solver.result().info.status));
      continue;
    }
    qd::Cotangent dl;
    dl.dx = Vector::Ones(100);
    dl.dshift_in = Vector::Ones(52);
    qd::Gradients g;
    t_back.push_back(seconds([&] {
      const qd::View view(solver);
      g = qd::backward(view, dl);
    }));
    iters.push_back(g.report.iterations);
  }
  if (t_back.empty()) return;
  std::printf("  solve %.3f ms, backward %.3f ms (%.0f Krylov iterations), ratio %.3f\n",
              1e3 * median(t_solve), 1e3 * median(t_back), median(iters),
              median(t_back) / median(t_solve));
}

void sparse_section() {
#ifdef QPLAYER_HAS_LDL
  const int n = 10000, n_eq = 1000, n_in = 3000;
  std::printf("== sparse (LDL): n = %d, n_eq = %d, n_in = %d, banded (chain) structure\n", n, n_eq,
              n_in);
  const Problem p = banded_qp(n, n_eq, n_in, 7);
  Settings s;
  s.backend = Backend::Ldl;
  std::unique_ptr<Solver> solver;
  const double t_setup = seconds([&] { solver = std::make_unique<Solver>(p, s); });
  const double t_solve = seconds([&] { solver->solve(); });
  const Result& r = solver->result();
  std::printf("  status %s, %d active, %d factorizations, nnz(L) %lld\n", to_string(r.info.status),
              count_active(r), r.info.factorizations, r.info.nnz_l);
  if (r.info.status != Status::Solved) return;
  const auto* kkt = dynamic_cast<const sparse::KktSystem*>(&solver->kkt());
  Vector v = Vector::Ones(kkt->n() + kkt->n_eq() + kkt->n_in());
  std::vector<double> t_tri;
  for (int i = 0; i < 5; ++i) t_tri.push_back(seconds([&] { kkt->backend().solve_in_place(v); }));
  const Vector dl_dx = Vector::Ones(n);
  qd::Gradients g;
  std::vector<double> t_back;
  for (int i = 0; i < 3; ++i) t_back.push_back(seconds([&] { g = qd::backward(*solver, dl_dx); }));
  std::unique_ptr<qd::View> view;
  const double t_view = seconds([&] { view = std::make_unique<qd::View>(*solver); });
  const double t_back_view = seconds([&] { g = qd::backward(*view, dl_dx); });
  std::printf("  View %.2f ms, backward through it %.2f ms\n", 1e3 * t_view, 1e3 * t_back_view);
  // The allocation-free form, as in a training loop that keeps its Gradients.
  std::vector<double> t_reuse;
  qd::Cotangent dl;
  dl.dx = dl_dx;
  for (int i = 0; i < 5; ++i) t_reuse.push_back(seconds([&] { qd::backward(*view, dl, g); }));
  std::printf("  backward through it into a reused Gradients %.2f ms = %.1f solves\n",
              1e3 * median(t_reuse), median(t_reuse) / median(t_tri));
  const double bwd = median(t_back), tri = median(t_tri);
  std::printf(
      "  setup %.1f ms, solve %.1f ms, backward %.1f ms (%d Krylov iterations, residual "
      "%.1e)\n",
      1e3 * t_setup, 1e3 * t_solve, 1e3 * bwd, g.report.iterations, g.report.relative_residual);
  std::printf("  one solve with the factorization %.2f ms; backward = %.1f of those\n", 1e3 * tri,
              bwd / tri);
  std::printf("  ratio backward / solve = %.3f   backward / (setup + solve) = %.3f\n",
              bwd / t_solve, bwd / (t_setup + t_solve));
#else
  std::printf("== sparse: skipped (built without QPLAYER_WITH_LDL)\n");
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IONBF, 0);  // figures appear as they are measured
  int reps = 5;
  std::string mm_dir;
  double limit = 10.0;
  std::string only;  // one row of the sparse targets, and no other section
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mm" && i + 1 < argc) {
      mm_dir = argv[++i];
    } else if (arg == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (arg == "--limit" && i + 1 < argc) {
      limit = std::atof(argv[++i]);
    } else if (std::atoi(argv[i]) > 0) {
      reps = std::atoi(argv[i]);
    } else {
      std::fprintf(stderr,
                   "usage: derivatives_bench [repetitions] [--mm DIR] [--limit S] [--only NAME]\n");
      return 2;
    }
  }
  if (only.empty()) {
    dense_section(reps);
    closest_section(reps);
    sparse_section();
  }
  qplayer::bench::derivatives_sparse_cases(mm_dir, limit, only);
  return 0;
}
