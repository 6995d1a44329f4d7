// Tests of sparse::KktSystem against the explicitly assembled KKT matrix and against the dense
// KKT system: solves for any active set, active-set changes vs refactorization, value updates,
// the fixed pattern, products, and the failure statuses. Run once per compiled backend.
#include "qplayer/dense/kkt_system.hpp"
#include "qplayer/sparse/cholmod_backend.hpp"
#include "qplayer/sparse/kkt_system.hpp"
#include "qplayer/sparse/ldl_backend.hpp"
#include "qplayer/sparse/ordering.hpp"
#include "qplayer/sparse/supernodal_backend.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

using Eigen::MatrixXd;
using qplayer::ActiveSet;
using qplayer::FactorStatus;
using qplayer::KktData;
using qplayer::Ordering;
using qplayer::Settings;
using qplayer::SparseMatrix;
using qplayer::Vector;

namespace {

struct NamedBackend {
  std::string name;
  std::function<std::unique_ptr<qplayer::LdltBackend>()> make;
};

std::vector<NamedBackend> compiled_backends() {
  std::vector<NamedBackend> list;
#ifdef QPLAYER_HAS_LDL
  list.push_back({"ldl", [] { return std::make_unique<qplayer::sparse::LdlBackend>(); }});
#endif
#ifdef QPLAYER_HAS_CHOLMOD
  list.push_back({"cholmod", [] { return std::make_unique<qplayer::sparse::CholmodBackend>(); }});
#endif
#ifdef QPLAYER_HAS_SUPERNODAL
  list.push_back(
      {"supernodal", [] { return std::make_unique<qplayer::sparse::SupernodalBackend>(); }});
#endif
  return list;
}

std::vector<Ordering> compiled_orderings() {
  std::vector<Ordering> list;
  for (Ordering o : {Ordering::Natural, Ordering::Amd, Ordering::Metis})
    if (qplayer::sparse::ordering_available(o)) list.push_back(o);
  return list;
}

struct RandomKkt {
  SparseMatrix H, A, C;
  KktData data() const { return KktData{&H, &A, &C}; }
  int n() const { return static_cast<int>(H.rows()); }
  int n_eq() const { return static_cast<int>(A.rows()); }
  int n_in() const { return static_cast<int>(C.rows()); }
};

/// H = B Bᵀ (PSD, singular, some diagonal entries structurally absent), sparse A and C with
/// identity rows at the end like the solver's box rows.
RandomKkt make_kkt(int n, int n_eq, int n_user, int n_box, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution keep(0.15);
  const int r = std::max(1, n / 3);
  MatrixXd B = MatrixXd::Zero(n, r), A(n_eq, n), C = MatrixXd::Zero(n_user + n_box, n);
  for (int i = 0; i < n; ++i)
    if (i % 5 != 4)  // every fifth variable has no curvature at all
      for (int j = 0; j < r; ++j) B(i, j) = keep(gen) ? normal(gen) : 0.0;
  for (double& v : A.reshaped()) v = keep(gen) ? normal(gen) : 0.0;
  for (int i = 0; i < n_user; ++i)
    for (int j = 0; j < n; ++j) C(i, j) = keep(gen) ? normal(gen) : 0.0;
  for (int i = 0; i < n_box; ++i) C(n_user + i, (i * 7) % n) = 1.0;
  const MatrixXd H = B * B.transpose();
  RandomKkt k{H.sparseView(), A.sparseView(), C.sparseView()};
  k.H.makeCompressed();
  k.A.makeCompressed();
  k.C.makeCompressed();
  return k;
}

ActiveSet random_active(int n_in, double p, unsigned seed) {
  std::mt19937 gen(seed);
  std::bernoulli_distribution on(p);
  ActiveSet J(n_in);
  for (auto& j : J) j = on(gen) ? 1 : 0;
  return J;
}

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

}  // namespace

