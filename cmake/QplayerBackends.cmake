# Optional sparse linear-algebra packages, switched by the QPLAYER_WITH_* options.
# Each one found is linked PRIVATE to qplayer (its headers stay out of qplayer's public
# headers) and announced by a PUBLIC definition QPLAYER_HAS_<NAME>, so tests and consumers
# can ask which backends and orderings were compiled in. The installed qplayerConfig.cmake
# reports the same set (qplayer_WITH_*), see cmake/QplayerInstall.cmake.

if(QPLAYER_WITH_CHOLMOD_MODIFY AND NOT QPLAYER_WITH_CHOLMOD)
  message(FATAL_ERROR "QPLAYER_WITH_CHOLMOD_MODIFY=ON needs QPLAYER_WITH_CHOLMOD=ON")
endif()

# Both sparse backends order with AMD unless METIS is asked for, so AMD comes with either.
set(QPLAYER_SUITESPARSE_COMPONENTS "")
if(QPLAYER_WITH_LDL)
  list(APPEND QPLAYER_SUITESPARSE_COMPONENTS LDL AMD)
endif()
if(QPLAYER_WITH_CHOLMOD)
  list(APPEND QPLAYER_SUITESPARSE_COMPONENTS CHOLMOD AMD)
endif()
list(REMOVE_DUPLICATES QPLAYER_SUITESPARSE_COMPONENTS)

set(QPLAYER_ENABLED_FEATURES "")
if(QPLAYER_SUITESPARSE_COMPONENTS)
  find_package(SuiteSparse REQUIRED COMPONENTS ${QPLAYER_SUITESPARSE_COMPONENTS})
  foreach(component IN LISTS QPLAYER_SUITESPARSE_COMPONENTS)
    string(TOUPPER "${component}" upper)
    target_link_libraries(qplayer PRIVATE SuiteSparse::${component})
    target_compile_definitions(qplayer PUBLIC QPLAYER_HAS_${upper})
    list(APPEND QPLAYER_ENABLED_FEATURES "${component} ${SuiteSparse_${component}_VERSION}")
  endforeach()
endif()

if(QPLAYER_WITH_CHOLMOD_MODIFY)
  # A CHOLMOD built with -DNMODIFY (or -DNGPL) lacks the row add/delete routines: say so
  # here rather than at link time.
  include(CheckCXXSymbolExists)
  include(CMakePushCheckState)
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_INCLUDES ${SuiteSparse_CHOLMOD_INCLUDE_DIR})
  set(CMAKE_REQUIRED_LIBRARIES SuiteSparse::CHOLMOD)
  set(CMAKE_REQUIRED_QUIET ON)
  check_cxx_symbol_exists(cholmod_rowadd "cholmod.h" QPLAYER_CHOLMOD_HAS_MODIFY)
  cmake_pop_check_state()
  if(NOT QPLAYER_CHOLMOD_HAS_MODIFY)
    message(FATAL_ERROR "QPLAYER_WITH_CHOLMOD_MODIFY=ON, but the CHOLMOD found "
                        "(${SuiteSparse_CHOLMOD_LIBRARY}) has no Modify module")
  endif()
  target_compile_definitions(qplayer PUBLIC QPLAYER_HAS_CHOLMOD_MODIFY)
  list(APPEND QPLAYER_ENABLED_FEATURES "CHOLMOD Modify")
  message(STATUS "qplayer: CHOLMOD's Modify module is GPL-2+: a binary built with "
                 "QPLAYER_WITH_CHOLMOD_MODIFY=ON is distributed under the GPL")
endif()

if(QPLAYER_WITH_METIS)
  find_package(METIS REQUIRED)
  target_link_libraries(qplayer PRIVATE METIS::METIS)
  target_compile_definitions(qplayer PUBLIC QPLAYER_HAS_METIS)
  list(APPEND QPLAYER_ENABLED_FEATURES "METIS ${METIS_VERSION}")
endif()

if(QPLAYER_WITH_SUPERNODAL)
  # qplayer's own supernodal LDLᵀ calls dgemm; libopenblas-dev provides it (and is what
  # CHOLMOD uses on Debian).
  find_package(BLAS REQUIRED)
  target_link_libraries(qplayer PRIVATE BLAS::BLAS)
  target_compile_definitions(qplayer PUBLIC QPLAYER_HAS_SUPERNODAL)
  list(APPEND QPLAYER_ENABLED_FEATURES "supernodal LDL^T (BLAS)")
endif()

if(QPLAYER_ENABLED_FEATURES)
  list(JOIN QPLAYER_ENABLED_FEATURES ", " _qplayer_features)
  message(STATUS "qplayer: sparse linear algebra: ${_qplayer_features}")
  unset(_qplayer_features)
else()
  message(STATUS "qplayer: sparse linear algebra: none (dense backend only)")
endif()
