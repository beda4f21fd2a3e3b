#!/bin/sh
# consumer-test.sh -- builds and runs programs of someone else's against an
# installed zmmio (an install prefix, or an unpacked release package), never
# against the build tree.
#
#   consumer-test.sh cmake PREFIX WORK
#       tests/consumer/CMakeLists.txt configured with
#       CMAKE_PREFIX_PATH=PREFIX: find_package(zmm CONFIG REQUIRED), the
#       programs linked with zmm::zmm (libzmm.so) and zmm::zmm_static; both run.
#   consumer-test.sh pkg-config PREFIX WORK [CC]
#       consumer.c compiled with `pkg-config --cflags --libs zmm` (and
#       --static) from PREFIX/lib/pkgconfig; both run.
#   consumer-test.sh windows PREFIX WORK CC [RUNNER...]
#       win_consumer.c compiled by the mingw-w64 CC against
#       PREFIX/include/zmmio.h (or $ZMMIO_INCLUDE/zmmio.h: the release zip
#       has one include/ beside x64/ and x86/) and linked with
#       PREFIX/lib/zmmio.lib (the Visual C++ import library), run beside
#       PREFIX/bin/zmmio.dll with RUNNER (wine). Without a RUNNER it is only
#       built and linked, and says so. The RUNNER's exit status is the
#       script's (77: skipped).
#
# Mutations seen failing (2026-12-02): zmmConfig.cmake without
# find_dependency(ZLIB) ("The link interface of target zmm::zmm_static
# contains: ZLIB::ZLIB but the target was not found"); zmmio.lib made from a
# .def without the i686 @N sizes (x86 link: "undefined reference to
# `_imp__ZmmInstallIOProc@0'").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mode=$1 prefix=$2 work=$3
shift 3
rm -rf "$work"
mkdir -p "$work"
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

case $mode in
cmake)
    cmake -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$prefix" >"$work/configure.log" 2>&1 ||
        { cat "$work/configure.log"; exit 1; }
    cmake --build "$work/build" >"$work/build.log" 2>&1 ||
        { cat "$work/build.log"; exit 1; }
    # The shared library is the installed one (the build RPATH points there).
    ldd "$work/build/consumer" | grep "libzmm.so" | grep -q "$prefix/lib" ||
        { echo "consumer does not load libzmm.so from $prefix/lib:"; ldd "$work/build/consumer"; exit 1; }
    "$work/build/consumer" "$work/shared.zmm"
    "$work/build/consumer_static" "$work/static.zmm"
    ;;
pkg-config)
    cc=${1:-cc}
    PKG_CONFIG_PATH=$prefix/lib/pkgconfig
    export PKG_CONFIG_PATH
    echo "pkg-config --modversion zmm: $(pkg-config --modversion zmm)"
    # shellcheck disable=SC2046 # the flags are words
    $cc -o "$work/consumer" "$here/consumer.c" $(pkg-config --cflags --libs zmm) \
        -Wl,-rpath,"$(pkg-config --variable=libdir zmm)"
    "$work/consumer" "$work/shared.zmm"
    # shellcheck disable=SC2046
    $cc -static-libgcc -o "$work/consumer_static" "$here/consumer.c" \
        $(pkg-config --cflags zmm) "$(pkg-config --variable=libdir zmm)/libzmm.a" \
        $(pkg-config --static --libs-only-other --libs-only-l zmm | sed 's/-lzmm//')
    "$work/consumer_static" "$work/static.zmm"
    ;;
windows)
    cc=$1
    shift
    inc=${ZMMIO_INCLUDE:-$prefix/include}
    for f in "$inc/zmmio.h" "$prefix/lib/zmmio.lib" "$prefix/bin/zmmio.dll"; do
        [ -f "$f" ] || { echo "missing: $f"; exit 1; }
    done
    $cc -Wall -Wextra -Werror -o "$work/win_consumer.exe" "$here/win_consumer.c" \
        -I"$inc" "$prefix/lib/zmmio.lib" -lwinmm
    cp "$prefix/bin/zmmio.dll" "$work/"
    if [ $# -eq 0 ]; then
        echo "win_consumer.exe built and linked with $prefix/lib/zmmio.lib; not run (no Wine for it)"
        exit 0
    fi
    cd "$work"
    "$@" ./win_consumer.exe test.zmm
    ;;
*)
    echo "usage: consumer-test.sh cmake|pkg-config|windows PREFIX WORK ..." >&2
    exit 2
    ;;
esac
