// Tests of dense::KktSystem against the explicitly assembled KKT matrix: solves, active-set
// updates vs refactorization, inertia failures, statistics and allocation-free hot calls.
#include "qplayer/dense/kkt_system.hpp"
#include "support/allocation_counter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

using Eigen::MatrixXd;
using qplayer::ActiveSet;
using qplayer::FactorStatus;
using qplayer::KktData;
using qplayer::Settings;
using qplayer::SparseMatrix;
using qplayer::Vector;

namespace {

struct RandomKkt {
  SparseMatrix H, A, C;
  KktData data() const { return KktData{&H, &A, &C}; }
  int n() const { return static_cast<int>(H.rows()); }
  int n_eq() const { return static_cast<int>(A.rows()); }
  int n_in() const { return static_cast<int>(C.rows()); }
};

/// H = B Bᵀ of rank n/2 (PSD, singular), sparse-ish A and C; C ends with identity rows for
/// a few variables, like the box rows the solver appends.
RandomKkt make_kkt(int n, int n_eq, int n_user, int n_box, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution keep(0.4);
  const int r = std::max(1, n / 2);
  MatrixXd B(n, r), A(n_eq, n), C = MatrixXd::Zero(n_user + n_box, n);
  for (double& v : B.reshaped()) v = normal(gen);
  for (double& v : A.reshaped()) v = keep(gen) ? normal(gen) : 0.0;
  for (int i = 0; i < n_user; ++i)
    for (int j = 0; j < n; ++j) C(i, j) = keep(gen) ? normal(gen) : 0.0;
  for (int i = 0; i < n_box; ++i) C(n_user + i, (i * 7) % n) = 1.0;
  const MatrixXd H = B * B.transpose() / r;
  return RandomKkt{H.sparseView(), A.sparseView(), C.sparseView()};
}

ActiveSet random_active(int n_in, double p, unsigned seed) {
  std::mt19937 gen(seed);
  std::bernoulli_distribution on(p);
  ActiveSet J(n_in);
  for (auto& j : J) j = on(gen) ? 1 : 0;
  return J;
}

/// The full system of the contract, inactive rows included.
MatrixXd assemble(const RandomKkt& k, double rho, double mu_eq, double mu_in, const ActiveSet& J) {
  const int n = k.n(), ne = k.n_eq(), ni = k.n_in(), N = n + ne + ni;
  MatrixXd K = MatrixXd::Zero(N, N);
  K.topLeftCorner(n, n) = MatrixXd(k.H) + rho * MatrixXd::Identity(n, n);
  K.block(n, 0, ne, n) = MatrixXd(k.A);
  K.block(0, n, n, ne) = MatrixXd(k.A).transpose();
  const MatrixXd C(k.C);
  for (int i = 0; i < ni; ++i) {
    if (J[i]) {
      K.block(n + ne + i, 0, 1, n) = C.row(i);
      K.block(0, n + ne + i, n, 1) = C.row(i).transpose();
    }
  }
  K.diagonal().segment(n, ne).setConstant(-mu_eq);
  K.diagonal().tail(ni).setConstant(-mu_in);
  return K;
}

Vector random_vector(int size, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  Vector v(size);
  for (double& x : v) x = normal(gen);
  return v;
}

double inf(const Vector& v) { return v.size() ? v.lpNorm<Eigen::Infinity>() : 0.0; }

struct Params {
  double rho, mu_eq, mu_in, tol;
};

}  // namespace