TEST_CASE("sparse::KktSystem solve matches the assembled system, every backend and ordering") {
  const std::vector<std::vector<int>> shapes = {{12, 3, 6, 2},       {80, 20, 50, 20},
                                                {200, 40, 150, 200}, {1, 0, 0, 1},
                                                {30, 0, 20, 0},      {20, 8, 0, 0}};
  unsigned seed = 300;
  for (const auto& backend : compiled_backends()) {
    for (Ordering ordering : compiled_orderings()) {
      for (const auto& s : shapes) {
        CAPTURE(backend.name);
        CAPTURE(qplayer::sparse::to_string(ordering));
        CAPTURE(s[0]);
        const RandomKkt k = make_kkt(s[0], s[1], s[2], s[3], seed++);
        Settings settings;
        settings.ordering = ordering;
        qplayer::sparse::KktSystem kkt(k.data(), settings, backend.make());
        CHECK(kkt.backend_name() == backend.name);
        CHECK(kkt.ordering() == ordering);
        for (double frac : {0.0, 0.4, 1.0}) {
          const double rho = 1e-6, mu_eq = 1e-3, mu_in = 1e-2;
          const ActiveSet J = random_active(k.n_in(), frac, seed++);
          REQUIRE(kkt.factorize(rho, mu_eq, mu_in, J) == FactorStatus::Ok);
          const MatrixXd K = assemble(k, rho, mu_eq, mu_in, J);
          const Vector rhs = random_vector(static_cast<int>(K.rows()), seed++);
          Vector sol;
          kkt.solve(rhs, sol);
          const double scale = K.cwiseAbs().rowwise().sum().maxCoeff() * inf(sol) + inf(rhs);
          CHECK(inf(K * sol - rhs) <= 1e-13 * scale);
          // The matrix holds the assembled upper triangle, with the same pattern whatever J.
          const MatrixXd upper = MatrixXd(kkt.matrix());
          CHECK((upper - MatrixXd(K.triangularView<Eigen::Upper>())).cwiseAbs().maxCoeff() == 0.0);
        }
      }
    }
  }
}

TEST_CASE("sparse::KktSystem agrees with dense::KktSystem and its products with the data") {
  const RandomKkt k = make_kkt(120, 30, 90, 60, 17);
  for (const auto& backend : compiled_backends()) {
    CAPTURE(backend.name);
    qplayer::sparse::KktSystem sparse_kkt(k.data(), Settings{}, backend.make());
    qplayer::dense::KktSystem dense_kkt(k.data(), Settings{});
    const ActiveSet J = random_active(k.n_in(), 0.5, 3);
    REQUIRE(sparse_kkt.factorize(1e-7, 1e-4, 1e-3, J) == FactorStatus::Ok);
    REQUIRE(dense_kkt.factorize(1e-7, 1e-4, 1e-3, J) == FactorStatus::Ok);
    const Vector rhs = random_vector(k.n() + k.n_eq() + k.n_in(), 5);
    Vector a, b;
    sparse_kkt.solve(rhs, a);
    dense_kkt.solve(rhs, b);
    CHECK(inf(a - b) <= 1e-8 * std::max(1.0, inf(b)));

    const Vector x = random_vector(k.n(), 6), y = random_vector(k.n_eq(), 7),
                 z = random_vector(k.n_in(), 8);
    Vector out;
    sparse_kkt.multiply_H(x, out);
    CHECK(inf(out - Vector(k.H * x)) <= 1e-14 * inf(out));
    sparse_kkt.multiply_A(x, out);
    CHECK(inf(out - Vector(k.A * x)) <= 1e-14 * inf(out));
    sparse_kkt.multiply_At(y, out);
    CHECK(inf(out - Vector(k.A.transpose() * y)) <= 1e-14 * inf(out));
    sparse_kkt.multiply_C(x, out);
    CHECK(inf(out - Vector(k.C * x)) <= 1e-14 * inf(out));
    sparse_kkt.multiply_Ct(z, out);
    CHECK(inf(out - Vector(k.C.transpose() * z)) <= 1e-14 * inf(out));
  }
}

