# Install rules (`cmake --install BUILD --prefix DIR`), as zlib, libdeflate
# and zstd ship theirs. tests/consumer builds programs against the result,
# tests/package checks the packages' file lists.
#
# Linux (and other ELF systems):
#   bin/zmm
#   include/zmm.h
#   lib/libzmm.so -> libzmm.so.MAJOR -> libzmm.so.VERSION, lib/libzmm.a
#   lib/pkgconfig/zmm.pc
#   lib/cmake/zmm/zmmConfig.cmake, zmmConfigVersion.cmake, zmmTargets*.cmake:
#       zmm::zmm (the shared library), zmm::zmm_static
#   share/man/man1/zmm.1
#   share/doc/zmmio/LICENSE, README.md
# Windows (x64 or x86), in two components so that the release zip can hold
# both architectures beside one header (cmake/release.cmake):
#   binaries: bin/zmmio.dll, bin/zmm.exe, bin/zmmplay.exe,
#             lib/zmmio.lib (Visual C++), lib/libzmmio.dll.a (MinGW),
#             lib/zmmio.def
#   common:   include/zmmio.h, LICENSE, README.md
include(CMakePackageConfigHelpers)

if(NOT WIN32)
    install(TARGETS zmm_shared zmm EXPORT zmmTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    install(FILES ${PROJECT_SOURCE_DIR}/include/zmm.h
            DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

    set(_cmakedir ${CMAKE_INSTALL_LIBDIR}/cmake/zmm)
    install(EXPORT zmmTargets NAMESPACE zmm:: DESTINATION ${_cmakedir})
    configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zmmConfig.cmake.in
        ${PROJECT_BINARY_DIR}/zmmConfig.cmake
        INSTALL_DESTINATION ${_cmakedir})
    # libzmm.so.MAJOR: one ABI per major version (struct_size keeps older
    # callers working within it).
    write_basic_package_version_file(${PROJECT_BINARY_DIR}/zmmConfigVersion.cmake
        VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
    install(FILES ${PROJECT_BINARY_DIR}/zmmConfig.cmake
                  ${PROJECT_BINARY_DIR}/zmmConfigVersion.cmake
            DESTINATION ${_cmakedir})

    # zmm.pc finds the prefix from its own place, so an unpacked tarball
    # works wherever it lies.
    file(RELATIVE_PATH ZMM_PC_TO_PREFIX
         /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
    string(REGEX REPLACE "/$" "" ZMM_PC_TO_PREFIX "${ZMM_PC_TO_PREFIX}")
    configure_file(${PROJECT_SOURCE_DIR}/cmake/zmm.pc.in
                   ${PROJECT_BINARY_DIR}/zmm.pc @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/zmm.pc
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

    install(TARGETS zmm_tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(FILES ${PROJECT_BINARY_DIR}/docs/zmm.1
            DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
            DESTINATION ${CMAKE_INSTALL_DOCDIR})
else()
    install(TARGETS zmmio zmm_tool zmmplay
        RUNTIME DESTINATION bin COMPONENT binaries
        ARCHIVE DESTINATION lib COMPONENT binaries)
    install(FILES ${CMAKE_BINARY_DIR}/lib/zmmio.lib
                  ${PROJECT_SOURCE_DIR}/src/ioproc/zmmio.def
            DESTINATION lib COMPONENT binaries)
    install(FILES ${PROJECT_SOURCE_DIR}/include/zmmio.h
            DESTINATION include COMPONENT common)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
            DESTINATION . COMPONENT common)
endif()
