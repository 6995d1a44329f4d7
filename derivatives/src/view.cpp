// The View: a token tying derivative calls to one solve. Staleness is detected without any
// help from the Solver: the factorization's epoch and counters catch a re-solve, and a hash
// of the result and the problem data catches update() (which changes values but leaves the
// factors alone until the next solve) and a re-solve that needed no refactorization.
#include "qplayer/derivatives/view.hpp"

#include "active_kkt.hpp"

#include <cstring>
#include <stdexcept>

namespace qplayer::derivatives {
namespace {

// FNV-style hash over the 64-bit patterns of the doubles, one word per step with an
// xor-shift to spread the high bits: any changed value changes it (barring collisions), one
// O(nnz) pass, no copy of the data. Word-wise rather than byte-wise: it runs on every call.
class Hash {
 public:
  void add(const double* data, Eigen::Index count) {
    for (Eigen::Index i = 0; i < count; ++i) {
      std::uint64_t bits;
      std::memcpy(&bits, data + i, sizeof bits);
      mix(bits);
    }
    mix(static_cast<std::uint64_t>(count));
  }
  void add(const Vector& v) { add(v.data(), v.size()); }
  void add(const SparseMatrix& M) { add(M.valuePtr(), M.nonZeros()); }
  std::uint64_t value() const { return value_; }

 private:
  void mix(std::uint64_t word) {
    value_ = (value_ ^ word) * 1099511628211ull;
    value_ ^= value_ >> 29;
  }
  std::uint64_t value_ = 14695981039346656037ull;
};

std::uint64_t fingerprint(const Solver& solver) {
  const Problem& p = solver.problem();
  const Result& r = solver.result();
  Hash h;
  for (const Vector* v : {&r.x, &r.y, &r.z, &r.z_box, &p.g, &p.b, &p.l, &p.u, &p.lb, &p.ub})
    h.add(*v);
  for (const SparseMatrix* M : {&p.H, &p.A, &p.C}) h.add(*M);
  return h.value();
}

}  // namespace

View::View(const Solver& solver, const Options& options) : solver_(&solver), options_(options) {
  if (solver.result().info.status != Status::Solved)
    throw std::logic_error(std::string("derivatives::View: the solver's status is '") +
                           to_string(solver.result().info.status) +
                           "'; derivatives exist only at a solved (feasible) QP");
  if (options.tolerance <= 0 || options.max_iterations < 1 || options.restart < 1)
    throw std::invalid_argument("derivatives::Options: tolerance, max_iterations, restart > 0");
  const KktStats stats = solver.kkt().stats();
  epoch_ = stats.epoch;
  factorizations_ = stats.factorizations;
  rank_updates_ = stats.rank_updates;
  fingerprint_ = fingerprint(solver);
  engine_ = std::make_unique<detail::ActiveKkt>(solver, options);
}

View::~View() = default;
View::View(View&&) noexcept = default;
View& View::operator=(View&&) noexcept = default;

bool View::is_current() const {
  const KktStats stats = solver_->kkt().stats();
  return stats.epoch == epoch_ && stats.factorizations == factorizations_ &&
         stats.rank_updates == rank_updates_ && solver_->result().info.status == Status::Solved &&
         fingerprint(*solver_) == fingerprint_;
}

void View::check_current() const {
  if (!is_current())
    throw std::logic_error(
        "derivatives::View is stale: the solver was solved again, updated or refactorized "
        "since the view was made; make a new View right after the solve you differentiate");
}

}  // namespace qplayer::derivatives
