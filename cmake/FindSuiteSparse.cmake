#[=======================================================================[.rst:
FindSuiteSparse
---------------

Finds the parts of SuiteSparse that qplayer can use. SuiteSparse 5.x (Debian 12's
libsuitesparse-dev) installs headers and libraries but no CMake package, hence this module.

Components
^^^^^^^^^^

``SuiteSparse_config``, ``AMD``, ``CAMD``, ``COLAMD``, ``CCOLAMD``, ``LDL``, ``CHOLMOD``.
Asking for a component also searches the components it needs (every component needs
``SuiteSparse_config``; ``CHOLMOD`` also needs the four orderings), and a component counts
as found only when they are found too. Without ``COMPONENTS``, all of them are searched.

Imported targets
^^^^^^^^^^^^^^^^

``SuiteSparse::<Component>`` for each component found, e.g. ``SuiteSparse::LDL``,
``SuiteSparse::CHOLMOD``. Each carries its include directory (the one holding ``ldl.h``,
``cholmod.h``, ...; on Debian ``/usr/include/suitesparse``) and links the components it
depends on. A target that already exists (for instance from SuiteSparse 7's own CMake
packages) is left untouched.

Result variables
^^^^^^^^^^^^^^^^

``SuiteSparse_FOUND``
  All requested components (and what they need) were found.
``SuiteSparse_VERSION``
  Version of the SuiteSparse distribution, read from ``SuiteSparse_config.h``.
``SuiteSparse_<Component>_FOUND``, ``SuiteSparse_<Component>_VERSION``
  Per component; the version is the component's own (LDL 2.2.6 in SuiteSparse 5.12).
``SuiteSparse_INCLUDE_DIRS``, ``SuiteSparse_LIBRARIES``
  Of the components found, for callers that do not use the targets.

Cache variables
^^^^^^^^^^^^^^^

``SuiteSparse_<Component>_INCLUDE_DIR`` and ``SuiteSparse_<Component>_LIBRARY``.

Hints
^^^^^

``SuiteSparse_ROOT`` (variable or environment) names an installation prefix to search first.

Static libraries
^^^^^^^^^^^^^^^^

If ``libcholmod`` is found as a static archive, its BLAS/LAPACK (``find_package(LAPACK)``)
and, where found, METIS are added to its link interface; shared libraries carry their own.
#]=======================================================================]

include(FindPackageHandleStandardArgs)

# component -> header, library name, prefix of its version macros, components it needs.
set(_ss_all_components SuiteSparse_config AMD CAMD COLAMD CCOLAMD LDL CHOLMOD)
set(_ss_header_SuiteSparse_config SuiteSparse_config.h)
set(_ss_header_AMD amd.h)
set(_ss_header_CAMD camd.h)
set(_ss_header_COLAMD colamd.h)
set(_ss_header_CCOLAMD ccolamd.h)
set(_ss_header_LDL ldl.h)
set(_ss_header_CHOLMOD cholmod.h)
set(_ss_lib_SuiteSparse_config suitesparseconfig)
set(_ss_lib_AMD amd)
set(_ss_lib_CAMD camd)
set(_ss_lib_COLAMD colamd)
set(_ss_lib_CCOLAMD ccolamd)
set(_ss_lib_LDL ldl)
set(_ss_lib_CHOLMOD cholmod)
set(_ss_macro_SuiteSparse_config SUITESPARSE)
set(_ss_macro_AMD AMD)
set(_ss_macro_CAMD CAMD)
set(_ss_macro_COLAMD COLAMD)
set(_ss_macro_CCOLAMD CCOLAMD)
set(_ss_macro_LDL LDL)
set(_ss_macro_CHOLMOD CHOLMOD)
set(_ss_deps_SuiteSparse_config "")
set(_ss_deps_AMD SuiteSparse_config)
set(_ss_deps_CAMD SuiteSparse_config)
set(_ss_deps_COLAMD SuiteSparse_config)
set(_ss_deps_CCOLAMD SuiteSparse_config)
set(_ss_deps_LDL SuiteSparse_config)
set(_ss_deps_CHOLMOD AMD CAMD COLAMD CCOLAMD SuiteSparse_config)

set(_ss_requested ${SuiteSparse_FIND_COMPONENTS})
if(NOT _ss_requested)
  set(_ss_requested ${_ss_all_components})
endif()
foreach(_ss_c IN LISTS _ss_requested)
  if(NOT _ss_c IN_LIST _ss_all_components)
    # Reported as not found by find_package_handle_standard_args below.
    set(SuiteSparse_${_ss_c}_FOUND FALSE)
    if(NOT SuiteSparse_FIND_QUIETLY)
      message(STATUS "FindSuiteSparse: unknown component '${_ss_c}' "
                     "(known: ${_ss_all_components})")
    endif()
  endif()
endforeach()

# Requested components plus their dependencies, in the fixed order of _ss_all_components
# (dependencies first), so every target can link the targets of what it needs.
set(_ss_search "")
foreach(_ss_c IN LISTS _ss_all_components)
  set(_ss_wanted FALSE)
  foreach(_ss_r IN LISTS _ss_requested)
    if(_ss_c STREQUAL _ss_r OR _ss_c IN_LIST _ss_deps_${_ss_r})
      set(_ss_wanted TRUE)
    endif()
  endforeach()
  if(_ss_wanted)
    list(APPEND _ss_search ${_ss_c})
  endif()
endforeach()

