// The one place that names concrete backends: maps Settings::backend to a KKT system, and
// decides what Backend::Auto means for a given problem.
#include "qplayer/dense/kkt_system.hpp"
#include "qplayer/solver.hpp"
#include "qplayer/sparse/cholmod_backend.hpp"
#include "qplayer/sparse/fill_adaptive_backend.hpp"
#include "qplayer/sparse/kkt_system.hpp"
#include "qplayer/sparse/ldl_backend.hpp"
#include "qplayer/sparse/supernodal_backend.hpp"

#include <stdexcept>

namespace qplayer {
namespace {

constexpr bool kHasLdl =
#ifdef QPLAYER_HAS_LDL
    true;
#else
    false;
#endif
constexpr bool kHasCholmod =
#ifdef QPLAYER_HAS_CHOLMOD
    true;
#else
    false;
#endif
constexpr bool kHasSupernodal =
#ifdef QPLAYER_HAS_SUPERNODAL
    true;
#else
    false;
#endif

long long stored(const SparseMatrix* M) { return M ? M->nonZeros() : 0; }

}  // namespace

Backend resolve_backend(const Settings& settings, const KktData& data) {
  if (settings.backend != Backend::Auto) return settings.backend;
  if (!kHasCholmod && !kHasLdl && !kHasSupernodal) return Backend::Dense;
  // The dense strategy pays N² memory and N³/3 flops per factorization but follows the
  // active set by cheap row updates; the sparse ones pay for fill and refactorize. Dense
  // wins on small systems and on dense ones (README.md, "Backends", has the figures).
  const long long n = data.H->rows();
  const long long N = n + (data.A ? data.A->rows() : 0) + (data.C ? data.C->rows() : 0);
  const long long nnz = stored(data.H) / 2 + n + stored(data.A) + stored(data.C) + N;
  const double density = N > 0 ? 2.0 * static_cast<double>(nnz) / (double(N) * double(N)) : 1.0;
  const bool dense =
      N <= kAutoDenseMaxSmall || (N <= kAutoDenseMax && density >= kAutoDenseDensity);
  if (dense) return Backend::Dense;
  // Sparse: make_kkt_system lets FillAdaptiveBackend pick between the supernodal kernel and
  // LDL after the analysis. Of the simplicial ones, LDL's numeric phase measured as fast or
  // faster than CHOLMOD's (README.md, "Backends").
  return kHasLdl ? Backend::Ldl : kHasCholmod ? Backend::Cholmod : Backend::Supernodal;
}

std::unique_ptr<KktSystem> make_kkt_system(const Settings& settings, const Problem& /*problem*/,
                                           const KktData& data) {
  const Backend backend = resolve_backend(settings, data);
  if (settings.backend == Backend::Auto && backend != Backend::Dense &&
      (kHasLdl || kHasSupernodal)) {
    return std::make_unique<sparse::KktSystem>(data, settings,
                                               std::make_unique<sparse::FillAdaptiveBackend>());
  }
  switch (backend) {
    case Backend::Auto:  // resolved above
    case Backend::Dense: return std::make_unique<dense::KktSystem>(data, settings);
    case Backend::Ldl:
      return std::make_unique<sparse::KktSystem>(data, settings,
                                                 std::make_unique<sparse::LdlBackend>());
    case Backend::Cholmod:
      return std::make_unique<sparse::KktSystem>(data, settings,
                                                 std::make_unique<sparse::CholmodBackend>());
    case Backend::Supernodal:
      return std::make_unique<sparse::KktSystem>(data, settings,
                                                 std::make_unique<sparse::SupernodalBackend>());
  }
  throw std::invalid_argument("unknown backend");
}

}  // namespace qplayer
