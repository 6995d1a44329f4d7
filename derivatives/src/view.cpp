// The View: a token tying derivative calls to one solve. Staleness: the factorization's epoch
// and counters catch a refactorization, Solver::data_version() catches update() (which
// changes values but leaves the factors alone until the next solve) and a re-solve that
// needed no refactorization, in O(1) (it replaced an O(nnz) hash of the problem data and
// the result, computed twice per backward pass).
#include "qplayer/derivatives/view.hpp"

#include "active_kkt.hpp"
#include "closest_point.hpp"
#include "closest_products.hpp"

#include <stdexcept>

namespace qplayer::derivatives {

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
  data_version_ = solver.data_version();
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
         solver_->data_version() == data_version_;
}

void View::check_current() const {
  if (!is_current())
    throw std::logic_error(
        "derivatives::View is stale: the solver was solved again, updated or refactorized "
        "since the view was made; make a new View right after the solve you differentiate");
}

}  // namespace qplayer::derivatives
