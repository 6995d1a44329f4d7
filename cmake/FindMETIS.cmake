#[=======================================================================[.rst:
FindMETIS
---------

Finds METIS 5 (graph partitioning; qplayer uses its nested-dissection ordering). Debian's
libmetis-dev installs ``/usr/include/metis.h`` and ``libmetis.so`` but no CMake package.

Imported target
^^^^^^^^^^^^^^^

``METIS::METIS``, with the include directory of ``metis.h``.

Result variables
^^^^^^^^^^^^^^^^

``METIS_FOUND``, ``METIS_VERSION`` (from ``METIS_VER_MAJOR/MINOR/SUBMINOR`` in metis.h),
``METIS_INCLUDE_DIRS``, ``METIS_LIBRARIES``, and ``METIS_IDXTYPEWIDTH`` (32 or 64: the
width of ``idx_t`` the library was built with, which callers must match when they pass
index arrays).

Cache variables
^^^^^^^^^^^^^^^

``METIS_INCLUDE_DIR``, ``METIS_LIBRARY``.

Hints
^^^^^

``METIS_ROOT`` (variable or environment) names an installation prefix to search first.
#]=======================================================================]

include(FindPackageHandleStandardArgs)

find_path(METIS_INCLUDE_DIR NAMES metis.h PATH_SUFFIXES metis DOC "Directory holding metis.h")
find_library(METIS_LIBRARY NAMES metis DOC "METIS library")
mark_as_advanced(METIS_INCLUDE_DIR METIS_LIBRARY)

unset(METIS_VERSION)
unset(METIS_IDXTYPEWIDTH)
if(METIS_INCLUDE_DIR AND EXISTS "${METIS_INCLUDE_DIR}/metis.h")
  file(STRINGS "${METIS_INCLUDE_DIR}/metis.h" _metis_defines
       REGEX "^#define[ \t]+(METIS_VER_(MAJOR|MINOR|SUBMINOR)|IDXTYPEWIDTH)[ \t]+[0-9]+")
  foreach(_metis_key METIS_VER_MAJOR METIS_VER_MINOR METIS_VER_SUBMINOR IDXTYPEWIDTH)
    set(_metis_${_metis_key} "")
    foreach(_metis_line IN LISTS _metis_defines)
      if(_metis_line MATCHES "^#define[ \t]+${_metis_key}[ \t]+([0-9]+)")
        set(_metis_${_metis_key} "${CMAKE_MATCH_1}")
      endif()
    endforeach()
  endforeach()
  if(NOT _metis_METIS_VER_MAJOR STREQUAL "")
    set(METIS_VERSION
        "${_metis_METIS_VER_MAJOR}.${_metis_METIS_VER_MINOR}.${_metis_METIS_VER_SUBMINOR}")
  endif()
  set(METIS_IDXTYPEWIDTH "${_metis_IDXTYPEWIDTH}")
  unset(_metis_defines)
  unset(_metis_line)
  foreach(_metis_key METIS_VER_MAJOR METIS_VER_MINOR METIS_VER_SUBMINOR IDXTYPEWIDTH)
    unset(_metis_${_metis_key})
  endforeach()
  unset(_metis_key)
endif()

find_package_handle_standard_args(METIS
  REQUIRED_VARS METIS_LIBRARY METIS_INCLUDE_DIR
  VERSION_VAR METIS_VERSION)

if(METIS_FOUND)
  set(METIS_INCLUDE_DIRS "${METIS_INCLUDE_DIR}")
  set(METIS_LIBRARIES "${METIS_LIBRARY}")
  if(NOT TARGET METIS::METIS)
    add_library(METIS::METIS UNKNOWN IMPORTED)
    set_target_properties(METIS::METIS PROPERTIES
      IMPORTED_LOCATION "${METIS_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${METIS_INCLUDE_DIR}")
    if(METIS_LIBRARY MATCHES "${CMAKE_STATIC_LIBRARY_SUFFIX}$")
      set_property(TARGET METIS::METIS APPEND PROPERTY INTERFACE_LINK_LIBRARIES m)
    endif()
  endif()
endif()
