// Solves a two-variable QP through the installed qplayer and checks the hand solution, so
// the packaging test proves that headers, library and link interface all arrived intact.
#include <qplayer/qplayer.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

// The build tree compiles qplayer with Eigen's allocation guard; an installed consumer must
// not inherit that definition.
#ifdef EIGEN_RUNTIME_NO_MALLOC
#error "EIGEN_RUNTIME_NO_MALLOC leaked into the installed qplayer::qplayer interface"
#endif

namespace {

int failures = 0;

void expect_near(const char* what, double actual, double expected, double tol) {
  const bool ok = std::abs(actual - expected) <= tol;
  std::printf("%-10s %12.9f  expected %12.9f  %s\n", what, actual, expected, ok ? "ok" : "WRONG");
  if (!ok) ++failures;
}

}  // namespace

int main() {
  if (std::strcmp(QPLAYER_VERSION_STRING, QPLAYER_PACKAGE_VERSION) != 0) {
    std::printf("version.hpp says %s, the CMake package says %s\n", QPLAYER_VERSION_STRING,
                QPLAYER_PACKAGE_VERSION);
    return 1;
  }

  // min (x1 - 1)^2 + (x2 - 2)^2  s.t.  x1 + x2 = 2,  x1 - x2 >= -0.5,  0 <= x <= (1, 2).
  // Projecting (1, 2) onto x1 + x2 = 2 gives (0.5, 1.5), which violates x1 - x2 >= -0.5;
  // with both rows active, x = (0.75, 1.25), objective 0.625. Stationarity
  // Hx + g + A'y + C'z = 0 gives y = 1 and z = -0.5 (lower side active); the box is inactive.
  const double inf = std::numeric_limits<double>::infinity();
  Eigen::MatrixXd H(2, 2), A(1, 2), C(1, 2);
  H << 2, 0, 0, 2;
  A << 1, 1;
  C << 1, -1;
  qplayer::Vector g(2), b(1), l(1), u(1), lb(2), ub(2);
  g << -2, -4;
  b << 2;
  l << -0.5;
  u << inf;
  lb << 0, 0;
  ub << 1, 2;
  qplayer::Problem problem(H, g, A, b, C, l, u, lb, ub);
  problem.c0 = 5.0;

  qplayer::Settings settings;
  settings.eps_abs = 1e-9;
  qplayer::Solver solver(problem, settings);
  const qplayer::Result& result = solver.solve();

  std::printf("qplayer %s, backend %s, status %s\n", QPLAYER_VERSION_STRING,
              result.info.backend.c_str(), qplayer::to_string(result.info.status));
  if (result.info.status != qplayer::Status::Solved) return 1;

  const double tol = 1e-6;
  expect_near("x1", result.x(0), 0.75, tol);
  expect_near("x2", result.x(1), 1.25, tol);
  expect_near("y", result.y(0), 1.0, tol);
  expect_near("z", result.z(0), -0.5, tol);
  expect_near("objective", result.info.objective, 0.625, tol);
  return failures == 0 ? 0 : 1;
}
