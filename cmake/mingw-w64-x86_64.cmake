# Cross-compiling for 64-bit Windows with Debian's mingw-w64
# (gcc-mingw-w64-x86-64, libz-mingw-w64-dev). CTest runs the test programs
# under Wine through CMAKE_CROSSCOMPILING_EMULATOR.
set(ZMM_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
include(${CMAKE_CURRENT_LIST_DIR}/mingw-w64-common.cmake)

# wine-run.sh runs the 64-bit loader for a 64-bit program (it reads the PE
# header), with a ready WINEPREFIX (see the script).
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run.sh)