TEST_CASE("sparse::KktSystem active-set updates equal a fresh factorization") {
  const RandomKkt k = make_kkt(100, 20, 80, 50, 21);
  for (const auto& backend : compiled_backends()) {
    CAPTURE(backend.name);
    Settings settings;
    qplayer::sparse::KktSystem updated(k.data(), settings, backend.make());
    qplayer::sparse::KktSystem fresh(k.data(), settings, backend.make());
    const double rho = 1e-6, mu_eq = 1e-3, mu_in = 1e-2;
    ActiveSet J = random_active(k.n_in(), 0.4, 1);
    REQUIRE(updated.factorize(rho, mu_eq, mu_in, J) == FactorStatus::Ok);
    std::mt19937 gen(9);
    for (int step = 0; step < 30; ++step) {
      const int flips = 1 + static_cast<int>(gen() % (step % 3 == 0 ? 40 : 4));
      for (int f = 0; f < flips; ++f) J[gen() % J.size()] ^= 1;
      const auto before = updated.stats();
      REQUIRE(updated.update_active_set(J) == FactorStatus::Ok);
      REQUIRE(fresh.factorize(rho, mu_eq, mu_in, J) == FactorStatus::Ok);
      CHECK(updated.active_set() == J);
      const auto after = updated.stats();
      // Row updates, one refactorization or a correction of the held factorization (then
      // its factors stay as they were), never a new analysis.
      CHECK(after.factorizations - before.factorizations <= 1);
      if (updated.factored_active_set() == J)
        CHECK(after.epoch > before.epoch);
      else
        CHECK(after.epoch == before.epoch);
      const Vector rhs = random_vector(k.n() + k.n_eq() + k.n_in(), 1000 + step);
      Vector a, b;
      updated.solve(rhs, a);
      fresh.solve(rhs, b);
      CHECK(inf(a - b) <= 1e-9 * std::max(1.0, inf(b)));
    }
    // No change: no work.
    const auto before = updated.stats();
    REQUIRE(updated.update_active_set(J) == FactorStatus::Ok);
    CHECK(updated.stats().factorizations == before.factorizations);
    CHECK(updated.stats().epoch == before.epoch);
  }
}

TEST_CASE("sparse::KktSystem keeps a heavy factorization through a few changed rows") {
  // Dense H and C: one factorization costs far more solves than a changed row (two), so
  // backends without row replacement correct the held factorization instead.
  const int n = 120, n_eq = 20, n_in = 60;
  std::mt19937 gen(77);
  std::normal_distribution<double> normal;
  MatrixXd B(n, n), A(n_eq, n), C(n_in, n);
  for (double& v : B.reshaped()) v = normal(gen);
  for (double& v : A.reshaped()) v = normal(gen);
  for (double& v : C.reshaped()) v = normal(gen);
  const MatrixXd Hd = B * B.transpose() / n;
  RandomKkt k{Hd.sparseView(), A.sparseView(), C.sparseView()};
  k.H.makeCompressed();
  k.A.makeCompressed();
  k.C.makeCompressed();
  const double rho = 1e-6, mu_eq = 1e-4, mu_in = 1e-3;
  for (const auto& backend : compiled_backends()) {
    CAPTURE(backend.name);
    qplayer::sparse::KktSystem kkt(k.data(), Settings{}, backend.make());
    const bool corrects = !backend.make()->supports_row_updates();
    ActiveSet J = random_active(n_in, 0.5, 5);
    const ActiveSet J0 = J;
    REQUIRE(kkt.factorize(rho, mu_eq, mu_in, J) == FactorStatus::Ok);
    const int factorizations = kkt.stats().factorizations;
    // One row on, one off, then one of them back: two, three, then two corrected rows.
    const std::vector<std::vector<int>> flips = {{3, 8}, {20}, {8}, {20, 31}};
    for (std::size_t step = 0; step < flips.size(); ++step) {
      CAPTURE(step);
      for (int i : flips[step]) J[i] ^= 1;
      REQUIRE(kkt.update_active_set(J) == FactorStatus::Ok);
      CHECK(kkt.active_set() == J);
      if (corrects) {
        CHECK(kkt.stats().factorizations == factorizations);
        CHECK(kkt.factored_active_set() == J0);
      }
      // The corrected solve is a solve with the current matrix, assembled independently.
      const MatrixXd K = assemble(k, rho, mu_eq, mu_in, J);
      const Vector rhs = random_vector(n + n_eq + n_in, 500 + static_cast<unsigned>(step));
      Vector x;
      kkt.solve(rhs, x);
      CHECK(inf(K * x - rhs) <= 1e-10 * (1.0 + inf(rhs)));
      const Vector exact = K.partialPivLu().solve(rhs);
      CHECK(inf(x - exact) <= 1e-8 * std::max(1.0, inf(exact)));
    }
    // Many changed rows at once: a refactorization, which then holds the current set.
    for (int i = 0; i < n_in; i += 2) J[i] ^= 1;
    REQUIRE(kkt.update_active_set(J) == FactorStatus::Ok);
    CHECK(kkt.stats().factorizations == factorizations + 1);
    CHECK(kkt.factored_active_set() == J);
  }
}

