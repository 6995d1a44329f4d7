// Hand-solved QPs whose exact solutions are derived in the comments: the solver must find x,
// the objective and multipliers with the documented sign rule (z > 0: upper bound active).
#include "kkt_check.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <limits>
#include <string>

using namespace qplayer;
using qplayer_test::residuals;

using qplayer_test::none;
using qplayer_test::tight;
using qplayer_test::vec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-9;
// Every problem here is nondegenerate with O(1) data, so residuals of 1e-9 move the solution
// by at most a small multiple of that; 1e-7 leaves room for the conditioning, nothing more.
constexpr double kTolX = 1e-7;

// Solves, requires Solved and checks residuals recomputed from the data.
Result solve_checked(const Problem& p) {
  Solver solver(p, tight());
  Result r = solver.solve();
  INFO("status: " << std::string(to_string(r.info.status)));
  REQUIRE(r.info.status == Status::Solved);
  REQUIRE(qplayer_test::dims_ok(p, r));
  const auto res = residuals(p, r);
  CHECK(res.primal <= kEps);
  CHECK(res.dual <= kEps);
  CHECK(res.gap <= kEps);
  CHECK(res.sign <= kEps);
  CHECK(r.info.objective == doctest::Approx(res.objective).epsilon(1e-12));
  return r;
}

void check_vec(const Vector& got, const Vector& want, double tol) {
  REQUIRE(got.size() == want.size());
  for (Eigen::Index i = 0; i < got.size(); ++i) {
    INFO("index " << i << ": got " << got[i] << ", want " << want[i]);
    CHECK(std::abs(got[i] - want[i]) <= tol);
  }
}

}  // namespace

TEST_CASE("hand: LP with a unique vertex") {
  // min −x1 − x2  s.t.  x1 + 2x2 ≤ 4,  3x1 + x2 ≤ 6,  x ≥ 0 (box).
  // Both rows active: x1 = 4 − 2x2, 12 − 5x2 = 6 → x = (8/5, 6/5), objective −14/5.
  // g + Cᵀz = 0: z1 + 3z2 = 1, 2z1 + z2 = 1 → z = (2/5, 1/5) > 0 (upper sides), z_box = 0.
  Eigen::MatrixXd C(2, 2);
  C << 1, 2, 3, 1;
  const Problem p(Eigen::MatrixXd::Zero(2, 2), vec({-1, -1}), none(2), Vector(), C,
                  vec({-kInf, -kInf}), vec({4, 6}), vec({0, 0}), vec({kInf, kInf}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1.6, 1.2}), kTolX);
  CHECK(r.info.objective == doctest::Approx(-2.8).epsilon(1e-9));
  check_vec(r.z, vec({0.4, 0.2}), 1e-6);
  check_vec(r.z_box, vec({0, 0}), 1e-6);
}

TEST_CASE("hand: equality-only QP matches the closed-form KKT solve") {
  // min x1² + x1x2 + x2² − x1  s.t.  x1 + x2 = 1  (H = [[2,1],[1,2]], g = (−1, 0)).
  // Substituting x2 = 1 − x1 gives x1² − 2x1 + 1, so x = (1, 0) and the objective is 0.
  // Hx + g + y(1,1) = (2,1) + (−1,0) + y(1,1) = 0 → y = −1.
  Eigen::MatrixXd H(2, 2), A(1, 2);
  H << 2, 1, 1, 2;
  A << 1, 1;
  const Problem p(H, vec({-1, 0}), A, vec({1}), none(2), Vector(), Vector());
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1, 0}), kTolX);
  check_vec(r.y, vec({-1}), 1e-6);
  CHECK(std::abs(r.info.objective) <= 1e-8);

  // A larger instance against the KKT system [H Aᵀ; A 0][x; y] = [−g; b] solved by Eigen:
  // H positive definite and A of full row rank make it nonsingular, so (x, y) is unique.
  const int n = 8, m = 3;
  std::srand(7);
  const Eigen::MatrixXd M = Eigen::MatrixXd::Random(n, n);
  const Eigen::MatrixXd H2 = M.transpose() * M + Eigen::MatrixXd::Identity(n, n);
  const Eigen::MatrixXd A2 = Eigen::MatrixXd::Random(m, n);
  const Vector g2 = Vector::Random(n), b2 = Vector::Random(m);
  Eigen::MatrixXd K = Eigen::MatrixXd::Zero(n + m, n + m);
  K.topLeftCorner(n, n) = H2;
  K.topRightCorner(n, m) = A2.transpose();
  K.bottomLeftCorner(m, n) = A2;
  Vector rhs(n + m);
  rhs << -g2, b2;
  const Vector sol = K.fullPivLu().solve(rhs);
  const Problem p2(H2, g2, A2, b2, none(n), Vector(), Vector());
  const Result r2 = solve_checked(p2);
  check_vec(r2.x, sol.head(n), kTolX);
  check_vec(r2.y, sol.tail(m), 1e-6);
}

