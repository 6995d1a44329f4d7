// Heap-allocation counter, compiled into every test executable (tests/CMakeLists.txt) and
// into mpc_bench: a caller includes "support/allocation_counter.hpp" and brackets a hot call
// with begin_no_allocation() / end_no_allocation(). Nothing else in those programs may
// define malloc. (allocation_counter_check.cpp tests the counter itself.)
//
// Eigen's EIGEN_RUNTIME_NO_MALLOC guard reports through eigen_assert, which NDEBUG (Release)
// compiles out, and it sees Eigen's own allocations only. CHOLMOD allocates through malloc
// (SuiteSparse_config), operator new and Eigen end up there as well, and glibc 2.34 removed
// __malloc_hook. So on glibc without AddressSanitizer (which owns malloc) this file
// interposes the malloc family: the definitions below win over libc's for every library the
// executable loads, forward to glibc's internal entry points and count calls while the
// calling thread has counting switched on (thread-local, so only the thread under test
// counts). Freeing is not counted: a hot call that frees must have allocated first, or is
// releasing memory it does not own. Under AddressSanitizer only Eigen's guard remains.
#include "support/allocation_counter.hpp"

#include <Eigen/Core>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#define QPLAYER_TEST_COUNT_MALLOC 1
namespace {
thread_local bool t_counting = false;
thread_local long t_allocations = 0;
}  // namespace

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* ptr, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);

void* malloc(std::size_t size) noexcept {
  if (t_counting) ++t_allocations;
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  if (t_counting) ++t_allocations;
  return __libc_calloc(count, size);
}
void* realloc(void* ptr, std::size_t size) noexcept {
  if (t_counting) ++t_allocations;
  return __libc_realloc(ptr, size);
}
// Aligned operator new and Eigen's over-aligned types come through these two.
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  if (t_counting) ++t_allocations;
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  if (t_counting) ++t_allocations;
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr && size != 0) return ENOMEM;
  *out = p;
  return 0;
}
}
#endif

namespace qplayer_test {

void begin_no_allocation() {
#ifdef EIGEN_RUNTIME_NO_MALLOC
  Eigen::internal::set_is_malloc_allowed(false);
#endif
#ifdef QPLAYER_TEST_COUNT_MALLOC
  t_allocations = 0;
  t_counting = true;
#endif
}

bool counting_available() {
#ifdef QPLAYER_TEST_COUNT_MALLOC
  return true;
#else
  return false;
#endif
}

/// Heap allocations since begin_no_allocation() (0 when they cannot be counted).
long end_no_allocation() {
#ifdef EIGEN_RUNTIME_NO_MALLOC
  Eigen::internal::set_is_malloc_allowed(true);
#endif
#ifdef QPLAYER_TEST_COUNT_MALLOC
  t_counting = false;
  return t_allocations;
#else
  return 0;
#endif
}

}  // namespace qplayer_test