TEST_CASE("dense::KktSystem solve matches the explicitly assembled system") {
  const std::vector<std::vector<int>> shapes = {{10, 3, 6, 2}, {60, 20, 40, 10}, {150, 40, 150, 50},
                                                {1, 0, 0, 1},  {30, 0, 20, 0},   {20, 8, 0, 0}};
  // Well conditioned, then the solver's defaults (H singular, rho tiny), then small mu.
  const std::vector<Params> params = {
      {1e-1, 1e-1, 1e-1, 1e-10}, {1e-6, 1e-3, 1e-1, 1e-6}, {1e-6, 1e-7, 1e-6, 1e-4}};
  unsigned seed = 100;
  for (const auto& s : shapes) {
    const RandomKkt k = make_kkt(s[0], s[1], s[2], s[3], seed++);
    qplayer::dense::KktSystem kkt(k.data(), Settings{});
    CHECK(kkt.backend_name() == "dense");
    for (const Params& p : params) {
      for (double frac : {0.0, 0.5, 1.0}) {
        CAPTURE(s[0]);
        CAPTURE(p.mu_in);
        CAPTURE(frac);
        const ActiveSet J = random_active(k.n_in(), frac, seed++);
        REQUIRE(kkt.factorize(p.rho, p.mu_eq, p.mu_in, J) == FactorStatus::Ok);
        const MatrixXd K = assemble(k, p.rho, p.mu_eq, p.mu_in, J);
        const Vector rhs = random_vector(static_cast<int>(K.rows()), seed++);
        Vector sol;
        kkt.solve(rhs, sol);
        const Vector ref = K.fullPivLu().solve(rhs);
        // Backward error near machine precision thanks to refinement; forward error as
        // far as the conditioning allows.
        const double scale = K.cwiseAbs().rowwise().sum().maxCoeff() * inf(sol) + inf(rhs);
        CHECK(inf(K * sol - rhs) <= 1e-13 * scale);
        CHECK(inf(sol - ref) <= p.tol * std::max(1.0, inf(ref)));
        CHECK(kkt.ldlt().dim() == k.n() + k.n_eq() + std::count(J.begin(), J.end(), 1));
      }
    }
  }
}

TEST_CASE("dense::KktSystem update_active_set equals a fresh factorization") {
  const RandomKkt k = make_kkt(80, 25, 60, 40, 7);
  Settings settings;
  settings.max_update_fraction = 0.1;  // dim >= 105, so up to 10 changes go by updates
  qplayer::dense::KktSystem updated(k.data(), settings), fresh(k.data(), settings);
  const double rho = 1e-6, mu_eq = 1e-3, mu_in = 1e-2;
  ActiveSet J = random_active(k.n_in(), 0.4, 1);
  REQUIRE(updated.factorize(rho, mu_eq, mu_in, J) == FactorStatus::Ok);
  std::mt19937 gen(9);
  int expected_updates = 0;
  for (int step = 0; step < 40; ++step) {
    const int flips = 1 + static_cast<int>(gen() % 6);
    for (int f = 0; f < flips; ++f) J[gen() % J.size()] ^= 1;  // may flip a row twice
    const int changes = static_cast<int>(
        std::inner_product(J.begin(), J.end(), updated.active_set().begin(), 0, std::plus<>(),
                           [](auto a, auto b) { return a != b ? 1 : 0; }));
    expected_updates += changes;
    REQUIRE(updated.update_active_set(J) == FactorStatus::Ok);
    REQUIRE(fresh.factorize(rho, mu_eq, mu_in, J) == FactorStatus::Ok);
    CHECK(updated.active_set() == J);
    const Vector rhs = random_vector(k.n() + k.n_eq() + k.n_in(), 1000 + step);
    Vector a, b;
    updated.solve(rhs, a);
    fresh.solve(rhs, b);
    CHECK(inf(a - b) <= 1e-8 * std::max(1.0, inf(b)));
    // The reduced factors describe the same matrix in activation order.
    const auto& order = updated.active_order();
    for (int p = 0; p < static_cast<int>(order.size()); ++p) {
      CHECK(updated.position()[order[p]] == p);
    }
  }
  CHECK(updated.stats().factorizations == 1);
  CHECK(updated.stats().rank_updates == expected_updates);

  // Many changes at once: refactorize instead.
  for (std::size_t i = 0; i < J.size(); i += 2) J[i] ^= 1;
  REQUIRE(updated.update_active_set(J) == FactorStatus::Ok);
  CHECK(updated.stats().factorizations == 2);
  CHECK(updated.stats().rank_updates == expected_updates);
}

TEST_CASE("dense::KktSystem at the floor of mu: rounding is not reported as non-convexity") {
  // 240 active rows for 150 variables, H of rank 75, rho = 1e-6, mu = 1e-9 / 1e-8: the
  // condition number is ~1e17 and a few dual pivots come out positive by rounding. That is a
  // numerical failure at worst, never WrongInertia; and whenever Ok is reported the solve
  // must be accurate.
  const RandomKkt k = make_kkt(150, 40, 150, 50, 102);
  qplayer::dense::KktSystem kkt(k.data(), Settings{});
  for (double mu_in : {1e-6, 1e-7, 1e-8}) {
    CAPTURE(mu_in);
    const ActiveSet J(200, 1);
    const FactorStatus st = kkt.factorize(1e-6, mu_in / 10, mu_in, J);
    CHECK(st != FactorStatus::WrongInertia);
    if (st != FactorStatus::Ok) continue;
    const MatrixXd K = assemble(k, 1e-6, mu_in / 10, mu_in, J);
    const Vector rhs = random_vector(static_cast<int>(K.rows()), 3);
    Vector sol;
    kkt.solve(rhs, sol);
    const double scale = K.cwiseAbs().rowwise().sum().maxCoeff() * inf(sol) + inf(rhs);
    CHECK(inf(K * sol - rhs) <= 1e-13 * scale);
  }
}

