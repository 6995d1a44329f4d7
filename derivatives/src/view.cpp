// The View: a token tying derivative calls to one solve. Staleness is detected without any
// help from the Solver: the factorization's epoch and counters catch a re-solve, and a hash
// of the result and the problem data catches update() (which changes values but leaves the
// factors alone until the next solve) and a re-solve that needed no refactorization.
#include "qplayer/derivatives/view.hpp"

#include "active_kkt.hpp"
#include "closest_point.hpp"
#include "closest_products.hpp"

#include <cstring>
#include <stdexcept>

namespace qplayer::derivatives {
namespace {

// FNV-style hash over the 64-bit patterns of the doubles, one word per step with an
// xor-shift to spread the high bits: any changed value changes it (barring collisions), one
// O(nnz) pass, no copy of the data. Four independent lanes, combined at the end: a single
// multiply chain is latency-bound (~3 ns a word, which made the hash 40% of a dense
// n = 100 backward); four chains run in parallel on one core.
class Hash {
 public:
  void add(const double* data, Eigen::Index count) {
    Eigen::Index i = 0;
    for (; i + 4 <= count; i += 4)
      for (int lane = 0; lane < 4; ++lane) mix(lane, word(data + i + lane));
    for (; i < count; ++i) mix(0, word(data + i));
    mix(1, static_cast<std::uint64_t>(count));
  }
  void add(const Vector& v) { add(v.data(), v.size()); }
  void add(const SparseMatrix& M) { add(M.valuePtr(), M.nonZeros()); }
  std::uint64_t value() const {
    std::uint64_t v = lanes_[0];
    for (int lane = 1; lane < 4; ++lane) v = (v ^ lanes_[lane]) * 1099511628211ull ^ (v >> 29);
    return v;
  }

 private:
  static std::uint64_t word(const double* p) {
    std::uint64_t bits;
    std::memcpy(&bits, p, sizeof bits);
    return bits;
  }
  void mix(int lane, std::uint64_t word) {
    std::uint64_t& v = lanes_[lane];
    v = (v ^ word) * 1099511628211ull;
    v ^= v >> 29;
  }
  std::uint64_t lanes_[4] = {14695981039346656037ull, 1469598103934665603ull, 0x9e3779b97f4a7c15ull,
                             0xc2b2ae3d27d4eb4full};
};

std::uint64_t fingerprint(const Solver& solver) {
  const Problem& p = solver.problem();
  const Result& r = solver.result();
  Hash h;
  for (const Vector* v : {&r.x, &r.y, &r.z, &r.z_box, &r.shift_eq, &r.shift_in, &r.shift_box, &p.g,
                          &p.b, &p.l, &p.u, &p.lb, &p.ub})
    h.add(*v);
  for (const SparseMatrix* M : {&p.H, &p.A, &p.C}) h.add(*M);
  return h.value();
}

}  // namespace

View::View(const Solver& solver, const Options& options) : solver_(&solver), options_(options) {
  status_ = solver.result().info.status;
  if (status_ != Status::Solved && status_ != Status::SolvedClosestFeasible)
    throw std::logic_error(std::string("derivatives::View: the solver's status is '") +
                           to_string(status_) +
                           "'; derivatives exist only at a solved QP or its closest feasible QP");
  if (options.tolerance <= 0 || options.max_iterations < 1 || options.restart < 1)
    throw std::invalid_argument("derivatives::Options: tolerance, max_iterations, restart > 0");
  const KktStats stats = solver.kkt().stats();
  epoch_ = stats.epoch;
  factorizations_ = stats.factorizations;
  rank_updates_ = stats.rank_updates;
  fingerprint_ = fingerprint(solver);
  if (status_ == Status::SolvedClosestFeasible)
    closest_ = std::make_unique<detail::ClosestPoint>(
        detail::make_closest_point(solver, options.activity_tolerance));
  engine_ = std::make_unique<detail::ActiveKkt>(solver, options, closest_.get());
  if (closest_) detail::refine_multipliers(solver, *engine_, *closest_);
}

View::~View() = default;
View::View(View&&) noexcept = default;
View& View::operator=(View&&) noexcept = default;

bool View::is_current() const {
  const KktStats stats = solver_->kkt().stats();
  return stats.epoch == epoch_ && stats.factorizations == factorizations_ &&
         stats.rank_updates == rank_updates_ && solver_->result().info.status == status_ &&
         fingerprint(*solver_) == fingerprint_;
}

void View::check_current() const {
  if (!is_current())
    throw std::logic_error(
        "derivatives::View is stale: the solver was solved again, updated or refactorized "
        "since the view was made; make a new View right after the solve you differentiate");
}

}  // namespace qplayer::derivatives
