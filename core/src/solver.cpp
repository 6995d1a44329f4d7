// Solver setup, updates and result assembly around the proximal method: validation,
// equilibration, backend choice, warm starts, and mapping back to user units.
#include "qplayer/solver.hpp"

#include "closest_feasible.hpp"
#include "proximal_method.hpp"
#include "workspace.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace qplayer {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_settings(const Settings& s) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("Settings: ") + what);
  };
  require(s.eps_abs >= 0 && std::isfinite(s.eps_abs), "eps_abs must be finite and >= 0");
  require(s.eps_rel >= 0 && std::isfinite(s.eps_rel), "eps_rel must be finite and >= 0");
  require(s.eps_abs > 0 || s.eps_rel > 0, "eps_abs and eps_rel cannot both be 0");
  require(std::isfinite(s.eps_gap_abs), "eps_gap_abs must be finite");
  require(s.eps_gap_rel >= 0, "eps_gap_rel must be >= 0");
  require(s.max_iter >= 0, "max_iter must be >= 0");
  require(s.max_outer_iter > 0, "max_outer_iter must be > 0");
  require(!(s.time_limit <= 0) && !std::isnan(s.time_limit), "time_limit must be > 0");
  require(s.rho > 0 && s.mu_eq > 0 && s.mu_in > 0, "rho, mu_eq, mu_in must be > 0");
  require(s.rho_min > 0 && s.rho_min <= s.rho, "rho_min must be in (0, rho]");
  require(s.rho_max > 0, "rho_max must be > 0");
  require(s.convexity_tolerance >= 0 && std::isfinite(s.convexity_tolerance),
          "convexity_tolerance must be finite and >= 0");
  require(s.short_step >= 0 && s.short_step < 1, "short_step must be in [0, 1)");
  require(s.rho_update_factor > 0 && s.rho_update_factor <= 1,
          "rho_update_factor must be in (0,1]");
  require(s.mu_min_eq > 0 && s.mu_min_in > 0, "mu_min_eq, mu_min_in must be > 0");
  require(s.mu_min_crawl > 0, "mu_min_crawl must be > 0");
  require(s.mu_min_eq <= s.mu_eq && s.mu_min_in <= s.mu_in, "mu_min must not exceed mu");
  require(s.mu_update_factor > 0 && s.mu_update_factor < 1, "mu_update_factor must be in (0,1)");
  require(s.ruiz_iterations >= 0, "ruiz_iterations must be >= 0");
  require(s.refinement_steps >= 0, "refinement_steps must be >= 0");
  require(s.eps_primal_inf > 0 && s.eps_dual_inf > 0, "infeasibility tolerances must be > 0");
  require(s.max_inner_iter > 0, "max_inner_iter must be > 0");
  require(s.mu_closest_feasible > 0 && std::isfinite(s.mu_closest_feasible),
          "mu_closest_feasible must be finite and > 0");
  require(s.refinement_tol >= 0, "refinement_tol must be >= 0");
  require(s.max_update_fraction >= 0 && s.max_update_fraction <= 1,
          "max_update_fraction must be in [0, 1]");
  require(s.bcl_eta_ext_init > 0 && s.eps_inner_min > 0, "BCL tolerances must be > 0");
}

bool same_pattern(const SparseMatrix& a, const SparseMatrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols() || a.nonZeros() != b.nonZeros()) return false;
  for (int j = 0; j <= a.outerSize(); ++j)
    if (a.outerIndexPtr()[j] != b.outerIndexPtr()[j]) return false;
  for (Eigen::Index k = 0; k < a.nonZeros(); ++k)
    if (a.innerIndexPtr()[k] != b.innerIndexPtr()[k]) return false;
  return true;
}

// Source of Solver::data_version(): shared by all solvers, so a stamp is never reused.
std::atomic<std::uint64_t> next_data_version{1};

}  // namespace

void Solver::new_data_version() {
  data_version_ = next_data_version.fetch_add(1, std::memory_order_relaxed);
}

Solver::Solver(Problem problem, Settings settings)
    : problem_(std::move(problem)), settings_(settings), scaling_(std::make_unique<RuizScaling>()) {
  setup();
}

Solver::~Solver() = default;
Solver::Solver(Solver&&) noexcept = default;
Solver& Solver::operator=(Solver&&) noexcept = default;

