// Umbrella header: everything a user of the qplayer library needs.
// Link qplayer::qplayer (CMake) and include only this.
#pragma once

#include "qplayer/kkt_system.hpp"
#include "qplayer/ldlt_backend.hpp"
#include "qplayer/problem.hpp"
#include "qplayer/qps.hpp"
#include "qplayer/result.hpp"
#include "qplayer/settings.hpp"
#include "qplayer/solver.hpp"
#include "qplayer/status.hpp"
#include "qplayer/version.hpp"
