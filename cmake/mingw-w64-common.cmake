# Shared part of the mingw-w64 toolchain files. The including file sets
# ZMM_MINGW_TRIPLE (x86_64-w64-mingw32 or i686-w64-mingw32) first.
#
# Debian's cross compilers (gcc-mingw-w64-*) and libz-mingw-w64-dev install
# everything under /usr/<triple>: find_* look only there for libraries and
# headers, and on the host for programs.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_VERSION 6.1) # Windows 7 and later

set(CMAKE_C_COMPILER ${ZMM_MINGW_TRIPLE}-gcc)
set(CMAKE_RC_COMPILER ${ZMM_MINGW_TRIPLE}-windres)
set(CMAKE_AR ${ZMM_MINGW_TRIPLE}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${ZMM_MINGW_TRIPLE}-ranlib CACHE FILEPATH "")

set(CMAKE_FIND_ROOT_PATH /usr/${ZMM_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The static runtime flags (-static) are in the top-level CMakeLists.txt, so
# that a native MSYS2 build gets them too.
