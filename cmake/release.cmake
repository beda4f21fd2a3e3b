# The release (ZMM_RELEASE=ON: the `release` presets). One command,
#
#     cmake --workflow --preset release
#
# builds this tree (Linux, optimised), cross-builds zmmio for Windows x64 and
# x86 with mingw-w64 as two sub-builds (build/release/windows-x64 and
# windows-x86, optimised, without tests or samples), packages into
# build/packages/ and checks the packages (tests/package):
#
#   zmmio-VERSION-linux-x86_64.tar.gz  this tree's install (cmake/install.cmake)
#                                      in one top folder
#   zmmio_VERSION_amd64.deb            the same under /usr
#   zmmio-VERSION-windows.zip          one top folder: x64/ and x86/ (each one
#                                      build's `binaries` component: bin/, lib/),
#                                      and the `common` component once
#                                      (include/zmmio.h, LICENSE, README.md)
include(ExternalProject)

foreach(_arch x64 x86)
    if(_arch STREQUAL x64)
        set(_toolchain ${PROJECT_SOURCE_DIR}/cmake/mingw-w64-x86_64.cmake)
    else()
        set(_toolchain ${PROJECT_SOURCE_DIR}/cmake/mingw-w64-i686.cmake)
    endif()
    set(ZMM_WINDOWS_${_arch}_DIR ${CMAKE_BINARY_DIR}/windows-${_arch})
    ExternalProject_Add(zmmio_windows_${_arch}
        SOURCE_DIR ${PROJECT_SOURCE_DIR}
        BINARY_DIR ${ZMM_WINDOWS_${_arch}_DIR}
        CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${_toolchain}
                   -DCMAKE_BUILD_TYPE=Release
                   -DZMM_WERROR=${ZMM_WERROR}
                   -DZMM_BUILD_TESTS=OFF
                   -DZMM_BUILD_SAMPLES=OFF
        INSTALL_COMMAND ""
        BUILD_ALWAYS ON)
endforeach()

set(CPACK_PACKAGE_NAME zmmio)
set(CPACK_PACKAGE_VENDOR "the zmmio authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "ZMM archives: compressed, seekable, crash-safe members read like plain files")
set(CPACK_PACKAGE_DESCRIPTION
    "libzmm (shared and static), its header zmm.h, pkg-config and CMake package \
files, and the zmm tool that makes, lists, verifies and unpacks ZMM archives.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_GENERATOR TGZ DEB ZIP)
set(CPACK_PACKAGE_FILE_NAME
    zmmio-${PROJECT_VERSION}-linux-${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
set(CPACK_STRIP_FILES ON)
# Debian: installs under /usr; Depends from dpkg-shlibdeps (libc6, zlib1g).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "the zmmio authors <zmmio@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "zlib1g-dev, pkgconf | pkg-config")
# What differs for the ZIP generator: cmake/CPackProjectConfig.cmake, which
# reads these two.
set(CPACK_ZMM_WINDOWS_X64_DIR ${ZMM_WINDOWS_x64_DIR})
set(CPACK_ZMM_WINDOWS_X86_DIR ${ZMM_WINDOWS_x86_DIR})
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/CPackProjectConfig.cmake)
include(CPack)

# The packages' checks: their file lists, and consumers built against them.
add_subdirectory(tests/package)
