// The sparse targets of the derivative engine on the problems the issue names: Maros–Meszaros
// problems with 10,000+ variables and the oscillating-masses MPC QP at horizon 1000 (easy:
// Riccati terminal cost; hard: terminal Q, an initial state past the state box, a reference).
// For each: the forward pass (setup + solve, auto backend, eps 1e-9), one solve with the final
// factorization, and a backward pass through a reused View into a reused Gradients (medians of
// 5), so backward / one solve (target ≤ 5) and backward / forward (target ≤ 0.05) are read off
// one row. Problems the solver does not finish within the limit are listed as such.
#include "derivatives_sparse_cases.hpp"

#include "bench_timing.hpp"
#include "masses_variants.hpp"
#include "qplayer/derivatives/gradients.hpp"
#include "qplayer/derivatives/view.hpp"
#include "qplayer/mpc/layout.hpp"
#include "qplayer/qps.hpp"
#include "qplayer/solver.hpp"
#include "qplayer/sparse/kkt_system.hpp"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace qplayer::bench {
namespace {

namespace qd = qplayer::derivatives;

void print_header() {
  std::printf("%-10s %6s %-10s %9s %9s %5s %9s %9s %7s %8s %5s %8s %6s %5s %5s\n", "problem", "n",
              "backend", "setup ms", "solve ms", "fact", "1 solve", "backward", "bwd/1s", "bwd/fwd",
              "Kryl", "residual", "|J|", "weak", "mism");
}

void measure(const std::string& name, const Problem& problem, double time_limit) {
  Settings s;
  s.eps_abs = 1e-9;
  s.eps_rel = 0.0;
  s.time_limit = time_limit;
  std::unique_ptr<Solver> solver;
  const double t_setup = seconds([&] { solver = std::make_unique<Solver>(problem, s); });
  const double t_solve = seconds([&] { solver->solve(); });
  const Result& r = solver->result();
  if (r.info.status != Status::Solved) {
    std::printf("%-10s %6lld %-10s %9.1f %9.1f %5d  (%s: no backward)\n", name.c_str(),
                static_cast<long long>(problem.n()), solver->kkt().backend_name().c_str(),
                1e3 * t_setup, 1e3 * t_solve, r.info.factorizations, to_string(r.info.status));
    return;
  }
  const auto* kkt = dynamic_cast<const sparse::KktSystem*>(&solver->kkt());
  if (!kkt) {
    std::printf("%-10s (dense backend chosen: not a sparse case)\n", name.c_str());
    return;
  }
  Vector v = Vector::Ones(kkt->n() + kkt->n_eq() + kkt->n_in());
  std::vector<double> t_one, t_back;
  for (int i = 0; i < 5; ++i) t_one.push_back(seconds([&] { kkt->backend().solve_in_place(v); }));
  const qd::View view(*solver);
  qd::Cotangent dl;
  dl.dx = Vector::Ones(problem.n());
  qd::Gradients g;
  for (int i = 0; i < 5; ++i) t_back.push_back(seconds([&] { qd::backward(view, dl, g); }));
  const double one = median(t_one), back = median(t_back);
  const qd::SolveReport& k = g.report;
  std::printf("%-10s %6lld %-10s %9.1f %9.1f %5d %9.3f %9.3f %7.1f %8.4f %5d %8.1e %6d %5d %5d\n",
              name.c_str(), static_cast<long long>(problem.n()), kkt->backend_name().c_str(),
              1e3 * t_setup, 1e3 * t_solve, r.info.factorizations, 1e3 * one, 1e3 * back,
              back / one, back / (t_setup + t_solve), k.iterations, k.relative_residual,
              k.active_rows, k.weakly_active_rows, k.preconditioner_mismatch);
}

// The oscillating-masses QP (M = 6) of mpc_bench at this horizon. The easy variant keeps the
// initial state its figures in README "Derivatives" were measured with.
Problem masses(int horizon, bool hard) {
  mpc::MpcProblem p = make(6, horizon, Variant{hard}, nullptr);
  if (!hard)
    for (int i = 0; i < p.nx; ++i) p.x_init(i) = (i % 3 == 0 ? 0.8 : -0.5);
  return mpc::build_qp(p);
}

// Names of the manifest's problems with n ≥ 10,000, in file order.
std::vector<std::string> large_problems(const std::string& dir) {
  std::ifstream manifest(dir + "/manifest.csv");
  std::vector<std::string> names;
  std::string line;
  std::getline(manifest, line);  // header: name,n,...
  while (std::getline(manifest, line)) {
    std::stringstream fields(line);
    std::string name, n;
    if (std::getline(fields, name, ',') && std::getline(fields, n, ',') && std::stol(n) >= 10000)
      names.push_back(name);
  }
  return names;
}

}  // namespace

void derivatives_sparse_cases(const std::string& mm_dir, double time_limit,
                              const std::string& only) {
  std::printf("\n== sparse targets: MPC horizon 1000 (oscillating masses, M = 6)\n");
  print_header();
  if (only.empty() || only == "mpc-easy") measure("mpc-easy", masses(1000, false), time_limit);
  if (only.empty() || only == "mpc-hard") measure("mpc-hard", masses(1000, true), time_limit);
  if (mm_dir.empty()) {
    std::printf("(Maros–Meszaros rows: pass --mm DIR)\n");
    return;
  }
  const std::vector<std::string> names = large_problems(mm_dir);
  std::printf("\n== sparse targets: Maros–Meszaros, n >= 10,000 (%zu problems, %.0f s limit)\n",
              names.size(), time_limit);
  if (names.empty()) std::printf("(no manifest.csv with such problems in %s)\n", mm_dir.c_str());
  print_header();
  for (const std::string& name : names) {
    if (!only.empty() && name != only) continue;
    try {
      measure(name, read_qps(mm_dir + "/" + name + ".QPS.gz"), time_limit);
    } catch (const std::exception& e) {
      std::printf("%-10s error: %s\n", name.c_str(), e.what());
    }
  }
}

}  // namespace qplayer::bench
