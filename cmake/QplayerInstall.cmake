# Install rules and the CMake package: find_package(qplayer CONFIG) gives qplayer::qplayer.
# Works with or without apps/ (the CLI installs itself from apps/CMakeLists.txt) and for a
# static (default) or shared (BUILD_SHARED_LIBS=ON) library.
include(CMakePackageConfigHelpers)

set(QPLAYER_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/qplayer CACHE STRING
    "Where qplayerConfig.cmake and qplayerTargets.cmake are installed (relative to the prefix)")
mark_as_advanced(QPLAYER_INSTALL_CMAKEDIR)

install(TARGETS qplayer EXPORT qplayerTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers: core/include/qplayer/*.hpp -> include/qplayer/, and
# <layer>/include/qplayer/<layer>/*.hpp -> include/qplayer/<layer>/ (each layer that exists).
foreach(layer core dense sparse derivatives)
  if(IS_DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/include/qplayer)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/include/qplayer
            DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
            FILES_MATCHING PATTERN "*.hpp")
  endif()
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/qplayer/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/qplayer)

install(EXPORT qplayerTargets
        NAMESPACE qplayer::
        FILE qplayerTargets.cmake
        DESTINATION ${QPLAYER_INSTALL_CMAKEDIR})

# What qplayerConfig.cmake must find before it loads the targets. A shared libqplayer
# carries its PRIVATE dependencies itself; a static one lists them in its link interface
# as $<LINK_ONLY:ZLIB::ZLIB> (and SuiteSparse::*, METIS::METIS when enabled), so the
# consumer has to have those targets too.
get_target_property(QPLAYER_LIBRARY_TYPE qplayer TYPE)
if(QPLAYER_LIBRARY_TYPE STREQUAL "STATIC_LIBRARY")
  set(QPLAYER_CONFIG_STATIC ON)
else()
  set(QPLAYER_CONFIG_STATIC OFF)
endif()

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/qplayerConfig.cmake.in
  ${PROJECT_BINARY_DIR}/qplayerConfig.cmake
  INSTALL_DESTINATION ${QPLAYER_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/qplayerConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/qplayerConfig.cmake
              ${PROJECT_BINARY_DIR}/qplayerConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindSuiteSparse.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindMETIS.cmake
        DESTINATION ${QPLAYER_INSTALL_CMAKEDIR})

install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} OPTIONAL)