TEST_CASE("sparse::KktSystem set_values: new values, same pattern, no new analysis") {
  RandomKkt k = make_kkt(60, 10, 40, 10, 31);
  for (const auto& backend : compiled_backends()) {
    CAPTURE(backend.name);
    qplayer::sparse::KktSystem kkt(k.data(), Settings{}, backend.make());
    const ActiveSet J = random_active(k.n_in(), 0.5, 2);
    REQUIRE(kkt.factorize(1e-6, 1e-3, 1e-2, J) == FactorStatus::Ok);
    RandomKkt k2 = k;
    for (int i = 0; i < k2.A.nonZeros(); ++i) k2.A.valuePtr()[i] *= 2.0;
    for (int i = 0; i < k2.H.nonZeros(); ++i) k2.H.valuePtr()[i] *= 0.5;
    kkt.set_values(k2.data());
    const Vector rhs = random_vector(k.n() + k.n_eq() + k.n_in(), 4);
    Vector sol;
    kkt.solve(rhs, sol);  // refreshes the factorization for the new values
    const MatrixXd K = assemble(k2, 1e-6, 1e-3, 1e-2, J);
    const double scale = K.cwiseAbs().rowwise().sum().maxCoeff() * inf(sol) + inf(rhs);
    CHECK(inf(K * sol - rhs) <= 1e-13 * scale);
    // A different pattern is refused.
    RandomKkt k3 = make_kkt(60, 10, 40, 10, 32);
    CHECK_THROWS_AS(kkt.set_values(k3.data()), std::invalid_argument);
  }
}

TEST_CASE("sparse::KktSystem reports negative curvature and singular matrices") {
  for (const auto& backend : compiled_backends()) {
    CAPTURE(backend.name);
    // H with a negative eigenvalue: the inertia is wrong.
    MatrixXd Hd(3, 3);
    Hd << 1, 0, 0, 0, -1, 0, 0, 0, 2;
    RandomKkt k{Hd.sparseView(), SparseMatrix(0, 3), SparseMatrix(0, 3)};
    k.H.makeCompressed();
    qplayer::sparse::KktSystem kkt(k.data(), Settings{}, backend.make());
    CHECK(kkt.factorize(1e-6, 1e-3, 1e-2, ActiveSet{}) == FactorStatus::WrongInertia);
    // rho exactly cancelling a diagonal entry: an exact zero pivot, no crash.
    MatrixXd Hs = MatrixXd::Zero(2, 2);
    Hs(0, 0) = -1.0;
    RandomKkt s{Hs.sparseView(), SparseMatrix(0, 2), SparseMatrix(0, 2)};
    s.H.makeCompressed();
    qplayer::sparse::KktSystem singular(s.data(), Settings{}, backend.make());
    CHECK(singular.factorize(1.0, 1e-3, 1e-2, ActiveSet{}) == FactorStatus::Failed);
  }
}
