# Install rules and the CMake package (qplayerConfig.cmake + version file).
include(CMakePackageConfigHelpers)
install(TARGETS qplayer EXPORT qplayerTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY core/include/qplayer dense/include/qplayer DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/generated/qplayer/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/qplayer)
