// Heap-allocation counting (allocation_counter.cpp, linked into every test executable and
// into mpc_bench): bracket a hot call with begin_no_allocation() / end_no_allocation().
#pragma once

namespace qplayer_test {

/// False where allocations cannot be counted (AddressSanitizer, non-glibc).
bool counting_available();
/// Starts counting heap allocations of the calling thread.
void begin_no_allocation();
/// Heap allocations since begin_no_allocation() (0 when they cannot be counted: under
/// AddressSanitizer or off glibc, where only Eigen's own guard remains).
long end_no_allocation();

}  // namespace qplayer_test
