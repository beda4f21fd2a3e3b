# zlib is the only third-party dependency. It comes from the system, never
# from vendored source, and is seen by our targets as `zmm_zlib`:
# - Linux: Debian's zlib1g-dev (the shared libz.so).
# - mingw-w64 (Debian's cross compilers with libz-mingw-w64-dev, or MSYS2's
#   mingw-w64-x86_64-zlib): the static libz.a, never libz.dll.a, so zmmio.dll
#   and the programs import only system DLLs. The toolchain files in cmake/
#   confine the search to /usr/<triple>, so the host's own libz.a (from
#   zlib1g-dev) can never be picked by mistake.
# - MSVC: find_package(ZLIB), e.g. vcpkg's; use a static triplet
#   (x64-windows-static) for a DLL without a zlib1.dll beside it.
if(MINGW)
    find_library(ZMM_ZLIB_STATIC NAMES libz.a
                 DOC "static zlib for mingw-w64 (libz-mingw-w64-dev)")
    find_path(ZMM_ZLIB_INCLUDE zlib.h DOC "zlib.h for mingw-w64")
    if(NOT ZMM_ZLIB_STATIC OR NOT ZMM_ZLIB_INCLUDE)
        message(FATAL_ERROR "static zlib for mingw-w64 not found (libz.a, zlib.h). "
            "Debian: apt-get install libz-mingw-w64-dev (cmake/setup-debian.sh); "
            "MSYS2: pacman -S mingw-w64-x86_64-zlib")
    endif()
    add_library(zmm_zlib STATIC IMPORTED GLOBAL)
    set_target_properties(zmm_zlib PROPERTIES
        IMPORTED_LOCATION "${ZMM_ZLIB_STATIC}"
        INTERFACE_INCLUDE_DIRECTORIES "${ZMM_ZLIB_INCLUDE}")
    message(STATUS "zlib (static): ${ZMM_ZLIB_STATIC}")
else()
    find_package(ZLIB REQUIRED)
    add_library(zmm_zlib INTERFACE IMPORTED GLOBAL)
    target_link_libraries(zmm_zlib INTERFACE ZLIB::ZLIB)
endif()
