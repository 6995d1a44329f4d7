// The oscillating-masses MPC benchmark in closed loop: a chain of M masses with springs
// between two walls, M−1 actuators, |x| ≤ 4, |u| ≤ 0.5, Q = I, R = I, terminal cost from the
// discrete Riccati equation, dt = 0.5. Each step measures the state, re-solves the horizon-N
// QP warm-started from the previous plan shifted by one stage, and applies the first input.
// Prints per-step times (median and max), Newton steps and factorizations, next to a cold
// solve of the same QP for comparison.
//
// usage: oscillating_masses [--masses M] [--horizon N] [--steps S] [--seed K] [--scale X]
//                           [--eps TOL] [--terminal riccati|q] [--write-qps FILE] [--quiet]
#include "qplayer/mpc/controller.hpp"
#include "qplayer/mpc/models.hpp"
#include "qplayer/qps.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  qplayer::mpc::OscillatingMasses model;
  int steps = 50;
  unsigned seed = 1;
  double scale = 1.0;  // initial state uniform in [−scale, scale]: saturates the inputs
  double eps = 1e-9;
  std::string qps;
  bool quiet = false;
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "oscillating_masses: %s\nusage: oscillating_masses [--masses M] [--horizon N] "
               "[--steps S] [--seed K] [--scale X] [--eps TOL] [--terminal riccati|q] "
               "[--write-qps FILE] [--quiet]\n",
               message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  o.model.horizon = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    const char* value = argv[++i];
    if (arg == "--masses")
      o.model.masses = std::atoi(value);
    else if (arg == "--horizon")
      o.model.horizon = std::atoi(value);
    else if (arg == "--steps")
      o.steps = std::atoi(value);
    else if (arg == "--seed")
      o.seed = static_cast<unsigned>(std::atoi(value));
    else if (arg == "--scale")
      o.scale = std::atof(value);
    else if (arg == "--eps")
      o.eps = std::atof(value);
    else if (arg == "--write-qps")
      o.qps = value;
    else if (arg == "--terminal" && !std::strcmp(value, "riccati"))
      o.model.riccati_terminal = true;
    else if (arg == "--terminal" && !std::strcmp(value, "q"))
      o.model.riccati_terminal = false;
    else
      usage(("unknown option or value: " + arg + " " + value).c_str());
  }
  if (o.model.masses < 2 || o.model.horizon < 1 || o.steps < 1) usage("bad sizes");
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  qplayer::mpc::MpcProblem problem = o.model.build();
  std::mt19937 gen(o.seed);
  std::uniform_real_distribution<double> dist(-o.scale, o.scale);
  for (int i = 0; i < problem.nx; ++i) problem.x_init(i) = dist(gen);

  if (!o.qps.empty()) {
    try {
      qplayer::write_qps(qplayer::mpc::build_qp(problem), o.qps);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "oscillating_masses: %s\n", e.what());
      return 2;
    }
    std::printf("wrote %s (horizon %d, initial state of step 0)\n", o.qps.c_str(),
                problem.horizon());
  }

  qplayer::Settings settings;
  settings.eps_abs = o.eps;
  auto start = Clock::now();
  qplayer::mpc::Controller controller(problem, settings);
  const double setup_ms = elapsed_ms(start);
  qplayer::mpc::Controller cold(problem, settings);  // same QPs, always solved from scratch

  const qplayer::mpc::Layout& layout = controller.layout();
  std::printf(
      "oscillating masses: M = %d, nx = %d, nu = %d, N = %d, QP n = %d, n_eq = %d, "
      "terminal %s, eps %g, setup %.3f ms\n",
      o.model.masses, problem.nx, problem.nu, problem.horizon(), layout.n(), layout.n_eq(),
      o.model.riccati_terminal ? "Riccati" : "Q", o.eps, setup_ms);
  if (!o.quiet)
    std::printf("%5s %10s %10s %6s %6s %8s  %s\n", "step", "warm ms", "cold ms", "newton", "cold",
                "factor.", "status");

  const qplayer::mpc::Stage& stage = problem.stages[0];
  qplayer::Vector x = problem.x_init;
  std::vector<double> warm_ms, cold_ms, factorizations;
  double worst_violation = 0.0;
  int failures = 0;
  for (int step = 0; step < o.steps; ++step) {
    start = Clock::now();
    controller.step(x);
    const double t_warm = elapsed_ms(start);
    const qplayer::Info& info = controller.result().info;
    start = Clock::now();
    cold.solve_cold(x);
    const double t_cold = elapsed_ms(start);
    const qplayer::Info& cold_info = cold.result().info;
    if (info.status != qplayer::Status::Solved) ++failures;
    if (step > 0) {  // step 0 has no previous plan: it is a cold solve too
      warm_ms.push_back(t_warm);
      factorizations.push_back(info.factorizations);
    }
    cold_ms.push_back(t_cold);
    if (!o.quiet)
      std::printf("%5d %10.3f %10.3f %6d %6d %8d  %s\n", step, t_warm, t_cold,
                  info.inner_iterations, cold_info.inner_iterations, info.factorizations,
                  qplayer::to_string(info.status));
    x = stage.A * x + stage.B * controller.input();  // the plant is the model
    worst_violation = std::max(worst_violation, x.cwiseAbs().maxCoeff() - o.model.x_bound);
  }

  std::printf(
      "steps %d (failed %d); warm-started steps 1..%d: median %.3f ms, max %.3f ms, "
      "factorizations median %.0f max %.0f\n",
      o.steps, failures, o.steps - 1, warm_ms.empty() ? 0.0 : median(warm_ms),
      warm_ms.empty() ? 0.0 : *std::max_element(warm_ms.begin(), warm_ms.end()),
      factorizations.empty() ? 0.0 : median(factorizations),
      factorizations.empty() ? 0.0
                             : *std::max_element(factorizations.begin(), factorizations.end()));
  const double cold_median = median(cold_ms);
  std::printf("cold solves: median %.3f ms, max %.3f ms; warm/cold median ratio %.2f\n",
              cold_median, *std::max_element(cold_ms.begin(), cold_ms.end()),
              warm_ms.empty() ? 0.0 : median(warm_ms) / cold_median);
  std::printf("final |x| = %.3g (initial %.3g), worst state-bound violation %.2g\n", x.norm(),
              problem.x_init.norm(), std::max(0.0, worst_violation));
  return failures ? 1 : 0;
}
