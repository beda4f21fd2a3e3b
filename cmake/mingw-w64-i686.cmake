# Cross-compiling for 32-bit Windows with Debian's mingw-w64
# (gcc-mingw-w64-i686, libz-mingw-w64-dev). CTest runs the test programs
# under 32-bit Wine (wine32:i386, which cmake/setup-debian.sh installs)
# through CMAKE_CROSSCOMPILING_EMULATOR.
set(ZMM_MINGW_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR x86)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)

# wine-run.sh runs the 32-bit loader for a 32-bit program (it reads the PE
# header), with a ready WINEPREFIX (see the script).
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run.sh)