TEST_CASE("dense::KktSystem reports a non-convex H as WrongInertia") {
  RandomKkt k = make_kkt(20, 5, 10, 0, 3);
  MatrixXd H(k.H);
  H(4, 4) -= 50.0;  // one clearly negative direction
  k.H = H.sparseView();
  qplayer::dense::KktSystem kkt(k.data(), Settings{});
  const ActiveSet J = random_active(10, 0.5, 4);
  CHECK(kkt.factorize(1e-6, 1e-3, 1e-1, J) == FactorStatus::WrongInertia);
  ActiveSet J2 = J;
  J2[0] ^= 1;
  CHECK(kkt.update_active_set(J2) == FactorStatus::WrongInertia);

  MatrixXd minus = -MatrixXd::Identity(6, 6);
  SparseMatrix Hm = minus.sparseView(), A(0, 6), C(0, 6);
  qplayer::dense::KktSystem concave(KktData{&Hm, &A, &C}, Settings{});
  CHECK(concave.factorize(1e-6, 1e-3, 1e-1, ActiveSet{}) == FactorStatus::WrongInertia);
}

TEST_CASE("dense::KktSystem reports an exactly singular system as Failed") {
  // H = 0, rho = 0, and variable 0 appears in no constraint: its pivot is exactly zero.
  MatrixXd Hd = MatrixXd::Zero(4, 4), Ad(1, 4), Cd(2, 4);
  Ad << 0, 1, 1, 0;
  Cd << 0, 0, 1, 1, 0, 1, 0, 0;
  SparseMatrix H = Hd.sparseView(), A = Ad.sparseView(), C = Cd.sparseView();
  qplayer::dense::KktSystem kkt(KktData{&H, &A, &C}, Settings{});
  CHECK(kkt.factorize(0.0, 1e-3, 1e-1, ActiveSet{1, 1}) == FactorStatus::Failed);
  CHECK(kkt.update_active_set(ActiveSet{1, 0}) == FactorStatus::Failed);
  Vector rhs = Vector::Ones(7), sol;
  kkt.solve(rhs, sol);  // garbage, but no crash
  CHECK(sol.size() == 7);
  // With the proximal term the same data is fine.
  CHECK(kkt.factorize(1e-6, 1e-3, 1e-1, ActiveSet{1, 1}) == FactorStatus::Ok);
}

TEST_CASE("dense::KktSystem products, statistics and set_values") {
  RandomKkt k = make_kkt(30, 10, 15, 5, 11);
  qplayer::dense::KktSystem kkt(k.data(), Settings{});
  const Vector x = random_vector(30, 1), y = random_vector(10, 2), z = random_vector(20, 3);
  Vector out;
  kkt.multiply_H(x, out);
  CHECK(inf(out - k.H * x) <= 1e-13);
  kkt.multiply_A(x, out);
  CHECK(inf(out - k.A * x) <= 1e-13);
  kkt.multiply_At(y, out);
  CHECK(inf(out - k.A.transpose() * y) <= 1e-13);
  kkt.multiply_C(x, out);
  CHECK(inf(out - k.C * x) <= 1e-13);
  kkt.multiply_Ct(z, out);
  CHECK(inf(out - k.C.transpose() * z) <= 1e-13);

  const ActiveSet all(20, 1);
  const MatrixXd K = assemble(k, 1.0, 1.0, 1.0, all);
  const MatrixXd upper = K.triangularView<Eigen::Upper>();
  CHECK(kkt.stats().nnz_kkt == (upper.array() != 0.0).count());

  const ActiveSet J = random_active(20, 0.5, 5);
  const std::uint64_t e0 = kkt.stats().epoch;
  REQUIRE(kkt.factorize(1e-3, 1e-2, 1e-1, J) == FactorStatus::Ok);
  auto st = kkt.stats();
  CHECK(st.epoch > e0);
  CHECK(st.factorizations == 1);
  const long long dim = 40 + std::count(J.begin(), J.end(), 1);
  CHECK(st.nnz_l == dim * (dim - 1) / 2);
  ActiveSet J2 = J;
  J2[3] ^= 1;
  REQUIRE(kkt.update_active_set(J2) == FactorStatus::Ok);
  CHECK(kkt.stats().epoch > st.epoch);
  CHECK(kkt.stats().rank_updates == 1);
  st = kkt.stats();
  REQUIRE(kkt.update_active_set(J2) == FactorStatus::Ok);  // no change, no work
  CHECK(kkt.stats().epoch == st.epoch);

  // New values: the next solve refreshes the factorization with the same parameters.
  k.H = 2.0 * k.H;
  k.C = -1.0 * k.C;
  kkt.set_values(k.data());
  const Vector rhs = random_vector(60, 6);
  Vector sol;
  kkt.solve(rhs, sol);
  CHECK(kkt.stats().factorizations == 2);
  const MatrixXd K2 = assemble(k, 1e-3, 1e-2, 1e-1, J2);
  CHECK(inf(K2 * sol - rhs) <= 1e-11 * (1.0 + inf(rhs)));
  CHECK(kkt.last_residual() <= Settings{}.refinement_tol * (1.0 + inf(rhs)) * 10);

  qplayer::dense::KktSystem unfactorized(k.data(), Settings{});
  CHECK_THROWS_AS(unfactorized.solve(rhs, sol), std::logic_error);
  CHECK_THROWS_AS(unfactorized.update_active_set(J), std::logic_error);

  SparseMatrix wrong(31, 31);
  CHECK_THROWS_AS(kkt.set_values(KktData{&wrong, &k.A, &k.C}), std::invalid_argument);
  CHECK_THROWS_AS(kkt.factorize(1e-3, 1e-2, 1e-1, ActiveSet(3, 0)), std::invalid_argument);
}