TEST_CASE("hand: box-only QP is the clipped minimizer") {
  // min ½(x − c)ᵀD(x − c) over −1 ≤ x ≤ 1, D = diag(1, 2, 4), c = (3, −2, 0.5): separable, so
  // x = clip(c) = (1, −1, 0.5). g = −Dc = (−3, 4, −2); z_box = −(Dx + g) = D(c − x) = (2, −2, 0):
  // upper bound active on x1 (z > 0), lower on x2 (z < 0). Objective ½xᵀDx + gᵀx = 2 − 8 = −6.
  const Eigen::MatrixXd H = vec({1, 2, 4}).asDiagonal();
  const Problem p(H, vec({-3, 4, -2}), none(3), Vector(), none(3), Vector(), Vector(),
                  vec({-1, -1, -1}), vec({1, 1, 1}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1, -1, 0.5}), kTolX);
  check_vec(r.z_box, vec({2, -2, 0}), 1e-6);
  CHECK(r.info.objective == doctest::Approx(-6).epsilon(1e-9));
}

TEST_CASE("hand: degenerate QP with redundant equalities and a weakly active inequality") {
  // min ½‖x‖²  s.t.  x1 + x2 = 2,  2x1 + 2x2 = 4 (same row twice, consistent),  x1 ≤ 1.
  // Without the inequality the minimizer is (1, 1), which lies on x1 = 1: the row is active
  // with a zero multiplier. Stationarity: (1 + y1 + 2y2 + z, 1 + y1 + 2y2) = 0 forces z = 0
  // exactly and y1 + 2y2 = −1 (y itself is not unique). Objective 1.
  Eigen::MatrixXd A(2, 2), C(1, 2);
  A << 1, 1, 2, 2;
  C << 1, 0;
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), A, vec({2, 4}), C, vec({-kInf}),
                  vec({1}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1, 1}), kTolX);
  CHECK(r.y[0] + 2 * r.y[1] == doctest::Approx(-1).epsilon(1e-7));
  // The dual residual bounds |z| by 2·eps_abs (difference of the two stationarity rows).
  CHECK(std::abs(r.z[0]) <= 2 * kEps);
  CHECK(r.info.objective == doctest::Approx(1).epsilon(1e-9));
}

TEST_CASE("hand: LP over a box (H = 0)") {
  // min gᵀx over lb ≤ x ≤ ub with g = (1, −2, 0.5): each x_i sits at lb_i if g_i > 0, at ub_i if
  // g_i < 0, so x = (−1, 5, 2) and the objective is −1 − 10 + 1 = −10. z_box = −g = (−1, 2, −0.5).
  const Problem p(Eigen::MatrixXd::Zero(3, 3), vec({1, -2, 0.5}), none(3), Vector(), none(3),
                  Vector(), Vector(), vec({-1, 0, 2}), vec({3, 5, 4}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({-1, 5, 2}), kTolX);
  check_vec(r.z_box, vec({-1, 2, -0.5}), 1e-6);
  CHECK(r.info.objective == doctest::Approx(-10).epsilon(1e-9));
}

TEST_CASE("hand: one-sided and two-sided inequalities") {
  // min ½‖x − c‖², c = (2, 1, −3, 5), rows:
  //   r0: x1 + x2 ≤ 1 (one-sided, upper)       r1: x1 − x2 ≥ 2 (one-sided, lower)
  //   r2: −0.5 ≤ x3 ≤ 0.5 (two-sided)         r3: −1 ≤ x4 ≤ 2 (two-sided)
  //   r4: −10 ≤ x1 + x4 ≤ 10 (two-sided, inactive)
  // r0 and r1 active: x1 + x2 = 1, x1 − x2 = 2 → (x1, x2) = (1.5, −0.5); x3 = clip(−3) = −0.5,
  // x4 = clip(5) = 2; x1 + x4 = 3.5 is inside r4. Stationarity x − c + Cᵀz = 0:
  //   −0.5 + z0 + z1 = 0 and −1.5 + z0 − z1 = 0 → z0 = 1 (>0, upper), z1 = −0.5 (<0, lower);
  //   z2 = −2.5 (lower side of r2), z3 = 3 (upper side of r3), z4 = 0.
  // Objective ½‖x‖² − cᵀx = 3.375 − 14 = −10.625.
  Eigen::MatrixXd C = Eigen::MatrixXd::Zero(5, 4);
  C.row(0) << 1, 1, 0, 0;
  C.row(1) << 1, -1, 0, 0;
  C.row(2) << 0, 0, 1, 0;
  C.row(3) << 0, 0, 0, 1;
  C.row(4) << 1, 0, 0, 1;
  const Problem p(Eigen::MatrixXd::Identity(4, 4), vec({-2, -1, 3, -5}), none(4), Vector(), C,
                  vec({-kInf, 2, -0.5, -1, -10}), vec({1, kInf, 0.5, 2, 10}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1.5, -0.5, -0.5, 2}), kTolX);
  check_vec(r.z, vec({1, -0.5, -2.5, 3, 0}), 1e-6);
  CHECK(r.info.objective == doctest::Approx(-10.625).epsilon(1e-9));
}

