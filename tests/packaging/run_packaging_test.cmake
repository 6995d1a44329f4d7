# cmake -P script behind the packaging test (see CMakeLists.txt beside it for the inputs).
# Steps: install the build tree into WORK_DIR/prefix; check what was installed; configure,
# build and run the consumer project against that prefix only.
cmake_minimum_required(VERSION 3.25)

foreach(var QPLAYER_BINARY_DIR QPLAYER_SOURCE_DIR QPLAYER_VERSION WORK_DIR CONSUMER_SOURCE_DIR
            GENERATOR CXX_COMPILER INSTALL_LIBDIR INSTALL_INCLUDEDIR INSTALL_BINDIR
            INSTALL_CMAKEDIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_packaging_test.cmake: ${var} is not set")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Runs a command, echoes it, fails the test with its output if it fails.
function(run_step name)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "[${name}] ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "[${name}] failed (${rc})\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install.
set(config_args "")
if(CONFIG)
  set(config_args --config "${CONFIG}")
endif()
run_step(install "${CMAKE_COMMAND}" --install "${QPLAYER_BINARY_DIR}" --prefix "${prefix}"
         ${config_args})

# 2. The installed tree: package files, headers (every public header of each layer), library.
set(cmakedir "${prefix}/${INSTALL_CMAKEDIR}")
foreach(file qplayerConfig.cmake qplayerConfigVersion.cmake qplayerTargets.cmake
             FindSuiteSparse.cmake FindMETIS.cmake)
  if(NOT EXISTS "${cmakedir}/${file}")
    message(FATAL_ERROR "not installed: ${cmakedir}/${file}")
  endif()
endforeach()
file(GLOB_RECURSE source_headers RELATIVE "${QPLAYER_SOURCE_DIR}"
     "${QPLAYER_SOURCE_DIR}/core/include/qplayer/*.hpp"
     "${QPLAYER_SOURCE_DIR}/dense/include/qplayer/*.hpp")
list(APPEND source_headers "generated/qplayer/version.hpp")
foreach(header IN LISTS source_headers)
  string(REGEX REPLACE "^.*include/|^generated/" "" installed "${header}")
  if(NOT EXISTS "${prefix}/${INSTALL_INCLUDEDIR}/${installed}")
    message(FATAL_ERROR "header not installed: ${INSTALL_INCLUDEDIR}/${installed} (from ${header})")
  endif()
endforeach()
file(GLOB libraries "${prefix}/${INSTALL_LIBDIR}/libqplayer*")
if(NOT libraries)
  message(FATAL_ERROR "no libqplayer installed in ${prefix}/${INSTALL_LIBDIR}")
endif()

# The package must be relocatable and must not carry build-tree-only settings.
file(GLOB package_files "${cmakedir}/qplayer*.cmake")
foreach(file IN LISTS package_files)
  file(READ "${file}" text)
  foreach(forbidden "${QPLAYER_BINARY_DIR}" "${QPLAYER_SOURCE_DIR}" EIGEN_RUNTIME_NO_MALLOC)
    string(FIND "${text}" "${forbidden}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${file} mentions '${forbidden}'")
    endif()
  endforeach()
endforeach()

# SameMajorVersion: this version and older ones of the same major are accepted, the next
# major is not.
string(REGEX MATCH "^[0-9]+" major "${QPLAYER_VERSION}")
math(EXPR next_major "${major} + 1")
foreach(request_and_expected "${major}.0;TRUE" "${QPLAYER_VERSION};TRUE" "${next_major}.0;FALSE")
  list(GET request_and_expected 0 PACKAGE_FIND_VERSION)
  list(GET request_and_expected 1 expected)
  string(REPLACE "." ";" parts "${PACKAGE_FIND_VERSION}")
  list(GET parts 0 PACKAGE_FIND_VERSION_MAJOR)
  unset(PACKAGE_VERSION_COMPATIBLE)
  include("${cmakedir}/qplayerConfigVersion.cmake")
  if(NOT "${PACKAGE_VERSION_COMPATIBLE}" STREQUAL "${expected}")
    message(FATAL_ERROR "qplayerConfigVersion.cmake: request ${PACKAGE_FIND_VERSION} -> "
                        "compatible '${PACKAGE_VERSION_COMPATIBLE}', expected ${expected}")
  endif()
endforeach()

# 3. The consumer, against the prefix only (no package registry, no build tree).
set(configure_args -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    "-DQPLAYER_REQUIRED_VERSION=${QPLAYER_VERSION}")
if(CONFIG)
  string(TOUPPER "${CONFIG}" config_upper)
  list(APPEND configure_args "-DCMAKE_BUILD_TYPE=${CONFIG}"
       "-DCMAKE_CXX_FLAGS_${config_upper}=${CXX_FLAGS_FOR_CONFIG}")
endif()
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(Eigen3_DIR)
  list(APPEND configure_args "-DEigen3_DIR=${Eigen3_DIR}")
endif()
run_step(configure "${CMAKE_COMMAND}" ${configure_args})

file(STRINGS "${consumer_build}/CMakeCache.txt" found_dir REGEX "^qplayer_DIR:")
string(REGEX REPLACE "^qplayer_DIR:[A-Z]+=" "" found_dir "${found_dir}")
file(REAL_PATH "${found_dir}" found_dir)
file(REAL_PATH "${cmakedir}" expected_dir)
if(NOT found_dir STREQUAL expected_dir)
  message(FATAL_ERROR "the consumer found qplayer in ${found_dir}, not in ${expected_dir}")
endif()

run_step(build "${CMAKE_COMMAND}" --build "${consumer_build}" ${config_args})

find_program(consumer_exe qplayer_consumer
             PATHS "${consumer_build}" "${consumer_build}/${CONFIG}" NO_DEFAULT_PATH)
if(NOT consumer_exe)
  message(FATAL_ERROR "consumer executable not found in ${consumer_build}")
endif()
run_step(run "${consumer_exe}")
message(STATUS "consumer output:\n${step_output}")

# 4. The installed command-line tool, when apps were built, starts and answers --help.
if(EXISTS "${prefix}/${INSTALL_BINDIR}/qplayer")
  run_step(cli "${prefix}/${INSTALL_BINDIR}/qplayer" --help)
endif()

message(STATUS "packaging test passed: installed to ${prefix}")
