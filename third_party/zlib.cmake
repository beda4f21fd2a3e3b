# zlib is the only third-party dependency. It comes from the system, never
# from vendored source: Debian's zlib1g-dev natively, libz-mingw-w64-dev for
# the mingw-w64 cross builds. Windows binaries link it statically, so
# zmmio.dll and the tools import only system DLLs.
if(WIN32)
    find_library(ZMM_ZLIB_STATIC NAMES libz.a REQUIRED)
    find_path(ZMM_ZLIB_INCLUDE zlib.h REQUIRED)
    add_library(zmm_zlib STATIC IMPORTED GLOBAL)
    set_target_properties(zmm_zlib PROPERTIES
        IMPORTED_LOCATION "${ZMM_ZLIB_STATIC}"
        INTERFACE_INCLUDE_DIRECTORIES "${ZMM_ZLIB_INCLUDE}")
else()
    find_package(ZLIB REQUIRED)
    add_library(zmm_zlib INTERFACE IMPORTED GLOBAL)
    target_link_libraries(zmm_zlib INTERFACE ZLIB::ZLIB)
endif()
