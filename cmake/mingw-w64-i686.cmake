# Cross-compiling for 32-bit Windows with Debian's mingw-w64
# (gcc-mingw-w64-i686, libz-mingw-w64-dev). Build only: 32-bit Wine cannot be
# installed on our Debian machines, so no emulator is set and CTest has
# nothing to run here.
set(ZMM_MINGW_TRIPLE i686-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR x86)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)
