// The one place that names concrete backends: maps Settings::backend to a KKT system.
// Sparse strategies register here when they are compiled in.
#include "qplayer/dense/kkt_system.hpp"
#include "qplayer/solver.hpp"

#include <stdexcept>

namespace qplayer {

std::unique_ptr<KktSystem> make_kkt_system(const Settings& settings, const Problem& /*problem*/,
                                           const KktData& data) {
  switch (settings.backend) {
    case Backend::Auto:  // only the dense strategy is built so far
    case Backend::Dense: return std::make_unique<dense::KktSystem>(data, settings);
    case Backend::Ldl: throw std::invalid_argument("backend 'ldl' is not compiled in this build");
    case Backend::Cholmod:
      throw std::invalid_argument("backend 'cholmod' is not compiled in this build");
  }
  throw std::invalid_argument("unknown backend");
}

}  // namespace qplayer