TEST_CASE("hand: free variables") {
  // QP: min ½‖x‖² − 3x1 + 4x2 + x3 with x1, x3 free (lb = −inf, ub = +inf) and x2 ≥ 0:
  // x1 = 3, x3 = −1 (unconstrained minimizers), x2 = clip(−4) = 0 with z_box2 = −(0 + 4) = −4.
  // Objective ½(9 + 1) − 9 − 1 = −5.
  const Problem p(Eigen::MatrixXd::Identity(3, 3), vec({-3, 4, 1}), none(3), Vector(), none(3),
                  Vector(), Vector(), vec({-kInf, 0, -kInf}), vec({kInf, kInf, kInf}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({3, 0, -1}), kTolX);
  check_vec(r.z_box, vec({0, -4, 0}), 1e-6);
  CHECK(r.info.objective == doctest::Approx(-5).epsilon(1e-9));

  // LP: min −x1 s.t. x1 + x2 = 1, x1 free, x2 ≥ 0. x1 = 1 − x2 ≤ 1, so x = (1, 0), objective −1.
  // g + Aᵀy + z_box = 0: −1 + y = 0 and y + z_box2 = 0 → y = 1, z_box2 = −1 (lower side).
  Eigen::MatrixXd A(1, 2);
  A << 1, 1;
  const Problem lp(Eigen::MatrixXd::Zero(2, 2), vec({-1, 0}), A, vec({1}), none(2), Vector(),
                   Vector(), vec({-kInf, 0}), vec({kInf, kInf}));
  const Result r2 = solve_checked(lp);
  check_vec(r2.x, vec({1, 0}), kTolX);
  check_vec(r2.y, vec({1}), 1e-6);
  check_vec(r2.z_box, vec({0, -1}), 1e-6);
}

TEST_CASE("hand: fixed variables (lb = ub) and equality-valued rows (l = u)") {
  // min ½‖x − c‖², c = (2, 3, 1), with x2 fixed by 0.5 ≤ x2 ≤ 0.5 and the C row 1 ≤ x1 + x3 ≤ 1.
  // x2 = 0.5; on the row x1 = 2 − t, x3 = 1 − t with 3 − 2t = 1 → t = 1: x = (1, 0.5, 0).
  // Stationarity x − c + Cᵀz + z_box = 0: z = 1 (x1: −1 + z = 0, x3: −1 + z = 0) and
  // z_box2 = 3 − 0.5 = 2.5 (either sign is legal when l = u; the values are unique anyway).
  // Objective ½‖x − c‖² − ½‖c‖² = 4.125 − 7 = −2.875.
  Eigen::MatrixXd C(1, 3);
  C << 1, 0, 1;
  const Problem p(Eigen::MatrixXd::Identity(3, 3), vec({-2, -3, -1}), none(3), Vector(), C,
                  vec({1}), vec({1}), vec({-kInf, 0.5, -kInf}), vec({kInf, 0.5, kInf}));
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1, 0.5, 0}), kTolX);
  check_vec(r.z, vec({1}), 1e-6);
  check_vec(r.z_box, vec({0, 2.5, 0}), 1e-6);
  CHECK(r.info.objective == doctest::Approx(-2.875).epsilon(1e-9));
}