# Reads MAIN/SUB/SUBSUB version macros "<prefix>_MAIN_VERSION" etc. from a header.
function(_ss_read_version header prefix out_var)
  set(_version "")
  foreach(_part MAIN SUB SUBSUB)
    file(STRINGS "${header}" _line REGEX "^#define[ \t]+${prefix}_${_part}_VERSION[ \t]+[0-9]+")
    if(NOT _line)
      set(${out_var} "" PARENT_SCOPE)
      return()
    endif()
    string(REGEX REPLACE ".*_VERSION[ \t]+([0-9]+).*" "\\1" _number "${_line}")
    list(APPEND _version ${_number})
  endforeach()
  list(JOIN _version "." _version)
  set(${out_var} "${_version}" PARENT_SCOPE)
endfunction()

set(SuiteSparse_INCLUDE_DIRS "")
set(SuiteSparse_LIBRARIES "")
foreach(_ss_c IN LISTS _ss_search)
  find_path(SuiteSparse_${_ss_c}_INCLUDE_DIR NAMES ${_ss_header_${_ss_c}}
            PATH_SUFFIXES suitesparse include/suitesparse
            DOC "Directory holding ${_ss_header_${_ss_c}} (SuiteSparse ${_ss_c})")
  find_library(SuiteSparse_${_ss_c}_LIBRARY NAMES ${_ss_lib_${_ss_c}}
               DOC "SuiteSparse ${_ss_c} library")
  mark_as_advanced(SuiteSparse_${_ss_c}_INCLUDE_DIR SuiteSparse_${_ss_c}_LIBRARY)

  set(SuiteSparse_${_ss_c}_FOUND FALSE)
  if(SuiteSparse_${_ss_c}_INCLUDE_DIR AND SuiteSparse_${_ss_c}_LIBRARY)
    set(SuiteSparse_${_ss_c}_FOUND TRUE)
    foreach(_ss_d IN LISTS _ss_deps_${_ss_c})
      if(NOT SuiteSparse_${_ss_d}_FOUND)
        set(SuiteSparse_${_ss_c}_FOUND FALSE)
      endif()
    endforeach()
  endif()
  if(NOT SuiteSparse_${_ss_c}_FOUND)
    continue()
  endif()

  # CHOLMOD 3.x keeps its version macros in cholmod_core.h, later versions in cholmod.h.
  set(SuiteSparse_${_ss_c}_VERSION "")
  foreach(_ss_h IN ITEMS ${_ss_header_${_ss_c}} cholmod_core.h)
    set(_ss_h "${SuiteSparse_${_ss_c}_INCLUDE_DIR}/${_ss_h}")
    if(NOT SuiteSparse_${_ss_c}_VERSION AND EXISTS "${_ss_h}")
      _ss_read_version("${_ss_h}" ${_ss_macro_${_ss_c}} SuiteSparse_${_ss_c}_VERSION)
    endif()
  endforeach()
  list(APPEND SuiteSparse_INCLUDE_DIRS "${SuiteSparse_${_ss_c}_INCLUDE_DIR}")
  list(APPEND SuiteSparse_LIBRARIES "${SuiteSparse_${_ss_c}_LIBRARY}")

  if(NOT TARGET SuiteSparse::${_ss_c})
    add_library(SuiteSparse::${_ss_c} UNKNOWN IMPORTED)
    set_target_properties(SuiteSparse::${_ss_c} PROPERTIES
      IMPORTED_LOCATION "${SuiteSparse_${_ss_c}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${SuiteSparse_${_ss_c}_INCLUDE_DIR}")
    foreach(_ss_d IN LISTS _ss_deps_${_ss_c})
      set_property(TARGET SuiteSparse::${_ss_c} APPEND PROPERTY
                   INTERFACE_LINK_LIBRARIES SuiteSparse::${_ss_d})
    endforeach()
    if(_ss_c STREQUAL "CHOLMOD" AND SuiteSparse_CHOLMOD_LIBRARY MATCHES
       "${CMAKE_STATIC_LIBRARY_SUFFIX}$")
      # A static libcholmod brings undefined BLAS/LAPACK (and, when built with its
      # Partition module, METIS) symbols; a shared one records these itself.
      find_package(LAPACK QUIET)
      if(LAPACK_FOUND)
        set_property(TARGET SuiteSparse::CHOLMOD APPEND PROPERTY
                     INTERFACE_LINK_LIBRARIES LAPACK::LAPACK)
      endif()
      find_library(SuiteSparse_CHOLMOD_METIS_LIBRARY NAMES metis)
      mark_as_advanced(SuiteSparse_CHOLMOD_METIS_LIBRARY)
      if(SuiteSparse_CHOLMOD_METIS_LIBRARY)
        set_property(TARGET SuiteSparse::CHOLMOD APPEND PROPERTY
                     INTERFACE_LINK_LIBRARIES "${SuiteSparse_CHOLMOD_METIS_LIBRARY}")
      endif()
      set_property(TARGET SuiteSparse::CHOLMOD APPEND PROPERTY INTERFACE_LINK_LIBRARIES m)
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES SuiteSparse_INCLUDE_DIRS)

set(SuiteSparse_VERSION "${SuiteSparse_SuiteSparse_config_VERSION}")

find_package_handle_standard_args(SuiteSparse
  REQUIRED_VARS SuiteSparse_SuiteSparse_config_INCLUDE_DIR
                SuiteSparse_SuiteSparse_config_LIBRARY
  VERSION_VAR SuiteSparse_VERSION
  HANDLE_COMPONENTS)

foreach(_ss_var _ss_all_components _ss_requested _ss_search _ss_wanted _ss_c _ss_r _ss_d _ss_h)
  unset(${_ss_var})
endforeach()
foreach(_ss_c IN ITEMS SuiteSparse_config AMD CAMD COLAMD CCOLAMD LDL CHOLMOD)
  unset(_ss_header_${_ss_c})
  unset(_ss_lib_${_ss_c})
  unset(_ss_macro_${_ss_c})
  unset(_ss_deps_${_ss_c})
endforeach()
unset(_ss_c)