void Solver::setup() {
  const auto start = Clock::now();
  new_data_version();
  problem_.validate();
  check_settings(settings_);
  scaling_->compute(problem_, settings_.ruiz_iterations);
  const KktData data{&scaling_->H, &scaling_->A, &scaling_->C};
  kkt_ = make_kkt_system(settings_, problem_, data);
  work_ = std::make_unique<detail::Workspace>(problem_, static_cast<int>(scaling_->C.rows()));
  result_ = Result();
  result_.x.setZero(problem_.n());
  result_.y.setZero(problem_.n_eq());
  result_.z.setZero(problem_.n_in());
  result_.z_box.setZero(problem_.n());
  result_.info.backend = kkt_->backend_name();
  setup_time_ = seconds_since(start);
  result_.info.setup_time = setup_time_;
}

const RuizScaling& Solver::kkt_scaling() const {
  return work_->kkt_holds_closest ? work_->closest_scaling : *scaling_;
}

void Solver::rescale() {
  // (problem_ was validated by the caller, update(), before it was taken over.)
  const auto start = Clock::now();
  scaling_->compute(problem_, settings_.ruiz_iterations);
  kkt_->set_values(KktData{&scaling_->H, &scaling_->A, &scaling_->C});
  setup_time_ = seconds_since(start);
}

void Solver::update(const Problem& problem) {
  if (problem.n() != problem_.n() || problem.n_eq() != problem_.n_eq() ||
      problem.n_in() != problem_.n_in() || problem.has_box() != problem_.has_box())
    throw InvalidProblem("update: dimensions differ from the problem given at setup");
  if (!same_pattern(problem.H, problem_.H)) throw InvalidProblem("update: H pattern differs");
  if (!same_pattern(problem.A, problem_.A)) throw InvalidProblem("update: A pattern differs");
  if (!same_pattern(problem.C, problem_.C)) throw InvalidProblem("update: C pattern differs");
  problem.validate();
  new_data_version();
  problem_ = problem;
  rescale();
}

void Solver::update_vectors(const Vector& g, const Vector& b, const Vector& l, const Vector& u,
                            const Vector& lb, const Vector& ub) {
  auto check = [](const Vector& value, const char* name, Eigen::Index size) {
    if (value.size() != 0 && value.size() != size) {
      std::ostringstream os;
      os << "update: " << name << " has size " << value.size() << ", expected " << size;
      throw InvalidProblem(os.str());
    }
  };
  check(g, "g", problem_.n());
  check(b, "b", problem_.n_eq());
  check(l, "l", problem_.n_in());
  check(u, "u", problem_.n_in());
  if ((lb.size() || ub.size()) && !problem_.has_box())
    throw InvalidProblem("update: the problem was set up without box bounds");
  check(lb, "lb", problem_.n());
  check(ub, "ub", problem_.n());
  // Validated as they will stand, before anything changes (a throw leaves the solver as it
  // was); references, not a copy of the problem: MPC calls this every step.
  auto pick = [](const Vector& value, const Vector& current) -> const Vector& {
    return value.size() ? value : current;
  };
  Problem::validate_vectors(pick(g, problem_.g), pick(b, problem_.b), pick(l, problem_.l),
                            pick(u, problem_.u), pick(lb, problem_.lb), pick(ub, problem_.ub));
  // The equilibration's d, e, f depend on the matrices only, its cost factor c on H and g:
  // new vectors are rescaled with the factors already there, and unless a new g moves c
  // the KKT values and the factorization stay valid (a warm-started re-solve can reuse
  // it). When c moves, H's scaled values change by an exact power of two.
  const bool new_g = g.size() && g != problem_.g;
  new_data_version();
  for (auto [field, value] : {std::pair<Vector*, const Vector*>{&problem_.g, &g},
                              {&problem_.b, &b},
                              {&problem_.l, &l},
                              {&problem_.u, &u},
                              {&problem_.lb, &lb},
                              {&problem_.ub, &ub}})
    if (value->size()) *field = *value;
  scaling_->rescale_bounds(problem_);
  if (new_g && scaling_->rescale_cost(problem_))
    kkt_->set_values(KktData{&scaling_->H, &scaling_->A, &scaling_->C});
}

const Result& Solver::solve() {
  detail::Workspace& w = *work_;
  const bool reuse = settings_.initial_guess == InitialGuess::PreviousSolution &&
                     result_.info.status != Status::NotRun;
  if (reuse) {
    // The workspace still holds the previous scaled iterate; after an update the scaling
    // changed, so restart from the user-unit result instead.
    return solve(result_.x, result_.y, result_.z, result_.z_box);
  }
  w.x.setZero();
  w.y.setZero();
  w.z.setZero();
  return run();
}