TEST_CASE("hand: unconstrained QPs") {
  // H = [[2,1],[1,2]], g = (1, 1): x = −H⁻¹g with H⁻¹ = ⅓[[2,−1],[−1,2]], so x = (−⅓, −⅓) and
  // the objective is −½gᵀH⁻¹g = −⅓.
  Eigen::MatrixXd H(2, 2);
  H << 2, 1, 1, 2;
  const Problem p(H, vec({1, 1}), none(2), Vector(), none(2), Vector(), Vector());
  const Result r = solve_checked(p);
  check_vec(r.x, vec({-1.0 / 3, -1.0 / 3}), kTolX);
  CHECK(r.info.objective == doctest::Approx(-1.0 / 3).epsilon(1e-9));
  CHECK(r.y.size() == 0);
  CHECK(r.z.size() == 0);
  // H = 0, g = 0: every x is optimal with value 0; the answer must still be a verified KKT point.
  const Problem zero(Eigen::MatrixXd::Zero(2, 2), vec({0, 0}), none(2), Vector(), none(2), Vector(),
                     Vector());
  const Result r0 = solve_checked(zero);
  CHECK(r0.info.objective == 0.0);
}

TEST_CASE("hand: objective constant c0 is reported") {
  // Same box QP as above with c0 = 2.5: objective −6 + 2.5 = −3.5, x unchanged.
  const Eigen::MatrixXd H = vec({1, 2, 4}).asDiagonal();
  Problem p(H, vec({-3, 4, -2}), none(3), Vector(), none(3), Vector(), Vector(), vec({-1, -1, -1}),
            vec({1, 1, 1}));
  p.c0 = 2.5;
  const Result r = solve_checked(p);
  check_vec(r.x, vec({1, -1, 0.5}), kTolX);
  CHECK(r.info.objective == doctest::Approx(-3.5).epsilon(1e-9));
}

TEST_CASE("hand: dense and sparse constructors give the same result") {
  // The two-sided problem above with r3 replaced by the equality x3 + x4 = 1.5, built once from
  // dense and once from sparse matrices. x1, x2 are as before (r0, r1 active). For (x3, x4):
  // min ½(x3 + 3)² + ½(x4 − 5)² s.t. x3 + x4 = 1.5, −0.5 ≤ x3 ≤ 0.5; the equality alone gives
  // x3 = −3.25, so x3 = −0.5 (lower side of r2) and x4 = 2. Stationarity on x3, x4:
  // 2.5 + y + z2 = 0 and −3 + y = 0 → y = 3, z2 = −5.5. So x = (1.5, −0.5, −0.5, 2),
  // z = (1, −0.5, −5.5, 0), objective −10.625, all unique (independent active rows).
  Eigen::MatrixXd C = Eigen::MatrixXd::Zero(4, 4);
  C.row(0) << 1, 1, 0, 0;
  C.row(1) << 1, -1, 0, 0;
  C.row(2) << 0, 0, 1, 0;
  C.row(3) << 1, 0, 0, 1;
  Eigen::MatrixXd A(1, 4);
  A << 0, 0, 1, 1;
  const Eigen::MatrixXd H = Eigen::MatrixXd::Identity(4, 4);
  const Vector g = vec({-2, -1, 3, -5}), l = vec({-kInf, 2, -0.5, -10}),
               u = vec({1, kInf, 0.5, 10});
  const Problem dense(H, g, A, vec({1.5}), C, l, u);
  const Problem sparse(SparseMatrix(H.sparseView()), g, SparseMatrix(A.sparseView()), vec({1.5}),
                       SparseMatrix(C.sparseView()), l, u);
  CHECK(dense.dense_storage);
  CHECK_FALSE(sparse.dense_storage);
  const Result rd = solve_checked(dense);
  const Result rs = solve_checked(sparse);
  for (const Result* r : {&rd, &rs}) {
    check_vec(r->x, vec({1.5, -0.5, -0.5, 2}), kTolX);
    check_vec(r->y, vec({3}), 1e-6);
    check_vec(r->z, vec({1, -0.5, -5.5, 0}), 1e-6);
    CHECK(r->info.objective == doctest::Approx(-10.625).epsilon(1e-9));
  }
  check_vec(rs.x, rd.x, kTolX);
}
