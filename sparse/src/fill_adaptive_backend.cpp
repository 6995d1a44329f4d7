// FillAdaptiveBackend: one supernodal analysis decides between the supernodal and the
// simplicial LDL kernels (the criterion and its figures are in the header).
#include "qplayer/sparse/fill_adaptive_backend.hpp"

#include "qplayer/sparse/ldl_backend.hpp"
#include "qplayer/sparse/supernodal_backend.hpp"

#include <algorithm>
#include <stdexcept>

namespace qplayer::sparse {

FillAdaptiveBackend::FillAdaptiveBackend() {
#if !defined(QPLAYER_HAS_SUPERNODAL) && !defined(QPLAYER_HAS_LDL)
  throw std::invalid_argument("no sparse backend is compiled in this build");
#endif
}

FillAdaptiveBackend::~FillAdaptiveBackend() = default;

std::string FillAdaptiveBackend::name() const {
  return backend_ ? backend_->name() : std::string("auto");
}

LdltBackend& FillAdaptiveBackend::chosen() const {
  if (!backend_) throw std::logic_error("FillAdaptiveBackend: analyze() was not called");
  return *backend_;
}

void FillAdaptiveBackend::analyze(const SparseMatrix& upper, const std::vector<int>& permutation) {
  std::unique_ptr<LdltBackend> next;
#ifdef QPLAYER_HAS_SUPERNODAL
  auto supernodal = std::make_unique<SupernodalBackend>();
  supernodal->analyze(upper, permutation);
#ifdef QPLAYER_HAS_LDL
  if (supernodal->column_work() >= kMinColumnWork) next = std::move(supernodal);
#else
  next = std::move(supernodal);
#endif
#endif
  if (!next) {
    next = std::make_unique<LdlBackend>();
    next->analyze(upper, permutation);
  }
  if (backend_) epoch_offset_ += backend_->epoch() + 1;
  backend_ = std::move(next);
}

}  // namespace qplayer::sparse
