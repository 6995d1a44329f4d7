// The allocation counter itself (allocation_counter.cpp): it must see every way a library
// can reach the heap, or an "allocation-free" check elsewhere would pass vacuously.
#include "support/allocation_counter.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <new>

namespace {
void* volatile g_sink = nullptr;  // keeps the allocations below from being optimized away
}  // namespace

TEST_CASE("allocation counter: sees malloc, calloc, realloc and both operator new") {
  if (!qplayer_test::counting_available()) return;  // AddressSanitizer owns malloc
  qplayer_test::begin_no_allocation();
  g_sink = std::malloc(16);
  std::free(g_sink);
  g_sink = std::calloc(2, 8);
  std::free(g_sink);
  g_sink = std::realloc(nullptr, 8);
  std::free(g_sink);
  g_sink = new double[4];
  delete[] static_cast<double*>(g_sink);
  g_sink = ::operator new(64, std::align_val_t(64));
  ::operator delete(g_sink, std::align_val_t(64));
  CHECK(qplayer_test::end_no_allocation() == 5);
  qplayer_test::begin_no_allocation();  // and nothing when nothing allocates
  CHECK(qplayer_test::end_no_allocation() == 0);
}