const Result& Solver::solve(const Vector& x0, const Vector& y0, const Vector& z0,
                            const Vector& z_box0) {
  detail::Workspace& w = *work_;
  const int m = problem_.n_in();
  if (x0.size() != problem_.n() || y0.size() != problem_.n_eq() || z0.size() != m ||
      (z_box0.size() != 0 && z_box0.size() != problem_.n()))
    throw std::invalid_argument("solve: warm start has the wrong dimensions");
  if (!x0.allFinite() || !y0.allFinite() || !z0.allFinite() || !z_box0.allFinite())
    throw std::invalid_argument("solve: warm start is not finite");
  const RuizScaling& s = *scaling_;
  w.x = x0.cwiseQuotient(s.d);
  w.y = s.c * y0.cwiseQuotient(s.e);
  w.z.head(m) = s.c * z0.cwiseQuotient(s.f.head(m));
  // (Assigned branch by branch: a conditional expression would build a temporary vector.)
  if (s.n_box && z_box0.size())
    w.z.tail(s.n_box) = s.c * z_box0.cwiseQuotient(s.f.tail(s.n_box));
  else if (s.n_box)
    w.z.tail(s.n_box).setZero();
  return run();
}

const Result& Solver::run() {
  check_settings(settings_);  // settings() is mutable between solves
  new_data_version();
  detail::Workspace& w = *work_;
  const auto start = Clock::now();
  const KktStats before = kkt_->stats();
  Info info;
  info.backend = kkt_->backend_name();
  info.setup_time = setup_time_;
  if (w.kkt_holds_closest) {
    // A previous closest-feasible phase left its row-uniform values in the KKT system.
    kkt_->set_values(KktData{&scaling_->H, &scaling_->A, &scaling_->C});
    w.kkt_holds_closest = false;
  }

  detail::ProximalMethod method(problem_, settings_, *scaling_, *kkt_, w);
  method.run(info, result_);

  // Back to user units, from the scaling the final iterate lives in. A solved point is
  // returned exactly as the stopping test saw it (a polished one exists only in user
  // units: scaling it back and forth would cost the last bits it was refined to).
  const RuizScaling& s = method.scaling();
  const int m = problem_.n_in();
  if (info.status == Status::Solved) {
    result_.x = w.x_user;
    result_.y = w.y_user;
    result_.z = w.z_user;
  } else {
    result_.x = w.x.cwiseProduct(s.d);
    result_.y = w.y.cwiseProduct(s.e) / s.c;
    result_.z = w.z.head(m).cwiseProduct(s.f.head(m)) / s.c;
  }
  if (!s.n_box)
    result_.z_box.setZero(problem_.n());
  else if (info.status == Status::Solved)
    result_.z_box = w.z_box_user;
  else
    result_.z_box = w.z.tail(s.n_box).cwiseProduct(s.f.tail(s.n_box)) / s.c;

  // Closest feasible: the shifts of the returned x, and its residuals as a solution of the
  // shifted QP (the shifts themselves say how far the original constraints are violated).
  const bool shifted = info.status == Status::SolvedClosestFeasible;
  if (settings_.closest_feasible) {
    result_.shift_eq.setZero(problem_.n_eq());
    result_.shift_in.setZero(m);
    result_.shift_box.setZero(problem_.n());
    if (shifted)
      detail::compute_shifts(problem_, result_.x, result_.shift_eq, result_.shift_in,
                             result_.shift_box);
  } else {
    result_.shift_eq.resize(0);
    result_.shift_in.resize(0);
    result_.shift_box.resize(0);
  }
  // The workspace's evaluator and the verdict's own residuals: a re-solve allocates nothing
  // (a default-constructed Problem allocates the outer indices of its three sparse
  // matrices, compute_residuals its long-double buffers).
  const Vector no_box;
  const Vector& z_box = s.n_box ? result_.z_box : no_box;
  Residuals r;
  if (shifted) {
    // (w.shifted holds the original data from the closest-feasible phase: only its
    // vectors move)
    detail::apply_shifts(problem_, result_.shift_eq, result_.shift_in, result_.shift_box,
                         w.shifted);
    r = w.evaluator.evaluate(w.shifted, result_.x, result_.y, result_.z, z_box);
  } else if (info.status == Status::Solved) {
    r = w.verdict_residuals;  // of exactly this point (see ProximalMethod::verdict)
  } else {
    r = w.evaluator.evaluate(problem_, result_.x, result_.y, result_.z, z_box);
  }
  info.objective = problem_.objective(result_.x);
  info.primal_residual = r.primal;
  info.dual_residual = r.dual;
  info.duality_gap = r.gap;
  const KktStats after = kkt_->stats();
  info.nnz_kkt = after.nnz_kkt;
  info.nnz_l = after.nnz_l;
  info.factorizations = after.factorizations - before.factorizations;
  info.rank_updates = after.rank_updates - before.rank_updates;
  info.solve_time = seconds_since(start);
  result_.info = info;
  return result_;
}

}  // namespace qplayer