TEST_CASE("dense::KktSystem without equality or inequality rows") {
  const RandomKkt k = make_kkt(12, 0, 0, 0, 13);
  qplayer::dense::KktSystem kkt(KktData{&k.H, nullptr, nullptr}, Settings{});
  CHECK(kkt.n_eq() == 0);
  CHECK(kkt.n_in() == 0);
  REQUIRE(kkt.factorize(1e-2, 1e-3, 1e-1, ActiveSet{}) == FactorStatus::Ok);
  const Vector rhs = random_vector(12, 1);
  Vector sol;
  kkt.solve(rhs, sol);
  const MatrixXd K = MatrixXd(k.H) + 1e-2 * MatrixXd::Identity(12, 12);
  CHECK(inf(K * sol - rhs) <= 1e-12 * (1.0 + inf(rhs)));
}

TEST_CASE("dense::KktSystem hot calls do not allocate") {
  const RandomKkt k = make_kkt(300, 60, 250, 100, 17);  // reduced dim up to 710
  qplayer::dense::KktSystem kkt(k.data(), Settings{});
  const int N = 300 + 60 + 350;
  const Vector rhs = random_vector(N, 2), x = random_vector(300, 3);
  const Vector y = random_vector(60, 4), z = random_vector(350, 5);
  Vector sol(N), ox(300), oy(60), oz(350);
  ActiveSet J = random_active(350, 0.5, 6), J_small = J, J_big = J;
  for (int i = 0; i < 5; ++i) J_small[i * 13] ^= 1;
  for (int i = 0; i < 350; i += 2) J_big[i] ^= 1;

  qplayer_test::begin_no_allocation();
  const FactorStatus s1 = kkt.factorize(1e-6, 1e-3, 1e-1, J);
  kkt.solve(rhs, sol);
  const FactorStatus s2 = kkt.update_active_set(J_small);
  kkt.solve(rhs, sol);
  const FactorStatus s3 = kkt.update_active_set(J_big);
  kkt.solve(rhs, sol);
  kkt.multiply_H(x, ox);
  kkt.multiply_A(x, oy);
  kkt.multiply_At(y, ox);
  kkt.multiply_C(x, oz);
  kkt.multiply_Ct(z, ox);
  const auto st = kkt.stats();
  const long allocations = qplayer_test::end_no_allocation();

  CHECK(s1 == FactorStatus::Ok);
  CHECK(s2 == FactorStatus::Ok);
  CHECK(s3 == FactorStatus::Ok);
  CHECK(st.rank_updates == 5);
  CHECK(st.factorizations == 2);
  CHECK(allocations == 0);
  const MatrixXd K = assemble(k, 1e-6, 1e-3, 1e-1, J_big);
  CHECK(inf(K * sol - rhs) <= 1e-12 * (K.cwiseAbs().rowwise().sum().maxCoeff() * inf(sol)));
}
